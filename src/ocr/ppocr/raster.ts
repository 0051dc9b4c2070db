/**
 * The pixel operations PP-OCR needs, on plain interleaved RGB bytes so they run inside a worker thread without
 * an image library: bilinear resizing, and cropping a (possibly tilted) text box into an upright strip with a
 * map back to page pixels.
 */

export interface RgbRaster {
  width: number;
  height: number;
  /** width × height × 3 bytes, row-major, R G B. */
  data: Uint8Array;
}

export type Point = [number, number];
/** Corners in order top-left, top-right, bottom-right, bottom-left. */
export type Quad = [Point, Point, Point, Point];

export function createRaster(width: number, height: number): RgbRaster {
  return { width, height, data: new Uint8Array(width * height * 3) };
}

/** Bilinear resize with pixel centres aligned (the convention of OpenCV's INTER_LINEAR), edges replicated. */
export function resizeBilinear(source: RgbRaster, width: number, height: number): RgbRaster {
  const target = createRaster(width, height);
  const scaleX = source.width / width;
  const scaleY = source.height / height;
  // Per target column: the byte offsets of its two source pixels and the weight of the right one.
  const left = new Int32Array(width);
  const right = new Int32Array(width);
  const weights = new Float32Array(width);
  for (let x = 0; x < width; x++) {
    const sx = Math.min(Math.max((x + 0.5) * scaleX - 0.5, 0), source.width - 1);
    const x0 = Math.floor(sx);
    left[x] = x0 * 3;
    right[x] = Math.min(x0 + 1, source.width - 1) * 3;
    weights[x] = sx - x0;
  }
  const src = source.data;
  const dst = target.data;
  for (let y = 0; y < height; y++) {
    const sy = Math.min(Math.max((y + 0.5) * scaleY - 0.5, 0), source.height - 1);
    const y0 = Math.floor(sy);
    const fy = sy - y0;
    const row0 = y0 * source.width * 3;
    const row1 = Math.min(y0 + 1, source.height - 1) * source.width * 3;
    let out = y * width * 3;
    for (let x = 0; x < width; x++) {
      const a = row0 + left[x];
      const b = row0 + right[x];
      const c = row1 + left[x];
      const d = row1 + right[x];
      const fx = weights[x];
      // Channels unrolled and rounded with | 0 (values are non-negative): this loop is most of PP-OCR's JavaScript.
      let top = src[a] + (src[b] - src[a]) * fx;
      dst[out++] = (top + (src[c] + (src[d] - src[c]) * fx - top) * fy + 0.5) | 0;
      top = src[a + 1] + (src[b + 1] - src[a + 1]) * fx;
      dst[out++] = (top + (src[c + 1] + (src[d + 1] - src[c + 1]) * fx - top) * fy + 0.5) | 0;
      top = src[a + 2] + (src[b + 2] - src[a + 2]) * fx;
      dst[out++] = (top + (src[c + 2] + (src[d + 2] - src[c + 2]) * fx - top) * fy + 0.5) | 0;
    }
  }
  return target;
}

/** The 3×3 projective map (row-major, last entry 1) taking each `from` corner onto the matching `to` corner. */
export function homography(from: Quad, to: Quad): number[] {
  // Eight equations in the eight unknowns h0..h7 (h8 = 1), solved by Gaussian elimination with pivoting.
  const rows: number[][] = [];
  for (let i = 0; i < 4; i++) {
    const [x, y] = from[i];
    const [u, v] = to[i];
    rows.push([x, y, 1, 0, 0, 0, -u * x, -u * y, u]);
    rows.push([0, 0, 0, x, y, 1, -v * x, -v * y, v]);
  }
  for (let col = 0; col < 8; col++) {
    let pivot = col;
    for (let r = col + 1; r < 8; r++) if (Math.abs(rows[r][col]) > Math.abs(rows[pivot][col])) pivot = r;
    if (Math.abs(rows[pivot][col]) < 1e-12) throw new Error('degenerate quadrilateral');
    [rows[col], rows[pivot]] = [rows[pivot], rows[col]];
    for (let r = 0; r < 8; r++) {
      if (r === col) continue;
      const factor = rows[r][col] / rows[col][col];
      for (let c = col; c < 9; c++) rows[r][c] -= factor * rows[col][c];
    }
  }
  return [...rows.map((row, i) => row[8] / row[i]), 1];
}

export function applyHomography(h: readonly number[], [x, y]: Point): Point {
  const w = h[6] * x + h[7] * y + h[8];
  return [(h[0] * x + h[1] * y + h[2]) / w, (h[3] * x + h[4] * y + h[5]) / w];
}

const distance = (a: Point, b: Point) => Math.hypot(a[0] - b[0], a[1] - b[1]);

export interface TextCrop {
  raster: RgbRaster;
  /** A point of the crop (its own pixel coordinates) → the page pixel it came from. */
  toPage(point: Point): Point;
}

/**
 * The box's pixels as an upright strip, as wide as its longer horizontal edge and as tall as its longer vertical
 * edge; a strip at least 1.5 times taller than wide is vertical text and is turned a quarter (counter-clockwise)
 * so it reads left to right.
 */
export function cropQuad(page: RgbRaster, quad: Quad): TextCrop {
  const width = Math.max(1, Math.round(Math.max(distance(quad[0], quad[1]), distance(quad[3], quad[2]))));
  const height = Math.max(1, Math.round(Math.max(distance(quad[0], quad[3]), distance(quad[1], quad[2]))));
  const upright: Quad = [[0, 0], [width, 0], [width, height], [0, height]];
  const cropToPage = homography(upright, quad);
  const strip = createRaster(width, height);
  const src = page.data;
  let out = 0;
  for (let v = 0; v < height; v++) {
    for (let u = 0; u < width; u++) {
      const [px, py] = applyHomography(cropToPage, [u, v]);
      const sx = Math.min(Math.max(px, 0), page.width - 1);
      const sy = Math.min(Math.max(py, 0), page.height - 1);
      const x0 = Math.floor(sx);
      const y0 = Math.floor(sy);
      const x1 = Math.min(x0 + 1, page.width - 1);
      const y1 = Math.min(y0 + 1, page.height - 1);
      const fx = sx - x0;
      const fy = sy - y0;
      const a = (y0 * page.width + x0) * 3;
      const b = (y0 * page.width + x1) * 3;
      const c = (y1 * page.width + x0) * 3;
      const d = (y1 * page.width + x1) * 3;
      for (let channel = 0; channel < 3; channel++) {
        const top = src[a + channel] + (src[b + channel] - src[a + channel]) * fx;
        const bottom = src[c + channel] + (src[d + channel] - src[c + channel]) * fx;
        strip.data[out++] = Math.round(top + (bottom - top) * fy);
      }
    }
  }
  if (height / width < 1.5) return { raster: strip, toPage: (point) => applyHomography(cropToPage, point) };
  return {
    raster: rotateCounterClockwise(strip),
    // Rotated strip (x, y) ← upright strip (width − y, x).
    toPage: ([x, y]) => applyHomography(cropToPage, [width - y, x]),
  };
}

function rotateCounterClockwise(source: RgbRaster): RgbRaster {
  const target = createRaster(source.height, source.width);
  for (let y = 0; y < target.height; y++) {
    for (let x = 0; x < target.width; x++) {
      const from = (x * source.width + (source.width - 1 - y)) * 3;
      const to = (y * target.width + x) * 3;
      target.data[to] = source.data[from];
      target.data[to + 1] = source.data[from + 1];
      target.data[to + 2] = source.data[from + 2];
    }
  }
  return target;
}

/**
 * The ink inside columns [left, right) of a text crop: the smallest box holding the pixels darker than midway
 * between the region's darkest and lightest grey, in crop pixels (right and bottom exclusive). Null when the
 * region has no contrast to speak of (< 32 grey levels) or no dark pixel.
 */
export function inkBox(crop: RgbRaster, left: number, right: number): { x0: number; y0: number; x1: number; y1: number } | null {
  const from = Math.max(0, Math.floor(left));
  const to = Math.min(crop.width, Math.ceil(right));
  if (to <= from) return null;
  const grey = (x: number, y: number) => {
    const i = (y * crop.width + x) * 3;
    return (crop.data[i] + crop.data[i + 1] + crop.data[i + 2]) / 3;
  };
  let darkest = 255;
  let lightest = 0;
  for (let y = 0; y < crop.height; y++) {
    for (let x = from; x < to; x++) {
      const g = grey(x, y);
      darkest = Math.min(darkest, g);
      lightest = Math.max(lightest, g);
    }
  }
  if (lightest - darkest < 32) return null;
  const threshold = (darkest + lightest) / 2;
  let x0 = Infinity, y0 = Infinity, x1 = -Infinity, y1 = -Infinity;
  for (let y = 0; y < crop.height; y++) {
    for (let x = from; x < to; x++) {
      if (grey(x, y) >= threshold) continue;
      x0 = Math.min(x0, x); x1 = Math.max(x1, x);
      y0 = Math.min(y0, y); y1 = Math.max(y1, y);
    }
  }
  return x0 === Infinity ? null : { x0, y0, x1: x1 + 1, y1: y1 + 1 };
}
