import { PageWord, PixelBox } from '../common/document-types';

/** The part of tesseract's `blocks` output we read (blocks → paragraphs → lines → words). */
export interface OcrBbox {
  x0: number;
  y0: number;
  x1: number;
  y1: number;
}

export interface OcrWord {
  text: string;
  /** 0–100. */
  confidence: number;
  bbox: OcrBbox;
}

export interface OcrBlock {
  paragraphs: Array<{ lines: Array<{ words: OcrWord[] }> }>;
}

function clampBox(bbox: OcrBbox, page: { width: number; height: number }): PixelBox {
  const clampX = (x: number) => Math.min(Math.max(Math.round(x), 0), page.width);
  const clampY = (y: number) => Math.min(Math.max(Math.round(y), 0), page.height);
  const [x0, x1] = [clampX(bbox.x0), clampX(bbox.x1)].sort((a, b) => a - b);
  const [y0, y1] = [clampY(bbox.y0), clampY(bbox.y1)].sort((a, b) => a - b);
  return [x0, y0, x1, y1];
}

/**
 * Reading-order words with the text line as their segment: the model's segment-level boxes are OCR lines.
 * Lines left with no words (only whitespace) get no segment id, so ids stay contiguous from 0.
 */
export function wordsFromBlocks(blocks: OcrBlock[] | null, page: { width: number; height: number }): PageWord[] {
  const words: PageWord[] = [];
  let segment = 0;
  for (const block of blocks ?? []) {
    for (const paragraph of block.paragraphs) {
      for (const line of paragraph.lines) {
        const lineWords = line.words.filter((word) => word.text.trim() !== '');
        for (const word of lineWords) {
          const confidence = Math.min(Math.max(word.confidence / 100, 0), 1);
          words.push({ text: word.text.trim(), box: clampBox(word.bbox, page), confidence, segment });
        }
        if (lineWords.length > 0) segment += 1;
      }
    }
  }
  return words;
}
