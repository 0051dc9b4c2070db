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

/** The default of both OCR callers: the service (AppConfig.ocrUpscaleToLongSide) and offline `prepare`. */
export const DEFAULT_OCR_UPSCALE_TO_LONG_SIDE = 2000;

/**
 * How many times to enlarge a page before tesseract: up to `maxFactor`, so its long side reaches `targetLongSide`
 * pixels; 1 for pages already that large, or when `targetLongSide` is 0 (off). tesseract reads ~100 dpi scans
 * (FUNSD: 1000 px long side) much better at twice the size (docs/evaluation.md, `--dataset funsd-ocr`).
 */
export function ocrScaleFactor(page: { width: number; height: number }, targetLongSide: number, maxFactor = 2): number {
  const longSide = Math.max(page.width, page.height);
  if (targetLongSide <= 0 || longSide <= 0 || longSide >= targetLongSide) return 1;
  return Math.min(maxFactor, targetLongSide / longSide);
}

/** Blocks read on an image enlarged `scale` times, with their boxes mapped back to the original's pixels. */
export function shrinkBlocks(blocks: OcrBlock[] | null, scale: number): OcrBlock[] | null {
  if (!blocks || scale === 1) return blocks;
  const shrink = (bbox: OcrBbox): OcrBbox => ({ x0: bbox.x0 / scale, y0: bbox.y0 / scale, x1: bbox.x1 / scale, y1: bbox.y1 / scale });
  return blocks.map((block) => ({
    paragraphs: block.paragraphs.map((paragraph) => ({
      lines: paragraph.lines.map((line) => ({ words: line.words.map((word) => ({ ...word, bbox: shrink(word.bbox) })) })),
    })),
  }));
}
