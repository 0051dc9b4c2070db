/**
 * A minimal POSIX ustar writer for regular files: enough to stream a model bundle as one download without an
 * archive library. Each entry is a 512-byte header, the content, and zero padding to a 512-byte boundary; two
 * zero blocks end the archive.
 */

export const TAR_BLOCK = 512;

export interface TarEntry {
  /** Path inside the archive, '/'-separated, relative. */
  name: string;
  size: number;
  mtime: Date;
  /** Permission bits; 0o644 by default. */
  mode?: number;
}

export interface TarFile extends TarEntry {
  content: AsyncIterable<Uint8Array>;
}

/** Largest size the 11 octal digits of the size field hold; larger sizes use the base-256 (GNU) form. */
const MAX_OCTAL_SIZE = 8 ** 11 - 1;

function writeString(header: Buffer, value: string, offset: number, length: number): void {
  const bytes = Buffer.from(value, 'utf8');
  if (bytes.length > length) throw new Error(`tar field too long: ${value}`);
  bytes.copy(header, offset);
}

/** A zero-terminated, zero-padded octal number filling `length` bytes. */
function writeOctal(header: Buffer, value: number, offset: number, length: number): void {
  writeString(header, value.toString(8).padStart(length - 1, '0'), offset, length - 1);
}

function writeSize(header: Buffer, size: number): void {
  if (size <= MAX_OCTAL_SIZE) return writeOctal(header, size, 124, 12);
  header[124] = 0x80;
  let rest = BigInt(size);
  for (let i = 135; i > 124; i--) {
    header[i] = Number(rest & 0xffn);
    rest >>= 8n;
  }
}

/** ustar splits long paths into prefix (155 bytes) + name (100 bytes) at a '/'. */
function splitName(name: string): { prefix: string; base: string } {
  if (Buffer.byteLength(name) <= 100) return { prefix: '', base: name };
  for (let cut = name.indexOf('/'); cut > 0; cut = name.indexOf('/', cut + 1)) {
    const prefix = name.slice(0, cut);
    const base = name.slice(cut + 1);
    if (Buffer.byteLength(prefix) <= 155 && Buffer.byteLength(base) <= 100) return { prefix, base };
  }
  throw new Error(`tar entry name too long: ${name}`);
}

export function tarHeader(entry: TarEntry): Buffer {
  if (!Number.isSafeInteger(entry.size) || entry.size < 0) throw new Error(`invalid tar entry size ${entry.size}`);
  const header = Buffer.alloc(TAR_BLOCK);
  const { prefix, base } = splitName(entry.name);
  writeString(header, base, 0, 100);
  writeOctal(header, entry.mode ?? 0o644, 100, 8);
  writeOctal(header, 0, 108, 8);
  writeOctal(header, 0, 116, 8);
  writeSize(header, entry.size);
  writeOctal(header, Math.max(0, Math.floor(entry.mtime.getTime() / 1000)), 136, 12);
  header.fill(0x20, 148, 156);
  header.write('0', 156, 'latin1');
  header.write('ustar\0', 257, 'latin1');
  header.write('00', 263, 'latin1');
  writeString(header, prefix, 345, 155);
  let checksum = 0;
  for (const byte of header) checksum += byte;
  writeString(header, `${checksum.toString(8).padStart(6, '0')}\0 `, 148, 8);
  return header;
}

/** Zero bytes that bring `size` bytes of content to a block boundary. */
export function tarPadding(size: number): Buffer {
  return Buffer.alloc((TAR_BLOCK - (size % TAR_BLOCK)) % TAR_BLOCK);
}

/** Bytes of the archive of these entries: for Content-Length. */
export function tarLength(entries: TarEntry[]): number {
  return entries.reduce((total, entry) => total + TAR_BLOCK + entry.size + tarPadding(entry.size).length, 2 * TAR_BLOCK);
}

/** Streams the archive; throws when a file's content differs in length from its declared size. */
export async function* tarStream(files: TarFile[]): AsyncGenerator<Buffer> {
  for (const file of files) {
    yield tarHeader(file);
    let written = 0;
    for await (const chunk of file.content) {
      written += chunk.length;
      if (written > file.size) throw new Error(`${file.name} grew while being archived`);
      yield Buffer.from(chunk.buffer, chunk.byteOffset, chunk.length);
    }
    if (written !== file.size) throw new Error(`${file.name} shrank while being archived`);
    yield tarPadding(file.size);
  }
  yield Buffer.alloc(2 * TAR_BLOCK);
}
