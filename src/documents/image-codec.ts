import sharp from 'sharp';
import { DomainError } from '../common/domain-error';

/**
 * The only file that imports sharp. Decoding (with limits and EXIF orientation) and the model-input
 * resize live here so every caller sees identical pixels.
 */

/** Resize a page (any format sharp reads) to size×size raw RGB, bilinear, no crop (aspect not kept). */
export async function resizeToRgb(input: Buffer | string, size: number): Promise<Buffer> {
  return sharp(input).removeAlpha().toColourspace('srgb').resize(size, size, { fit: 'fill', kernel: 'linear' }).raw().toBuffer();
}

/**
 * A page prepared for OCR, as PNG: enlarged `scale` times (bicubic; low-resolution scans) and, with `normalise`,
 * grey with its contrast stretched to the full range.
 */
export async function ocrInputPng(png: Buffer, width: number, height: number, options: { scale: number; normalise: boolean }): Promise<Buffer> {
  let image = sharp(png);
  if (options.scale !== 1) image = image.resize(Math.round(width * options.scale), Math.round(height * options.scale), { fit: 'fill', kernel: 'cubic' });
  if (options.normalise) image = image.greyscale().normalise();
  // Fast PNG compression: the image only travels to the OCR engine.
  return image.png({ compressionLevel: 1 }).toBuffer();
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

export interface ImageInfo {
  format: string;
  width: number;
  height: number;
  /** Pages (multi-page TIFF) or frames; 1 for single images. */
  pages: number;
}

/** Header only: no pixel limit here, so callers can reject a huge header with a clear error before decoding. */
export async function readImageInfo(input: Buffer): Promise<ImageInfo> {
  try {
    const metadata = await sharp(input, { limitInputPixels: false }).metadata();
    return { format: metadata.format, width: metadata.width ?? 0, height: metadata.height ?? 0, pages: metadata.pages ?? 1 };
  } catch (error) {
    throw new DomainError('DOCUMENT_UNREADABLE', `The image header cannot be read: ${(error as Error).message.trim()}`);
  }
}

/**
 * Decodes one page into the service's canonical page: EXIF orientation applied, transparency flattened onto
 * white (text on a transparent background must not turn black), 8-bit sRGB PNG. Truncated data fails.
 */
export async function decodePageToRgbPng(
  input: Buffer,
  page: number,
  maxPixels: number,
): Promise<{ png: Buffer; width: number; height: number }> {
  try {
    const { data, info } = await sharp(input, { page, limitInputPixels: maxPixels, failOn: 'warning' })
      .rotate()
      .flatten({ background: '#ffffff' })
      .toColourspace('srgb')
      .png({ compressionLevel: 1 })
      .toBuffer({ resolveWithObject: true });
    return { png: data, width: info.width, height: info.height };
  } catch (error) {
    const message = (error as Error).message.trim();
    if (/pixel limit/i.test(message)) {
      throw new DomainError('IMAGE_TOO_LARGE', `Page ${page + 1} exceeds the limit of ${maxPixels} pixels`, { page: page + 1, maxPixels });
    }
    throw new DomainError('DOCUMENT_UNREADABLE', `Page ${page + 1} cannot be decoded: ${message}`, { page: page + 1 });
  }
}

/** Raw interleaved RGB pixels of an image (for engines that work on pixels, e.g. PP-OCR's worker). */
export async function decodeToRgb(input: Buffer): Promise<{ data: Uint8Array; width: number; height: number }> {
  const { data, info } = await sharp(input).removeAlpha().toColourspace('srgb').raw().toBuffer({ resolveWithObject: true });
  return { data: new Uint8Array(data.buffer, data.byteOffset, data.length), width: info.width, height: info.height };
}
