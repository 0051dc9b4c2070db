import { resizeBilinear, RgbRaster } from './raster';

/**
 * PP-OCR's text recogniser around the network: line crops resized to its input height and batched by width,
 * and CTC decoding that keeps, for every character, the output columns it came from, so words get boxes.
 */

/** The recogniser's input height. */
export const RECOGNITION_HEIGHT = 48;
/** Each output column covers this many input pixels; batch widths are multiples of it. */
export const RECOGNITION_STRIDE = 8;

export interface RecognitionBatchPlan {
  /** Indices into the crop list, narrowest first. */
  indices: number[];
  /** Input width of the batch: every crop is resized to height 48 and padded to this. */
  width: number;
}

export interface BatchingOptions {
  maxBatch: number;
  /** A batch closes before its widest crop would be this many times wider than its narrowest (less padding). */
  maxWidthSpread: number;
  /** Narrowest input width (PaddleOCR pads to at least 320). */
  minWidth: number;
  /** Widest input; longer lines are squeezed into it. */
  maxWidth: number;
}

export const BATCHING_DEFAULTS: BatchingOptions = { maxBatch: 8, maxWidthSpread: 1.3, minWidth: 64, maxWidth: 2400 };

const resizedWidthOf = (crop: { width: number; height: number }) => Math.max(1, Math.ceil((RECOGNITION_HEIGHT * crop.width) / crop.height));

/**
 * Crops sorted by aspect ratio and cut into batches of similar width, so each forward pass carries little
 * padding. Widths are multiples of the stride.
 */
export function planRecognitionBatches(crops: ReadonlyArray<{ width: number; height: number }>, options: BatchingOptions = BATCHING_DEFAULTS): RecognitionBatchPlan[] {
  const order = crops.map((_, i) => i).sort((a, b) => crops[a].width / crops[a].height - crops[b].width / crops[b].height);
  const groups: number[][] = [];
  for (const index of order) {
    const current = groups[groups.length - 1];
    const fits = current && current.length < options.maxBatch && resizedWidthOf(crops[index]) <= options.maxWidthSpread * resizedWidthOf(crops[current[0]]);
    if (fits) current.push(index);
    else groups.push([index]);
  }
  return groups.map((indices) => {
    const widest = resizedWidthOf(crops[indices[indices.length - 1]]);
    const width = Math.min(options.maxWidth, Math.max(options.minWidth, Math.ceil(widest / RECOGNITION_STRIDE) * RECOGNITION_STRIDE));
    return { indices, width };
  });
}

/** The NCHW batch (BGR, scaled to [−1, 1], zero padding on the right) and each crop's width inside it. */
export function recognitionTensor(crops: RgbRaster[], width: number): { tensor: Float32Array; resizedWidths: number[] } {
  const plane = RECOGNITION_HEIGHT * width;
  const tensor = new Float32Array(crops.length * 3 * plane);
  const resizedWidths: number[] = [];
  crops.forEach((crop, n) => {
    const resizedWidth = Math.min(width, resizedWidthOf(crop));
    resizedWidths.push(resizedWidth);
    const resized = resizeBilinear(crop, resizedWidth, RECOGNITION_HEIGHT);
    const base = n * 3 * plane;
    for (let y = 0; y < RECOGNITION_HEIGHT; y++) {
      for (let x = 0; x < resizedWidth; x++) {
        const from = (y * resizedWidth + x) * 3;
        const to = base + y * width + x;
        tensor[to] = resized.data[from + 2] / 127.5 - 1;
        tensor[to + plane] = resized.data[from + 1] / 127.5 - 1;
        tensor[to + 2 * plane] = resized.data[from] / 127.5 - 1;
      }
    }
  });
  return { tensor, resizedWidths };
}

/** Output classes: CTC blank, the model's characters (its character list, one per line), then space. */
export function recognitionVocabulary(characterList: string): string[] {
  const lines = characterList.split(/\r?\n/);
  if (lines[lines.length - 1] === '') lines.pop();
  return ['', ...lines, ' '];
}

export interface DecodedCharacter {
  text: string;
  probability: number;
  /** Output columns of this character's run (inclusive). */
  firstColumn: number;
  lastColumn: number;
}

/**
 * Greedy CTC over one crop's columns (columns × classes probabilities from `offset`): the best class per
 * column, runs merged, blanks dropped.
 */
export function decodeCtc(probabilities: Float32Array, offset: number, columns: number, classes: number, vocabulary: readonly string[]): DecodedCharacter[] {
  const characters: DecodedCharacter[] = [];
  let previous = -1;
  for (let t = 0; t < columns; t++) {
    const row = offset + t * classes;
    let best = 0;
    let bestProbability = probabilities[row];
    for (let k = 1; k < classes; k++) {
      const p = probabilities[row + k];
      if (p > bestProbability) {
        best = k;
        bestProbability = p;
      }
    }
    if (best !== 0 && best === previous) {
      const last = characters[characters.length - 1];
      last.lastColumn = t;
      last.probability = Math.max(last.probability, bestProbability);
    } else if (best !== 0) {
      characters.push({ text: vocabulary[best] ?? '', probability: bestProbability, firstColumn: t, lastColumn: t });
    }
    previous = best;
  }
  return characters;
}

export interface RecognizedWord {
  text: string;
  /** Mean character probability, 0–1. */
  confidence: number;
  /** Horizontal extent in the crop's own pixels. */
  left: number;
  right: number;
}

/**
 * Words of one decoded line with their horizontal extents in the crop (`columnWidth`: input pixels per output
 * column; `resizedWidth`: the crop's width in the input): split at spaces, and at gaps between characters wider
 * than `gapFactor` times the line's typical character pitch (the recogniser sometimes drops the space between
 * words set far apart). A character spans half a pitch either side of its columns' centre.
 */
export function wordsFromCharacters(
  characters: DecodedCharacter[],
  geometry: { columnWidth: number; resizedWidth: number; cropWidth: number },
  gapFactor = 3,
): RecognizedWord[] {
  const { columnWidth, resizedWidth, cropWidth } = geometry;
  const columnToCrop = (column: number) => (((column + 0.5) * columnWidth) / resizedWidth) * cropWidth;
  const glyphs = characters
    .map((c) => ({ ...c, centre: columnToCrop((c.firstColumn + c.lastColumn) / 2) }))
    .filter((c) => c.text !== '');
  const pitches: number[] = [];
  for (let i = 1; i < glyphs.length; i++) {
    if (glyphs[i].text !== ' ' && glyphs[i - 1].text !== ' ') pitches.push(glyphs[i].centre - glyphs[i - 1].centre);
  }
  pitches.sort((a, b) => a - b);
  const pitch = pitches.length > 0 ? pitches[Math.floor(pitches.length / 2)] : (columnWidth * 2 * cropWidth) / resizedWidth;

  const groups: Array<typeof glyphs> = [[]];
  for (const glyph of glyphs) {
    const current = groups[groups.length - 1];
    if (glyph.text.trim() === '') {
      if (current.length > 0) groups.push([]);
      continue;
    }
    const previous = current[current.length - 1];
    if (previous && glyph.centre - previous.centre > gapFactor * pitch) groups.push([glyph]);
    else current.push(glyph);
  }
  return groups
    .filter((group) => group.length > 0)
    .map((group) => ({
      text: group.map((g) => g.text).join(''),
      confidence: group.reduce((sum, g) => sum + g.probability, 0) / group.length,
      left: Math.max(0, group[0].centre - pitch / 2),
      right: Math.min(cropWidth, group[group.length - 1].centre + pitch / 2),
    }));
}
