import { readdir, readFile, stat } from 'node:fs/promises';
import { basename, extname, join } from 'node:path';
import { readFunsdAnnotation } from '../datasets/funsd-reader';
import { LayoutWord } from '../layout';
import { FUNSD_SPLITS } from './cli-args';

/** One FUNSD page: the scanned image as stored, and its annotated words (funsd-reader). */
export interface FunsdDocument {
  id: string;
  imagePath: string;
  annotationPath: string;
}

export interface LoadedFunsdDocument extends FunsdDocument {
  image: Buffer;
  words: LayoutWord[];
}

/** The split's documents in name order (stable across runs, so `--limit N` always means the same pages). */
export async function listFunsdDocuments(funsdDir: string, split: string, limit?: number): Promise<FunsdDocument[]> {
  const folder = FUNSD_SPLITS[split];
  if (folder === undefined) throw new Error(`unknown FUNSD split '${split}'`);
  const imagesDir = join(funsdDir, folder, 'images');
  const annotationsDir = join(funsdDir, folder, 'annotations');
  for (const dir of [imagesDir, annotationsDir]) {
    const isDir = await stat(dir).then((info) => info.isDirectory(), () => false);
    if (!isDir) throw new Error(`${dir}: directory not found (is --funsd-dir the FUNSD root holding ${folder}/?)`);
  }
  const annotations = (await readdir(annotationsDir)).filter((name) => extname(name) === '.json').sort();
  if (annotations.length === 0) throw new Error(`${annotationsDir}: no *.json annotations`);
  const documents = annotations.map((name) => {
    const id = basename(name, '.json');
    return { id, imagePath: join(imagesDir, `${id}.png`), annotationPath: join(annotationsDir, name) };
  });
  return limit === undefined ? documents : documents.slice(0, limit);
}

export async function loadFunsdDocument(document: FunsdDocument): Promise<LoadedFunsdDocument> {
  const [image, words] = await Promise.all([readFile(document.imagePath), readFunsdAnnotation(document.annotationPath)]);
  return { ...document, image, words };
}
