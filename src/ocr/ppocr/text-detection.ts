import { createRaster, Point, Quad, resizeBilinear, RgbRaster } from './raster';

/**
 * PP-OCR's text detector around the network: the input tensor, and DB post-processing of its probability map
 * (threshold, connected regions, minimum-area rectangles, box score, "unclip" back to the full text extent).
 * Parameters follow PaddleOCR's DB defaults.
 */

export interface DetectionOptions {
  /** A pixel is text when its probability exceeds this. */
  threshold: number;
  /** A region is kept when its mean probability reaches this. */
  boxThreshold: number;
  /** How far a shrunk text kernel is grown back: distance = area × ratio / perimeter. */
  unclipRatio: number;
  maxCandidates: number;
  /** Regions whose short side is under this many map pixels are noise. */
  minSize: number;
}

export const DB_DEFAULTS: DetectionOptions = { threshold: 0.3, boxThreshold: 0.5, unclipRatio: 1.6, maxCandidates: 1000, minSize: 3 };

export interface DetectedBox {
  /** In page pixels, corners top-left, top-right, bottom-right, bottom-left. */
  quad: Quad;
  /** Mean text probability inside the region, 0–1. */
  score: number;
}

export interface DetectionInput {
  /** Sides are multiples of 32 (the network's stride). */
  image: RgbRaster;
  /** Page pixels per input pixel, across and down (rounding each side to 32 changes the aspect slightly). */
  scaleX: number;
  scaleY: number;
}

/**
 * The size a page is resized to for the detector: its long side `longSide`, sides rounded to multiples of 32;
 * null when the page is already within 32 pixels of that (it is padded instead, no resampling).
 */
export function detectionResize(width: number, height: number, longSide: number): { width: number; height: number } | null {
  const pageLongSide = Math.max(width, height);
  if (Math.abs(pageLongSide - longSide) < 32) return null;
  const ratio = longSide / pageLongSide;
  const round32 = (side: number) => Math.max(32, Math.round((side * ratio) / 32) * 32);
  return { width: round32(width), height: round32(height) };
}

/**
 * The detector's input for a page: the page resized (bilinear) as detectionResize says, or padded with white to
 * multiples of 32. (sharp's linear and cubic resizing, tried instead, read 0.8 and 0.3 text F1 points worse on
 * FUNSD train pages.)
 */
export function detectionInput(page: RgbRaster, longSide: number): DetectionInput {
  const size = detectionResize(page.width, page.height, longSide);
  if (size) {
    const image = resizeBilinear(page, size.width, size.height);
    return { image, scaleX: page.width / image.width, scaleY: page.height / image.height };
  }
  const ceil32 = (side: number) => Math.max(32, Math.ceil(side / 32) * 32);
  const image = createRaster(ceil32(page.width), ceil32(page.height));
  image.data.fill(255);
  for (let y = 0; y < page.height; y++) image.data.set(page.data.subarray(y * page.width * 3, (y + 1) * page.width * 3), y * image.width * 3);
  return { image, scaleX: 1, scaleY: 1 };
}

/** NCHW float input, channels in BGR order (the models were trained on OpenCV-decoded images), scaled to [−1, 1]. */
export function detectionTensor(image: RgbRaster): Float32Array {
  const plane = image.width * image.height;
  const tensor = new Float32Array(3 * plane);
  for (let i = 0; i < plane; i++) {
    tensor[i] = image.data[i * 3 + 2] / 127.5 - 1;
    tensor[plane + i] = image.data[i * 3 + 1] / 127.5 - 1;
    tensor[2 * plane + i] = image.data[i * 3] / 127.5 - 1;
  }
  return tensor;
}

interface Rectangle {
  center: Point;
  /** Unit vector along the first side. */
  axis: Point;
  /** Length along `axis` and across it. */
  along: number;
  across: number;
}

/** Convex hull (Andrew's monotone chain), counter-clockwise in image coordinates, no collinear points. */
export function convexHull(points: Point[]): Point[] {
  const sorted = [...points].sort((a, b) => a[0] - b[0] || a[1] - b[1]);
  if (sorted.length <= 2) return sorted;
  const cross = (o: Point, a: Point, b: Point) => (a[0] - o[0]) * (b[1] - o[1]) - (a[1] - o[1]) * (b[0] - o[0]);
  const lower: Point[] = [];
  for (const point of sorted) {
    while (lower.length >= 2 && cross(lower[lower.length - 2], lower[lower.length - 1], point) <= 0) lower.pop();
    lower.push(point);
  }
  const upper: Point[] = [];
  for (let i = sorted.length - 1; i >= 0; i--) {
    while (upper.length >= 2 && cross(upper[upper.length - 2], upper[upper.length - 1], sorted[i]) <= 0) upper.pop();
    upper.push(sorted[i]);
  }
  return [...lower.slice(0, -1), ...upper.slice(0, -1)];
}

/** Minimum-area enclosing rectangle of a convex hull: one of its sides lies along a hull edge. */
export function minAreaRectangle(hull: Point[]): Rectangle {
  if (hull.length === 1) return { center: hull[0], axis: [1, 0], along: 0, across: 0 };
  let best: Rectangle | undefined;
  let bestArea = Infinity;
  for (let i = 0; i < hull.length; i++) {
    const a = hull[i];
    const b = hull[(i + 1) % hull.length];
    const length = Math.hypot(b[0] - a[0], b[1] - a[1]);
    if (length === 0) continue;
    const axis: Point = [(b[0] - a[0]) / length, (b[1] - a[1]) / length];
    let minU = Infinity, maxU = -Infinity, minV = Infinity, maxV = -Infinity;
    for (const [x, y] of hull) {
      const u = x * axis[0] + y * axis[1];
      const v = -x * axis[1] + y * axis[0];
      minU = Math.min(minU, u); maxU = Math.max(maxU, u);
      minV = Math.min(minV, v); maxV = Math.max(maxV, v);
    }
    const area = (maxU - minU) * (maxV - minV);
    if (area < bestArea - 1e-9) {
      bestArea = area;
      const cu = (minU + maxU) / 2;
      const cv = (minV + maxV) / 2;
      best = { center: [cu * axis[0] - cv * axis[1], cu * axis[1] + cv * axis[0]], axis, along: maxU - minU, across: maxV - minV };
    }
  }
  return best ?? { center: hull[0], axis: [1, 0], along: 0, across: 0 };
}

function corners(rectangle: Rectangle): Point[] {
  const [cx, cy] = rectangle.center;
  const [ax, ay] = rectangle.axis;
  const hu = rectangle.along / 2;
  const hv = rectangle.across / 2;
  return [
    [cx - ax * hu + ay * hv, cy - ay * hu - ax * hv],
    [cx + ax * hu + ay * hv, cy + ay * hu - ax * hv],
    [cx + ax * hu - ay * hv, cy + ay * hu + ax * hv],
    [cx - ax * hu - ay * hv, cy - ay * hu + ax * hv],
  ];
}

/** Top-left, top-right, bottom-right, bottom-left: the two leftmost points are the left side, each side by y. */
export function orderCorners(points: Point[]): Quad {
  const byX = [...points].sort((a, b) => a[0] - b[0] || a[1] - b[1]);
  const [tl, bl] = byX.slice(0, 2).sort((a, b) => a[1] - b[1]);
  const [tr, br] = byX.slice(2, 4).sort((a, b) => a[1] - b[1]);
  return [tl, tr, br, bl];
}

function insideConvexQuad(quad: Quad, x: number, y: number): boolean {
  let sign = 0;
  for (let i = 0; i < 4; i++) {
    const [ax, ay] = quad[i];
    const [bx, by] = quad[(i + 1) % 4];
    const cross = (bx - ax) * (y - ay) - (by - ay) * (x - ax);
    if (Math.abs(cross) < 1e-9) continue;
    if (sign === 0) sign = Math.sign(cross);
    else if (Math.sign(cross) !== sign) return false;
  }
  return true;
}

/** Mean probability over the map pixels inside the rectangle (PaddleOCR's "fast" score). */
function boxScore(probabilities: Float32Array, mapWidth: number, mapHeight: number, quad: Quad): number {
  const xs = quad.map((p) => p[0]);
  const ys = quad.map((p) => p[1]);
  const x0 = Math.min(Math.max(Math.floor(Math.min(...xs)), 0), mapWidth - 1);
  const x1 = Math.min(Math.max(Math.ceil(Math.max(...xs)), 0), mapWidth - 1);
  const y0 = Math.min(Math.max(Math.floor(Math.min(...ys)), 0), mapHeight - 1);
  const y1 = Math.min(Math.max(Math.ceil(Math.max(...ys)), 0), mapHeight - 1);
  let sum = 0;
  let count = 0;
  for (let y = y0; y <= y1; y++) {
    for (let x = x0; x <= x1; x++) {
      if (!insideConvexQuad(quad, x, y)) continue;
      sum += probabilities[y * mapWidth + x];
      count += 1;
    }
  }
  return count === 0 ? 0 : sum / count;
}

/** Per connected region (8-neighbours) of the bitmap, each row's leftmost and rightmost pixel: enough for the hull. */
function regionOutlines(bitmap: Uint8Array, width: number, height: number, limit: number): Point[][] {
  const labels = new Int32Array(width * height).fill(-1);
  const outlines: Point[][] = [];
  const stack: number[] = [];
  for (let start = 0; start < bitmap.length && outlines.length < limit; start++) {
    if (!bitmap[start] || labels[start] >= 0) continue;
    const label = outlines.length;
    const rowMin = new Map<number, number>();
    const rowMax = new Map<number, number>();
    labels[start] = label;
    stack.push(start);
    while (stack.length > 0) {
      const index = stack.pop()!;
      const x = index % width;
      const y = (index - x) / width;
      if (!rowMin.has(y) || x < rowMin.get(y)!) rowMin.set(y, x);
      if (!rowMax.has(y) || x > rowMax.get(y)!) rowMax.set(y, x);
      for (let dy = -1; dy <= 1; dy++) {
        const ny = y + dy;
        if (ny < 0 || ny >= height) continue;
        for (let dx = -1; dx <= 1; dx++) {
          const nx = x + dx;
          if (nx < 0 || nx >= width) continue;
          const neighbour = ny * width + nx;
          if (bitmap[neighbour] && labels[neighbour] < 0) {
            labels[neighbour] = label;
            stack.push(neighbour);
          }
        }
      }
    }
    const outline: Point[] = [];
    for (const [y, x] of rowMin) outline.push([x, y], [rowMax.get(y)!, y]);
    outlines.push(outline);
  }
  return outlines;
}

/**
 * Text boxes from the detector's probability map (mapWidth × mapHeight), in the pixels of the page it was
 * computed for (`scaleX`, `scaleY` page pixels per map pixel), clipped to the page.
 */
export function boxesFromProbabilityMap(
  probabilities: Float32Array,
  map: { width: number; height: number; scaleX: number; scaleY: number },
  page: { width: number; height: number },
  options: DetectionOptions = DB_DEFAULTS,
): DetectedBox[] {
  const { width: mapWidth, height: mapHeight } = map;
  // Threshold, then dilate by a 2×2 square (joins strokes split by one pixel).
  const text = new Uint8Array(mapWidth * mapHeight);
  for (let i = 0; i < text.length; i++) text[i] = probabilities[i] > options.threshold ? 1 : 0;
  const bitmap = new Uint8Array(mapWidth * mapHeight);
  for (let y = 0; y < mapHeight; y++) {
    for (let x = 0; x < mapWidth; x++) {
      const i = y * mapWidth + x;
      const left = x > 0 ? text[i - 1] : 0;
      const up = y > 0 ? text[i - mapWidth] | (x > 0 ? text[i - mapWidth - 1] : 0) : 0;
      bitmap[i] = text[i] | left | up;
    }
  }
  const boxes: DetectedBox[] = [];
  for (const outline of regionOutlines(bitmap, mapWidth, mapHeight, options.maxCandidates)) {
    const kernel = minAreaRectangle(convexHull(outline));
    if (Math.min(kernel.along, kernel.across) < options.minSize) continue;
    const score = boxScore(probabilities, mapWidth, mapHeight, orderCorners(corners(kernel)));
    if (score < options.boxThreshold) continue;
    // Growing a rectangle by d on every side (PaddleOCR offsets the polygon with round joins; the minimum-area
    // rectangle of that is the same).
    const grow = (kernel.along * kernel.across * options.unclipRatio) / (2 * (kernel.along + kernel.across));
    const grown: Rectangle = { ...kernel, along: kernel.along + 2 * grow, across: kernel.across + 2 * grow };
    if (Math.min(grown.along, grown.across) < options.minSize + 2) continue;
    const toPage = ([x, y]: Point): Point => [
      Math.min(Math.max(Math.round(x * map.scaleX), 0), page.width - 1),
      Math.min(Math.max(Math.round(y * map.scaleY), 0), page.height - 1),
    ];
    const quad = orderCorners(corners(grown).map(toPage));
    const side = (a: Point, b: Point) => Math.trunc(Math.hypot(a[0] - b[0], a[1] - b[1]));
    if (side(quad[0], quad[1]) <= 3 || side(quad[0], quad[3]) <= 3) continue;
    boxes.push({ quad, score });
  }
  return boxes;
}

/**
 * Reading order: boxes whose tops lie within `lineTolerance` pixels of the previous box's top form one line,
 * lines top to bottom, boxes in a line left to right.
 */
export function readingOrder(boxes: DetectedBox[], lineTolerance: number): DetectedBox[] {
  const byTop = [...boxes].sort((a, b) => a.quad[0][1] - b.quad[0][1]);
  const lines: DetectedBox[][] = [];
  let previousTop = -Infinity;
  for (const box of byTop) {
    if (lines.length === 0 || box.quad[0][1] - previousTop >= lineTolerance) lines.push([]);
    lines[lines.length - 1].push(box);
    previousTop = box.quad[0][1];
  }
  return lines.flatMap((line) => line.sort((a, b) => a.quad[0][0] - b.quad[0][0]));
}
