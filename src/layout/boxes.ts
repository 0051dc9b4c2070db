import { DomainError } from '../common/domain-error';
import { PixelBox } from '../common/document-types';

/** A box in the model's 0–1000 page coordinates: [x0, y0, x1, y1]. */
export type Box = [number, number, number, number];

export interface PageSize {
  width: number;
  height: number;
}

export const BOX_SCALE = 1000;
export const EMPTY_BOX: Box = [0, 0, 0, 0];

/** Throws INVALID_WORDS unless the box is four finite numbers with x0 ≤ x1 and y0 ≤ y1. */
export function assertPixelBox(box: unknown, where: string): asserts box is PixelBox {
  if (!Array.isArray(box) || box.length !== 4 || !box.every((value) => typeof value === 'number' && Number.isFinite(value))) {
    throw new DomainError('INVALID_WORDS', `${where}: expected 4 finite numbers`, { box });
  }
  const [x0, y0, x1, y1] = box as number[];
  if (x0 > x1 || y0 > y1) {
    throw new DomainError('INVALID_WORDS', `${where}: expected x0 ≤ x1 and y0 ≤ y1`, { box });
  }
}

function assertPageSize(page: PageSize): void {
  if (!(page.width > 0 && page.height > 0 && Number.isFinite(page.width) && Number.isFinite(page.height))) {
    throw new DomainError('INVALID_WORDS', 'page size must be positive', { width: page.width, height: page.height });
  }
}

function scaleCoordinate(value: number, extent: number): number {
  return Math.min(BOX_SCALE, Math.max(0, Math.floor((BOX_SCALE * value) / extent)));
}

/** Pixel box → 0–1000 page coordinates: floor(1000·x/W), floor(1000·y/H), clipped to [0, 1000]. */
export function normaliseBox(box: PixelBox, page: PageSize): Box {
  assertPageSize(page);
  assertPixelBox(box, 'box');
  return [
    scaleCoordinate(box[0], page.width),
    scaleCoordinate(box[1], page.height),
    scaleCoordinate(box[2], page.width),
    scaleCoordinate(box[3], page.height),
  ];
}

/** Smallest box containing both. */
export function unionBox(a: PixelBox, b: PixelBox): PixelBox {
  return [Math.min(a[0], b[0]), Math.min(a[1], b[1]), Math.max(a[2], b[2]), Math.max(a[3], b[3])];
}

/** Union box of each segment's words, keyed by segment id. */
export function segmentBoxes(words: ReadonlyArray<{ box: PixelBox; segment: number }>): Map<number, PixelBox> {
  const boxes = new Map<number, PixelBox>();
  for (const word of words) {
    const current = boxes.get(word.segment);
    boxes.set(word.segment, current ? unionBox(current, word.box) : [...word.box]);
  }
  return boxes;
}
