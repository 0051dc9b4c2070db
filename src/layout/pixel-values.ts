/**
 * Raw interleaved RGB (size×size×3, from `resizeToRgb`) → planar CHW float32, scaled to [0,1] then
 * (x − mean)/std per channel, as the model bundle's `pixel_values` input expects.
 */
export function toPixelValues(rgb: Buffer, size: number, mean: readonly number[], std: readonly number[]): Float32Array {
  const planeSize = size * size;
  if (rgb.length !== planeSize * 3) {
    throw new Error(`expected ${planeSize * 3} bytes of RGB for ${size}×${size}, got ${rgb.length}`);
  }
  if (mean.length !== 3 || std.length !== 3 || std.some((value) => value === 0)) {
    throw new Error('mean and std need 3 values each, std non-zero');
  }
  const values = new Float32Array(planeSize * 3);
  for (let channel = 0; channel < 3; channel++) {
    const plane = channel * planeSize;
    for (let pixel = 0; pixel < planeSize; pixel++) {
      values[plane + pixel] = (rgb[pixel * 3 + channel] / 255 - mean[channel]) / std[channel];
    }
  }
  return values;
}
