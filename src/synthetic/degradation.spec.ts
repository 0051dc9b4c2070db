import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { addNoise, applyAffine, CLEAN, gaussianBlur, pageTransform, quadToBox, sampleDegradation } from './degradation';
import { seededRandom } from './random';

describe('degradation', () => {
  it('maps the whole skewed, scaled page onto its canvas', () => {
    for (const angle of [-3, 0, 2.5]) {
      const { matrix, width, height } = pageTransform(850, 1100, { ...CLEAN, angle, scale: 0.6 });
      for (const corner of [[0, 0], [850, 0], [850, 1100], [0, 1100]] as Array<[number, number]>) {
        const [x, y] = applyAffine(matrix, corner);
        assert.ok(x >= -1e-6 && y >= -1e-6 && x <= width + 1e-6 && y <= height + 1e-6, `${angle}° ${corner} → ${x},${y}`);
      }
      if (angle === 0) assert.deepEqual([width, height], [510, 660]);
    }
  });

  it('boxes a mapped quad in whole pixels inside the image', () => {
    const { matrix, width, height } = pageTransform(100, 100, { ...CLEAN, angle: 0, scale: 2 });
    assert.deepEqual(quadToBox([[10, 10], [20, 10], [20, 15], [10, 15]], matrix, width, height), [20, 20, 40, 30]);
    assert.deepEqual(quadToBox([[95, 95], [120, 95], [120, 130], [95, 130]], matrix, width, height), [190, 190, 200, 200]);
  });

  it('blurs an impulse into its neighbours, keeps a flat image flat, and adds repeatable grey noise', () => {
    const flat = new Uint8ClampedArray(5 * 5 * 4).fill(200);
    gaussianBlur(flat, 5, 5, 1);
    assert.ok(flat.every((value) => value === 200));
    const impulse = new Uint8ClampedArray(5 * 5 * 4).fill(0);
    impulse[(2 * 5 + 2) * 4] = 255;
    gaussianBlur(impulse, 5, 5, 1);
    assert.ok(impulse[(2 * 5 + 2) * 4] < 255 && impulse[(2 * 5 + 3) * 4] > 0 && impulse[(2 * 5 + 3) * 4 + 1] === 0);
    const noisy = (seed: number) => {
      const pixels = new Uint8ClampedArray(16 * 4).fill(128);
      addNoise(pixels, 10, seededRandom(seed));
      return pixels;
    };
    assert.deepEqual(noisy(1), noisy(1));
    const pixels = noisy(1);
    assert.ok(pixels.some((value) => value !== 128));
    for (let i = 0; i < pixels.length; i += 4) assert.ok(pixels[i] === pixels[i + 1] && pixels[i] === pixels[i + 2]);
  });

  it('draws degradations within their ranges, the same from the same seed', () => {
    const rng = seededRandom(3);
    const samples = Array.from({ length: 300 }, () => sampleDegradation(rng));
    assert.deepEqual(sampleDegradation(seededRandom(9)), sampleDegradation(seededRandom(9)));
    assert.ok(samples.every((d) => Math.abs(d.angle) <= 3 && d.scale >= 0.55 && d.scale <= 1.2 && d.paper >= 200 && d.paper <= 255));
    for (const effect of ['blur', 'noise', 'speckles'] as const) assert.ok(samples.some((d) => d[effect] > 0) && samples.some((d) => d[effect] === 0), effect);
    assert.ok(samples.some((d) => d.jpegQuality !== undefined) && samples.some((d) => d.angle !== 0) && samples.some((d) => d.scale < 0.8));
  });
});
