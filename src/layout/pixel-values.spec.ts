import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { toPixelValues } from './pixel-values';

describe('toPixelValues', () => {
  it('turns interleaved RGB into normalised CHW planes', () => {
    // 2×2 image: pixels (R,G,B) = (0,255,51), (255,0,102), (51,102,0), (255,255,255)
    const rgb = Buffer.from([0, 255, 51, 255, 0, 102, 51, 102, 0, 255, 255, 255]);
    const values = toPixelValues(rgb, 2, [0.5, 0.5, 0.5], [0.5, 0.5, 0.5]);
    const expected = [0, 255, 51, 255, 255, 0, 102, 255, 51, 102, 0, 255].map((v) => (v / 255 - 0.5) / 0.5);
    assert.equal(values.length, 12);
    values.forEach((value, i) => assert.ok(Math.abs(value - expected[i]) < 1e-6, `index ${i}: ${value} ≠ ${expected[i]}`));
  });

  it('uses each channel its own mean and std', () => {
    const values = toPixelValues(Buffer.from([255, 255, 255]), 1, [0.485, 0.456, 0.406], [0.229, 0.224, 0.225]);
    assert.ok(Math.abs(values[0] - (1 - 0.485) / 0.229) < 1e-6);
    assert.ok(Math.abs(values[2] - (1 - 0.406) / 0.225) < 1e-6);
  });

  it('rejects a buffer of the wrong size', () => {
    assert.throws(() => toPixelValues(Buffer.alloc(11), 2, [0, 0, 0], [1, 1, 1]), /expected 12 bytes/);
  });
});
