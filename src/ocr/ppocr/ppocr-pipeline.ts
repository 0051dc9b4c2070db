import { DEFAULT_PPOCR_DETECT_LONG_SIDE } from '../ocr-engine';
import { OcrBlock, OcrWord } from '../ocr-words';
import { cropQuad, inkBox, RgbRaster, TextCrop } from './raster';
import { boxesFromProbabilityMap, DB_DEFAULTS, detectionInput, DetectionOptions, detectionTensor, readingOrder } from './text-detection';
import {
  BATCHING_DEFAULTS,
  BatchingOptions,
  decodeCtc,
  planRecognitionBatches,
  RecognizedWord,
  recognitionTensor,
  wordsFromCharacters,
} from './text-recognition';

/**
 * One page through PP-OCR: detect text lines, crop each upright, recognise them in width-sorted batches, and
 * return them as OCR blocks (one detected line = one block with one line, words with page-pixel boxes), the shape
 * `wordsFromBlocks` reads for both engines. The networks are behind `PpocrNetworks` so this runs without ONNX.
 */

export interface PpocrNetworks {
  /** NCHW 1×3×height×width → probability map 1×1×height×width. */
  detect(input: Float32Array, width: number, height: number): Promise<Float32Array>;
  /** NCHW batch×3×48×width → batch × columns × classes probabilities. */
  recognize(input: Float32Array, batch: number, width: number): Promise<{ probabilities: Float32Array; columns: number; classes: number }>;
}

export interface PpocrSettings {
  /** Long side of the detector's input: ~100 dpi scans are found better at about twice their size. */
  detectionLongSide: number;
  detection: DetectionOptions;
  batching: BatchingOptions;
  /** Lines whose mean character probability is lower are dropped (PaddleOCR's text score). */
  minLineScore: number;
  /**
   * Word boxes are shrunk to their ink and padded by this many page pixels (FUNSD's gold boxes sit close around
   * the ink); negative = keep the recogniser's extent at the full line height.
   */
  inkPadding: number;
}

export const PPOCR_DEFAULTS: PpocrSettings = {
  detectionLongSide: DEFAULT_PPOCR_DETECT_LONG_SIDE,
  detection: DB_DEFAULTS,
  batching: BATCHING_DEFAULTS,
  minLineScore: 0.5,
  inkPadding: 2,
};

export async function readTextLines(
  page: RgbRaster,
  networks: PpocrNetworks,
  vocabulary: readonly string[],
  settings: PpocrSettings = PPOCR_DEFAULTS,
): Promise<OcrBlock[]> {
  const input = detectionInput(page, settings.detectionLongSide);
  const { width, height } = input.image;
  const map = await networks.detect(detectionTensor(input.image), width, height);
  const boxes = boxesFromProbabilityMap(map, { width, height, scaleX: input.scaleX, scaleY: input.scaleY }, page, settings.detection);
  const heights = boxes.map((box) => box.quad[3][1] - box.quad[0][1]).sort((a, b) => a - b);
  const ordered = readingOrder(boxes, heights.length > 0 ? heights[Math.floor(heights.length / 2)] / 2 : 0);
  const crops = ordered.map((box) => cropQuad(page, box.quad));

  const lines: OcrWord[][] = crops.map(() => []);
  for (const plan of planRecognitionBatches(crops.map((crop) => crop.raster), settings.batching)) {
    const rasters = plan.indices.map((i) => crops[i].raster);
    const { tensor, resizedWidths } = recognitionTensor(rasters, plan.width);
    const output = await networks.recognize(tensor, rasters.length, plan.width);
    plan.indices.forEach((cropIndex, n) => {
      const offset = n * output.columns * output.classes;
      const columnWidth = plan.width / output.columns;
      // Columns over the zero padding right of a short crop carry no text.
      const usedColumns = Math.min(output.columns, Math.ceil(resizedWidths[n] / columnWidth) + 1);
      const characters = decodeCtc(output.probabilities, offset, usedColumns, output.classes, vocabulary);
      const printed = characters.filter((c) => c.text.trim() !== '');
      const lineScore = printed.reduce((sum, c) => sum + c.probability, 0) / Math.max(1, printed.length);
      if (printed.length === 0 || lineScore < settings.minLineScore) return;
      const crop = crops[cropIndex];
      const geometry = { columnWidth, resizedWidth: resizedWidths[n], cropWidth: crop.raster.width };
      lines[cropIndex] = wordsFromCharacters(characters, geometry).map((word) => toOcrWord(word, crop, settings.inkPadding));
    });
  }
  return lines.filter((words) => words.length > 0).map((words) => ({ paragraphs: [{ lines: [{ words }] }] }));
}

function toOcrWord(word: RecognizedWord, crop: TextCrop, inkPadding: number): OcrWord {
  let box = { x0: word.left, y0: 0, x1: word.right, y1: crop.raster.height };
  const ink = inkPadding >= 0 ? inkBox(crop.raster, word.left, word.right) : null;
  if (ink) {
    box = {
      x0: Math.max(0, ink.x0 - inkPadding),
      y0: Math.max(0, ink.y0 - inkPadding),
      x1: Math.min(crop.raster.width, ink.x1 + inkPadding),
      y1: Math.min(crop.raster.height, ink.y1 + inkPadding),
    };
  }
  const corners = [crop.toPage([box.x0, box.y0]), crop.toPage([box.x1, box.y0]), crop.toPage([box.x1, box.y1]), crop.toPage([box.x0, box.y1])];
  const xs = corners.map((p) => p[0]);
  const ys = corners.map((p) => p[1]);
  return {
    text: word.text,
    confidence: word.confidence * 100,
    bbox: { x0: Math.min(...xs), y0: Math.min(...ys), x1: Math.max(...xs), y1: Math.max(...ys) },
  };
}
