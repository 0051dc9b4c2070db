import { readFile } from 'node:fs/promises';
import { PageImage } from '../common/document-types';
import { parseClientWords } from '../documents/client-words';
import { decodeDocument } from '../documents/document-decoder';
import { chooseWords } from '../documents/words-source';
import { LayoutWord } from '../layout';
import { Recognize } from './ocr-recognizer';

/** A decoded page and its words (given in the manifest, from a PDF text layer, or OCR'd). */
export interface DocumentPage {
  image: PageImage;
  words: LayoutWord[];
}

/** Decoded pages with words for an image path and its manifest words (absent → OCR); `source` names the entry in errors. */
export type LoadPages = (imagePath: string, words: unknown, source: string) => Promise<DocumentPage[]>;

/** Offline preparation reads larger documents than the service accepts by default. */
const PREPARE_LIMITS = { maxPixels: 100_000_000, maxPages: 1000 };
const MAX_WORDS_PER_PAGE = 100_000;

function prefixed(source: string, error: unknown): Error {
  return new Error(`${source}: ${(error as Error).message}`);
}

/**
 * A document file (every page of a multi-page TIFF or PDF) with its words: client words as the API takes them,
 * else the PDF text layer, else OCR.
 * `recognize` is only called when a document has no words, so a fully worded manifest never starts OCR.
 */
export async function loadDocumentPages(imagePath: string, words: unknown, source: string, recognize: () => Recognize): Promise<DocumentPage[]> {
  let pages: PageImage[];
  try {
    pages = await decodeDocument(await readFile(imagePath), PREPARE_LIMITS);
  } catch (error) {
    throw prefixed(`${source}: ${imagePath}`, error);
  }
  if (words !== undefined) {
    let pageWords;
    try {
      pageWords = parseClientWords(words, pages, MAX_WORDS_PER_PAGE, pages.length);
    } catch (error) {
      throw prefixed(source, error);
    }
    return pages.map((image, index) => ({ image, words: pageWords[index].map(({ text, box, segment }) => ({ text, box, segment })) }));
  }
  const result: DocumentPage[] = [];
  for (const image of pages) {
    // The service's rule (documents/words-source.ts): a PDF page's text layer, else OCR.
    const chosen = chooseWords(image, undefined);
    const found = chosen.source === 'ocr' ? await recognize()(image) : chosen.words;
    result.push({ image, words: found.map(({ text, box, segment }) => ({ text, box, segment })) });
  }
  return result;
}
