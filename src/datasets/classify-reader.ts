import { readdir, readFile, stat } from 'node:fs/promises';
import { dirname, extname, join, relative, resolve } from 'node:path';
import { documentIdFromPath, entrySplit, hashSplit, ManifestFormatError, parseJsonl, SplitName } from './jsonl-manifest';

/** One labelled document to classify. */
export interface ClassifyExample {
  docId: string;
  imagePath: string;
  label: string;
  /** Client words as in the `words` field of the API (validated once the pages are decoded); absent → OCR. */
  words?: unknown;
  split: SplitName;
  /** Where the example came from, for error messages: `file:line` or the image path. */
  source: string;
}

/** Files `decodeDocument` reads. */
export const IMAGE_EXTENSIONS = new Set(['.png', '.jpg', '.jpeg', '.tif', '.tiff', '.webp', '.bmp', '.gif', '.pdf']);

function checkLabel(label: string, allowed: readonly string[] | undefined, where: () => Error): void {
  if (allowed && !allowed.includes(label)) throw where();
}

/** `{image, label, words?, split?}` per line; image paths are relative to the manifest. */
export function parseClassifyManifest(text: string, file: string, allowedLabels?: readonly string[]): ClassifyExample[] {
  const baseDir = dirname(resolve(file));
  return parseJsonl(text, file).map((entry) => {
    const { image, label, words } = entry.value;
    if (typeof image !== 'string' || image.trim() === '') throw new ManifestFormatError(file, entry.line, 'image', 'expected a non-empty path');
    if (typeof label !== 'string' || label.trim() === '') throw new ManifestFormatError(file, entry.line, 'label', 'expected a non-empty string');
    checkLabel(label, allowedLabels, () => new ManifestFormatError(file, entry.line, 'label', `unknown class label '${label}' (expected one of ${allowedLabels?.join(', ')})`));
    if (words !== undefined && !Array.isArray(words)) throw new ManifestFormatError(file, entry.line, 'words', 'expected an array');
    return {
      docId: documentIdFromPath(image),
      imagePath: resolve(baseDir, image),
      label,
      words,
      split: entrySplit(entry, file, image),
      source: `${file}:${entry.line}`,
    };
  });
}

export async function readClassifyManifest(file: string, allowedLabels?: readonly string[]): Promise<ClassifyExample[]> {
  return parseClassifyManifest(await readFile(file, 'utf8'), file, allowedLabels);
}

/** One folder per class, each holding that class's images (other files and hidden entries are ignored). */
export async function readClassifyFolders(root: string, allowedLabels?: readonly string[]): Promise<ClassifyExample[]> {
  const entries = (await readdir(root, { withFileTypes: true })).filter((entry) => entry.isDirectory() && !entry.name.startsWith('.'));
  if (entries.length === 0) throw new Error(`${root}: expected one folder per class`);
  const examples: ClassifyExample[] = [];
  for (const label of entries.map((entry) => entry.name).sort()) {
    checkLabel(label, allowedLabels, () => new Error(`${join(root, label)}: unknown class label '${label}' (expected one of ${allowedLabels?.join(', ')})`));
    const files = (await readdir(join(root, label))).filter((name) => !name.startsWith('.') && IMAGE_EXTENSIONS.has(extname(name).toLowerCase())).sort();
    for (const name of files) {
      const imagePath = join(root, label, name);
      if (!(await stat(imagePath)).isFile()) continue;
      const key = relative(root, imagePath);
      examples.push({ docId: documentIdFromPath(key), imagePath, label, split: hashSplit(key), source: imagePath });
    }
  }
  if (examples.length === 0) throw new Error(`${root}: no images found in the class folders`);
  return examples;
}

/** The class list: the given one, or the sorted labels that occur. */
export function classLabels(examples: readonly ClassifyExample[], allowedLabels?: readonly string[]): string[] {
  return allowedLabels ? [...allowedLabels] : [...new Set(examples.map((example) => example.label))].sort();
}
