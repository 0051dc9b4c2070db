import { execFile } from 'node:child_process';
import { access, constants } from 'node:fs/promises';
import { performance } from 'node:perf_hooks';
import { promisify } from 'node:util';

const run = promisify(execFile);

/** The distribution's tesseract CLI: the native baseline that bench compares the service's OCR against. */
export const NATIVE_TESSERACT = '/usr/bin/tesseract';

export async function nativeTesseractAvailable(binary = NATIVE_TESSERACT): Promise<boolean> {
  return access(binary, constants.X_OK).then(() => true, () => false);
}

export async function nativeTesseractVersion(binary = NATIVE_TESSERACT): Promise<string> {
  const { stdout, stderr } = await run(binary, ['--version']);
  return `${stdout}${stderr}`.split('\n')[0].trim();
}

/** Wall time of `tesseract <image> - tsv` (word boxes, like the service's OCR), process start included. */
export async function timeNativeTesseract(imagePath: string, binary = NATIVE_TESSERACT): Promise<number> {
  const started = performance.now();
  await run(binary, [imagePath, '-', 'tsv'], { maxBuffer: 64 * 1024 * 1024 });
  return performance.now() - started;
}
