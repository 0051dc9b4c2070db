import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { TAR_BLOCK, tarHeader, tarLength, tarPadding, tarStream } from './tar-writer';

async function* chunks(...parts: string[]): AsyncGenerator<Uint8Array> {
  for (const part of parts) yield Buffer.from(part);
}

async function collect(stream: AsyncIterable<Buffer>): Promise<Buffer> {
  const parts: Buffer[] = [];
  for await (const part of stream) parts.push(part);
  return Buffer.concat(parts);
}

const field = (header: Buffer, offset: number, length: number) => header.subarray(offset, offset + length).toString('latin1').replace(/\0.*$/s, '');

/** Reads entries back the way tar does: header fields, checksum, content. */
function readTar(archive: Buffer): Array<{ name: string; content: string; mode: number; mtime: number }> {
  const entries = [];
  let offset = 0;
  while (archive.subarray(offset, offset + TAR_BLOCK).some((byte) => byte !== 0)) {
    const header = archive.subarray(offset, offset + TAR_BLOCK);
    const unsigned = [...header].reduce((sum, byte, i) => sum + (i >= 148 && i < 156 ? 0x20 : byte), 0);
    assert.equal(parseInt(field(header, 148, 8), 8), unsigned, 'checksum');
    assert.equal(field(header, 257, 6), 'ustar');
    const prefix = field(header, 345, 155);
    const name = (prefix ? `${prefix}/` : '') + field(header, 0, 100);
    const size = parseInt(field(header, 124, 12), 8);
    const content = archive.subarray(offset + TAR_BLOCK, offset + TAR_BLOCK + size).toString();
    entries.push({ name, content, mode: parseInt(field(header, 100, 8), 8), mtime: parseInt(field(header, 136, 12), 8) });
    offset += TAR_BLOCK + size + tarPadding(size).length;
  }
  assert.equal(archive.length, offset + 2 * TAR_BLOCK, 'two zero blocks end the archive');
  return entries;
}

describe('tar writer', () => {
  it('writes entries that read back with their names, contents and times', async () => {
    const mtime = new Date('2024-05-01T12:00:00Z');
    const files = [
      { name: 'bundle/manifest.json', size: 10, mtime, content: chunks('{"id":', '"x"}') },
      { name: 'bundle/empty.txt', size: 0, mtime, content: chunks() },
      { name: 'bundle/block.bin', size: TAR_BLOCK, mtime, mode: 0o600, content: chunks('a'.repeat(TAR_BLOCK)) },
    ];
    const archive = await collect(tarStream(files));
    assert.equal(archive.length % TAR_BLOCK, 0);
    assert.equal(archive.length, tarLength(files));
    assert.deepEqual(readTar(archive), [
      { name: 'bundle/manifest.json', content: '{"id":"x"}', mode: 0o644, mtime: mtime.getTime() / 1000 },
      { name: 'bundle/empty.txt', content: '', mode: 0o644, mtime: mtime.getTime() / 1000 },
      { name: 'bundle/block.bin', content: 'a'.repeat(TAR_BLOCK), mode: 0o600, mtime: mtime.getTime() / 1000 },
    ]);
  });

  it('splits long names into prefix and name', async () => {
    const name = `${'d'.repeat(120)}/${'f'.repeat(90)}`;
    const header = tarHeader({ name, size: 0, mtime: new Date(0) });
    assert.equal(field(header, 0, 100), 'f'.repeat(90));
    assert.equal(field(header, 345, 155), 'd'.repeat(120));
    assert.throws(() => tarHeader({ name: 'x'.repeat(300), size: 0, mtime: new Date(0) }), /too long/);
  });

  it('stores sizes beyond 8 GiB in base-256', () => {
    const size = 2 ** 33 + 5;
    const header = tarHeader({ name: 'big', size, mtime: new Date(0) });
    assert.equal(header[124], 0x80);
    assert.equal(header.readUIntBE(130, 6), size);
  });

  it('refuses content whose length differs from the declared size', async () => {
    const mtime = new Date(0);
    await assert.rejects(collect(tarStream([{ name: 'a', size: 2, mtime, content: chunks('abc') }])), /grew/);
    await assert.rejects(collect(tarStream([{ name: 'a', size: 4, mtime, content: chunks('abc') }])), /shrank/);
  });
});
