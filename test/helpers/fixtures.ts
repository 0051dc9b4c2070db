import sharp from 'sharp';
import { crc32, deflateSync } from 'node:zlib';

/**
 * Test documents generated on the fly, so the repository ships no binary fixtures.
 * Text is rendered from SVG with the system's sans-serif font (DejaVu on the CI image).
 */

export interface FormLine {
  text: string;
  x?: number;
  y?: number;
}

const escapeXml = (text: string) => text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');

/** A white page with one text line per entry (32 px sans-serif), 70 px apart unless positioned. */
export async function renderFormPng(lines: Array<string | FormLine>, size = { width: 800, height: 100 + 70 * lines.length }): Promise<Buffer> {
  const texts = lines.map((line, i) => {
    const { text, x = 40, y = 70 + 70 * i } = typeof line === 'string' ? { text: line } : line;
    return `<text x="${x}" y="${y}" font-family="sans-serif" font-size="32" fill="black">${escapeXml(text)}</text>`;
  });
  const svg = `<svg xmlns="http://www.w3.org/2000/svg" width="${size.width}" height="${size.height}">
    <rect width="100%" height="100%" fill="white"/>${texts.join('')}</svg>`;
  return sharp(Buffer.from(svg)).png().toBuffer();
}

export function solidImage(width: number, height: number, colour = '#ffffff'): ReturnType<typeof sharp> {
  return sharp({ create: { width, height, channels: 3, background: colour } });
}

export async function solidPng(width: number, height: number, colour = '#ffffff'): Promise<Buffer> {
  return solidImage(width, height, colour).png().toBuffer();
}

/** A JPEG whose stored pixels are width×height but whose EXIF orientation says "rotate 90° clockwise". */
export async function rotatedJpeg(width: number, height: number): Promise<Buffer> {
  return solidImage(width, height, '#336699').jpeg().withMetadata({ orientation: 6 }).toBuffer();
}

export async function multiPageTiff(pageCount: number, width = 60, height = 40): Promise<Buffer> {
  const pages = await Promise.all(Array.from({ length: pageCount }, (_, i) => solidPng(width, height, i % 2 ? '#000000' : '#ffffff')));
  return sharp(pages, { join: { animated: true } }).tiff().toBuffer();
}

function pngChunk(type: string, data: Buffer): Buffer {
  const length = Buffer.alloc(4);
  length.writeUInt32BE(data.length);
  const typed = Buffer.concat([Buffer.from(type, 'latin1'), data]);
  const crc = Buffer.alloc(4);
  crc.writeUInt32BE(crc32(typed));
  return Buffer.concat([length, typed, crc]);
}

/** A well-formed PNG that merely claims width×height (e.g. 100000×100000): a decompression-bomb probe. */
export function pngWithHeader(width: number, height: number): Buffer {
  const header = Buffer.alloc(13);
  header.writeUInt32BE(width, 0);
  header.writeUInt32BE(height, 4);
  header[8] = 8; // bit depth
  header[9] = 2; // RGB
  return Buffer.concat([
    Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
    pngChunk('IHDR', header),
    pngChunk('IDAT', deflateSync(Buffer.alloc(16))),
    pngChunk('IEND', Buffer.alloc(0)),
  ]);
}

export interface BmpSpec {
  width: number;
  height: number;
  bitsPerPixel: 1 | 4 | 8 | 24 | 32;
  topDown?: boolean;
  compression?: number;
  palette?: Array<[number, number, number]>;
  /** Rows top first; each pixel an [r,g,b] (24/32-bit) or a palette index. */
  pixels: Array<Array<[number, number, number] | number>>;
}

/** Writes an uncompressed BMP with a 40-byte info header. */
export function encodeBmp(spec: BmpSpec): Buffer {
  const { width, height, bitsPerPixel } = spec;
  const rowBytes = Math.ceil((bitsPerPixel * width) / 32) * 4;
  const palette = spec.palette ?? [];
  const pixelOffset = 14 + 40 + palette.length * 4;
  const out = Buffer.alloc(pixelOffset + rowBytes * height);
  out.write('BM', 0, 'latin1');
  out.writeUInt32LE(out.length, 2);
  out.writeUInt32LE(pixelOffset, 10);
  out.writeUInt32LE(40, 14);
  out.writeInt32LE(width, 18);
  out.writeInt32LE(spec.topDown ? -height : height, 22);
  out.writeUInt16LE(1, 26);
  out.writeUInt16LE(bitsPerPixel, 28);
  out.writeUInt32LE(spec.compression ?? 0, 30);
  out.writeUInt32LE(palette.length, 46);
  palette.forEach(([r, g, b], i) => out.set([b, g, r, 0], 54 + i * 4));
  spec.pixels.forEach((row, y) => {
    const start = pixelOffset + (spec.topDown ? y : height - 1 - y) * rowBytes;
    row.forEach((pixel, x) => {
      if (typeof pixel === 'number') {
        const shift = 8 - bitsPerPixel * ((x % (8 / bitsPerPixel)) + 1);
        out[start + Math.floor((x * bitsPerPixel) / 8)] |= pixel << shift;
      } else {
        out.set([pixel[2], pixel[1], pixel[0]], start + x * (bitsPerPixel / 8));
      }
    });
  });
  return out;
}
