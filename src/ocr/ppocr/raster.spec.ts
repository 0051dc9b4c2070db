import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { applyHomography, createRaster, cropQuad, homography, inkBox, Quad, resizeBilinear, RgbRaster } from './raster';

/** A raster whose red channel is x, green y and blue 7, so every pixel says where it came from. */
function coordinateRaster(width: number, height: number): RgbRaster {
  const raster = createRaster(width, height);
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) raster.data.set([x, y, 7], (y * width + x) * 3);
  }
  return raster;
}

const pixel = (raster: RgbRaster, x: number, y: number) => [...raster.data.subarray((y * raster.width + x) * 3, (y * raster.width + x) * 3 + 3)];

describe('resizeBilinear', () => {
  it('keeps an image of the same size and a flat colour at any size', () => {
    const source = coordinateRaster(5, 4);
    assert.deepEqual(resizeBilinear(source, 5, 4).data, source.data);
    const flat = createRaster(3, 3);
    flat.data.fill(90);
    assert.ok(resizeBilinear(flat, 8, 2).data.every((v) => v === 90));
  });

  it('interpolates between pixel centres and replicates the edges', () => {
    const source = coordinateRaster(2, 1);
    const wide = resizeBilinear(source, 4, 1);
    // Centres of the 4 target pixels fall at source x = -0.25, 0.25, 0.75, 1.25.
    assert.deepEqual([0, 1, 2, 3].map((x) => pixel(wide, x, 0)[0]), [0, 0, 1, 1]);
  });
});

describe('homography and cropQuad', () => {
  it('maps each corner onto its partner', () => {
    const from: Quad = [[0, 0], [10, 0], [10, 5], [0, 5]];
    const to: Quad = [[3, 4], [23, 6], [22, 16], [2, 14]];
    const h = homography(from, to);
    from.forEach((point, i) => {
      const [x, y] = applyHomography(h, point);
      assert.ok(Math.abs(x - to[i][0]) < 1e-9 && Math.abs(y - to[i][1]) < 1e-9);
    });
  });

  it('crops an upright box to exactly its pixels, mapped back to the page', () => {
    const page = coordinateRaster(40, 30);
    const crop = cropQuad(page, [[10, 5], [30, 5], [30, 15], [10, 15]]);
    assert.deepEqual([crop.raster.width, crop.raster.height], [20, 10]);
    assert.deepEqual(pixel(crop.raster, 0, 0), [10, 5, 7]);
    assert.deepEqual(pixel(crop.raster, 19, 9), [29, 14, 7]);
    assert.deepEqual(crop.toPage([20, 10]), [30, 15]);
  });

  it('turns a tall strip a quarter so it reads left to right, and maps its points back', () => {
    const page = coordinateRaster(40, 60);
    const crop = cropQuad(page, [[10, 0], [16, 0], [16, 40], [10, 40]]);
    assert.deepEqual([crop.raster.width, crop.raster.height], [40, 6]);
    // Counter-clockwise: the strip's top-right corner comes to the top-left.
    assert.deepEqual(pixel(crop.raster, 0, 0), [15, 0, 7]);
    const [x, y] = crop.toPage([0, 0]);
    assert.ok(Math.abs(x - 16) < 1e-9 && Math.abs(y) < 1e-9);
  });
});

describe('inkBox', () => {
  it('finds the dark pixels of a word inside its columns, ignoring ink outside them', () => {
    const crop = createRaster(30, 12);
    crop.data.fill(240);
    const ink = (x: number, y: number) => crop.data.set([20, 20, 20], (y * 30 + x) * 3);
    for (let x = 4; x <= 9; x++) for (let y = 3; y <= 8; y++) ink(x, y);
    ink(25, 0);
    assert.deepEqual(inkBox(crop, 2, 15), { x0: 4, y0: 3, x1: 10, y1: 9 });
  });

  it('is null for a region without contrast or without columns', () => {
    const crop = createRaster(10, 10);
    crop.data.fill(200);
    assert.equal(inkBox(crop, 0, 10), null);
    assert.equal(inkBox(crop, 5, 5), null);
  });
});
