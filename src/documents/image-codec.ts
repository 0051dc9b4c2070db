import sharp from 'sharp';

/**
 * The only file that imports sharp. Decoding (with limits and EXIF orientation) and the model-input
 * resize live here so every caller sees identical pixels.
 */

/** Resize a page (any format sharp reads) to size×size raw RGB, bilinear, no crop (aspect not kept). */
export async function resizeToRgb(input: Buffer | string, size: number): Promise<Buffer> {
  return sharp(input).removeAlpha().toColourspace('srgb').resize(size, size, { fit: 'fill', kernel: 'linear' }).raw().toBuffer();
}

/** Encode raw RGB pixels as PNG. */
export async function rgbToPng(rgb: Buffer, width: number, height: number): Promise<Buffer> {
  return sharp(rgb, { raw: { width, height, channels: 3 } }).png().toBuffer();
}

/** Any readable image → RGB PNG with EXIF orientation applied (used by `prepare` for originals). */
export async function toRgbPng(input: Buffer | string): Promise<{ png: Buffer; width: number; height: number }> {
  const { data, info } = await sharp(input).rotate().removeAlpha().toColourspace('srgb').png().toBuffer({ resolveWithObject: true });
  return { png: data, width: info.width, height: info.height };
}
