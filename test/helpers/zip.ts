import { ZipFile } from 'yazl';

export interface ZipEntrySpec {
  name: string;
  data: Buffer | string;
  /** Unix mode, e.g. 0o120777 for a symbolic link. */
  mode?: number;
  compress?: boolean;
}

/** Builds a zip in memory with yazl. */
export function buildZip(entries: ZipEntrySpec[]): Promise<Buffer> {
  const zip = new ZipFile();
  for (const entry of entries) {
    const data = typeof entry.data === 'string' ? Buffer.from(entry.data) : entry.data;
    zip.addBuffer(data, entry.name, { compress: entry.compress ?? true, ...(entry.mode !== undefined ? { mode: entry.mode } : {}) });
  }
  zip.end();
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    zip.outputStream.on('data', (chunk: Buffer) => chunks.push(chunk));
    zip.outputStream.on('end', () => resolve(Buffer.concat(chunks)));
    zip.outputStream.on('error', reject);
  });
}

/**
 * yazl refuses unsafe names, as a good writer should; an attacker's zip is made by renaming an entry in place.
 * `placeholder` and `name` must have the same byte length (the name is stored in two headers; no CRC covers it).
 */
export function renameEntry(zip: Buffer, placeholder: string, name: string): Buffer {
  if (Buffer.byteLength(placeholder) !== Buffer.byteLength(name)) throw new Error('placeholder and name must have the same length');
  const from = Buffer.from(placeholder);
  const out = Buffer.from(zip);
  let at = out.indexOf(from);
  if (at < 0) throw new Error(`"${placeholder}" is not in the zip`);
  while (at >= 0) {
    Buffer.from(name).copy(out, at);
    at = out.indexOf(from, at + from.length);
  }
  return out;
}
