import { FileHandle, open, readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { tarLength, tarStream } from './tar-writer';

const READ_CHUNK_BYTES = 256 * 1024;

export interface BundleArchive {
  stream: Readable;
  /** Bytes the stream will produce (Content-Length). */
  length: number;
}

async function* readAll(handle: FileHandle, size: number): AsyncGenerator<Uint8Array> {
  for (let position = 0; position < size; ) {
    const { bytesRead, buffer } = await handle.read(Buffer.alloc(Math.min(READ_CHUNK_BYTES, size - position)), 0, undefined, position);
    if (bytesRead === 0) return;
    position += bytesRead;
    yield buffer.subarray(0, bytesRead);
  }
}

/**
 * A tar of the bundle's files under `<rootName>/`. Every file is opened before streaming starts, so a version
 * deleted during the download still streams whole (the open handles keep its data).
 */
export async function openBundleArchive(directory: string, rootName: string): Promise<BundleArchive> {
  const names = (await readdir(directory, { withFileTypes: true })).filter((entry) => entry.isFile()).map((entry) => entry.name).sort();
  const handles: FileHandle[] = [];
  try {
    for (const name of names) handles.push(await open(join(directory, name), 'r'));
    const infos = await Promise.all(handles.map((handle) => handle.stat()));
    const files = names.map((name, i) => ({
      name: `${rootName}/${name}`,
      size: infos[i].size,
      mtime: infos[i].mtime,
      content: readAll(handles[i], infos[i].size),
    }));
    let closing: Promise<unknown> | undefined;
    const closeAll = () => (closing ??= Promise.all(handles.map((handle) => handle.close())));
    async function* archive(): AsyncGenerator<Buffer> {
      try {
        yield* tarStream(files);
      } finally {
        await closeAll();
      }
    }
    const stream = Readable.from(archive());
    // A client that disconnects before the first read never starts the generator, so its finally never runs.
    stream.once('close', () => void closeAll());
    return { stream, length: tarLength(files) };
  } catch (error) {
    await Promise.all(handles.map((handle) => handle.close()));
    throw error;
  }
}
