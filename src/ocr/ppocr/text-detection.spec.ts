import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { createRaster } from './raster';
import { boxesFromProbabilityMap, convexHull, DB_DEFAULTS, detectionInput, detectionResize, detectionTensor, minAreaRectangle, orderCorners, readingOrder } from './text-detection';

/** A probability map with rectangles [x0, y0, x1, y1] (inclusive) at the given probabilities. */
function mapWith(width: number, height: number, regions: Array<[number, number, number, number, number]>): Float32Array {
  const map = new Float32Array(width * height);
  for (const [x0, y0, x1, y1, p] of regions) {
    for (let y = y0; y <= y1; y++) for (let x = x0; x <= x1; x++) map[y * width + x] = p;
  }
  return map;
}

describe('geometry', () => {
  it('hull drops interior points; minimum rectangle of a tilted bar is the bar', () => {
    assert.deepEqual(convexHull([[0, 0], [4, 0], [2, 1], [4, 3], [0, 3]]).length, 4);
    const angle = (10 * Math.PI) / 180;
    const corner = (u: number, v: number): [number, number] => [u * Math.cos(angle) - v * Math.sin(angle), u * Math.sin(angle) + v * Math.cos(angle)];
    const rectangle = minAreaRectangle(convexHull([corner(0, 0), corner(50, 0), corner(50, 8), corner(0, 8), corner(25, 4)]));
    const sides = [rectangle.along, rectangle.across].sort((a, b) => a - b);
    assert.ok(Math.abs(sides[0] - 8) < 1e-6 && Math.abs(sides[1] - 50) < 1e-6);
  });

  it('orders corners top-left, top-right, bottom-right, bottom-left', () => {
    assert.deepEqual(orderCorners([[9, 5], [1, 1], [1, 5], [9, 1]]), [[1, 1], [9, 1], [9, 5], [1, 5]]);
  });
});

describe('detectionInput and detectionTensor', () => {
  it('pads a page already at the size with white, scale 1; resizes otherwise, per axis', () => {
    const page = createRaster(48, 30);
    page.data.fill(10);
    const padded = detectionInput(page, 60);
    assert.deepEqual([padded.image.width, padded.image.height, padded.scaleX, padded.scaleY], [64, 32, 1, 1]);
    assert.equal(padded.image.data[(10 * 64 + 47) * 3], 10);
    assert.equal(padded.image.data[(10 * 64 + 48) * 3], 255);
    const enlarged = detectionInput(page, 96);
    assert.deepEqual([enlarged.image.width, enlarged.image.height], [96, 64]);
    assert.deepEqual([enlarged.scaleX, enlarged.scaleY], [0.5, 30 / 64]);
  });

  it('says which pages need resizing for the detector', () => {
    assert.equal(detectionResize(48, 30, 60), null);
    assert.deepEqual(detectionResize(754, 1000, 1504), { width: 1120, height: 1504 });
  });

  it('writes channels in BGR order scaled to [−1, 1]', () => {
    const image = createRaster(1, 1);
    image.data.set([255, 0, 51]);
    assert.deepEqual([...detectionTensor(image)].map((v) => Math.round(v * 100) / 100), [-0.6, -1, 1]);
  });
});

describe('boxesFromProbabilityMap', () => {
  it('finds a text region, grows it back to its full extent, and scales it to the page', () => {
    const map = mapWith(100, 60, [[20, 10, 59, 19, 0.9]]);
    const boxes = boxesFromProbabilityMap(map, { width: 100, height: 60, scaleX: 2, scaleY: 2 }, { width: 200, height: 120 });
    assert.equal(boxes.length, 1);
    const [[x0, y0], , [x1, y1]] = boxes[0].quad;
    // Dilated kernel: x 20–60, y 10–20 (pixel centres); grown by 40·10·1.6 / 100 = 6.4 on every side, then ×2.
    assert.deepEqual([x0, y0, x1, y1], [27, 7, 133, 53]);
    assert.ok(boxes[0].score > 0.75 && boxes[0].score < 0.9);
  });

  it('drops faint regions, slivers, and clips to the page', () => {
    const map = mapWith(100, 60, [[5, 5, 40, 15, 0.4], [50, 30, 90, 31, 0.95], [60, 45, 99, 59, 0.9]]);
    const boxes = boxesFromProbabilityMap(map, { width: 100, height: 60, scaleX: 1, scaleY: 1 }, { width: 100, height: 60 }, DB_DEFAULTS);
    assert.equal(boxes.length, 1);
    const xs = boxes[0].quad.map((p) => p[0]);
    const ys = boxes[0].quad.map((p) => p[1]);
    assert.ok(Math.max(...xs) <= 99 && Math.max(...ys) <= 59);
  });

  it('puts boxes in reading order: lines top to bottom, left to right within a line', () => {
    const box = (x: number, y: number) => ({ quad: [[x, y], [x + 10, y], [x + 10, y + 8], [x, y + 8]] as [number, number][], score: 1 });
    const ordered = readingOrder([box(50, 21), box(0, 0), box(40, 2), box(0, 20)] as never, 4);
    assert.deepEqual(ordered.map((b) => b.quad[0]), [[0, 0], [40, 2], [0, 20], [50, 21]]);
  });
});
