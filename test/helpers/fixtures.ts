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

export type Box = [number, number, number, number];

/**
 * Where renderFormPng draws the words of line `line` when the text starts at `x`, closely enough for layout
 * tokens (18 px a character), and where the text ends.
 */
export function wordsOnLine(text: string, line: number, x = 40): { words: Array<{ text: string; box: Box }>; end: number } {
  const words = text.split(' ').map((word) => {
    const box: Box = [x, 40 + 70 * line, x + 18 * word.length, 75 + 70 * line];
    x += 18 * (word.length + 1);
    return { text: word, box };
  });
  return { words, end: x };
}

/** The smallest box holding all of `boxes`. */
export function unionBox(boxes: number[][]): Box {
  return [Math.min(...boxes.map((b) => b[0])), Math.min(...boxes.map((b) => b[1])), Math.max(...boxes.map((b) => b[2])), Math.max(...boxes.map((b) => b[3]))];
}

/** Client words for lines drawn by renderFormPng, one segment per line, so requests can skip OCR. */
export function formWords(lines: string[]): Array<{ text: string; box: Box; segment: number }> {
  return lines.flatMap((line, index) => wordsOnLine(line, index).words.map((word) => ({ ...word, segment: index })));
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

/** A TIFF with one page per image. */
export async function tiffOf(images: Buffer[]): Promise<Buffer> {
  return sharp(images, { join: { animated: true } }).tiff().toBuffer();
}

export async function multiPageTiff(pageCount: number, width = 60, height = 40): Promise<Buffer> {
  return tiffOf(await Promise.all(Array.from({ length: pageCount }, (_, i) => solidPng(width, height, i % 2 ? '#000000' : '#ffffff'))));
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

/** A line of Helvetica text on a PDF page: baseline origin in PDF points (origin bottom-left). */
export interface PdfText {
  text: string;
  x: number;
  y: number;
  size?: number;
}

/** Raw 8-bit RGB pixels drawn over the whole page (a "scan"). */
export interface PdfImage {
  rgb: Buffer;
  width: number;
  height: number;
}

export interface PdfPageSpec {
  /** Points; US Letter by default. */
  width?: number;
  height?: number;
  texts?: PdfText[];
  image?: PdfImage;
}

export interface PdfOptions {
  /** Adds a Standard security handler whose user password is not empty, so readers must ask for one. */
  encrypted?: boolean;
}

const escapePdfString = (text: string) => text.replace(/[\\()]/g, (c) => `\\${c}`);

/** Writes a minimal, valid PDF (correct xref offsets) with Helvetica text and/or a full-page image per page. */
export function buildPdf(pages: PdfPageSpec[], options: PdfOptions = {}): Buffer {
  const objects: Buffer[] = [];
  const add = (body: string | Buffer): number => objects.push(typeof body === 'string' ? Buffer.from(body, 'latin1') : body);
  const stream = (dict: string, data: Buffer) =>
    Buffer.concat([Buffer.from(`<< ${dict} /Length ${data.length} >>\nstream\n`, 'latin1'), data, Buffer.from('\nendstream', 'latin1')]);

  add('<< /Type /Catalog /Pages 2 0 R >>');
  add('');
  add('<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica /Encoding /WinAnsiEncoding >>');
  const pageIds = pages.map((page) => {
    const width = page.width ?? 612;
    const height = page.height ?? 792;
    const ops: string[] = [];
    let resources = '/Font << /F1 3 0 R >>';
    if (page.image) {
      const imageId = add(stream(`/Type /XObject /Subtype /Image /Width ${page.image.width} /Height ${page.image.height} /ColorSpace /DeviceRGB /BitsPerComponent 8 /Filter /FlateDecode`, deflateSync(page.image.rgb)));
      resources += ` /XObject << /Im1 ${imageId} 0 R >>`;
      ops.push(`q ${width} 0 0 ${height} 0 0 cm /Im1 Do Q`);
    }
    for (const { text, x, y, size = 12 } of page.texts ?? []) ops.push(`BT /F1 ${size} Tf ${x} ${y} Td (${escapePdfString(text)}) Tj ET`);
    const contentId = add(stream('', Buffer.from(ops.join('\n'), 'latin1')));
    return add(`<< /Type /Page /Parent 2 0 R /MediaBox [0 0 ${width} ${height}] /Resources << ${resources} >> /Contents ${contentId} 0 R >>`);
  });
  objects[1] = Buffer.from(`<< /Type /Pages /Kids [${pageIds.map((id) => `${id} 0 R`).join(' ')}] /Count ${pageIds.length} >>`, 'latin1');
  const encryptId = options.encrypted ? add(`<< /Filter /Standard /V 1 /R 2 /O <${'ab'.repeat(32)}> /U <${'cd'.repeat(32)}> /P -44 >>`) : undefined;

  const chunks: Buffer[] = [Buffer.from('%PDF-1.4\n%\xe2\xe3\xcf\xd3\n', 'latin1')];
  let offset = chunks[0].length;
  const offsets = objects.map((body, i) => {
    const at = offset;
    const object = Buffer.concat([Buffer.from(`${i + 1} 0 obj\n`, 'latin1'), body, Buffer.from('\nendobj\n', 'latin1')]);
    chunks.push(object);
    offset += object.length;
    return at;
  });
  const xref = ['xref', `0 ${objects.length + 1}`, '0000000000 65535 f ', ...offsets.map((at) => `${String(at).padStart(10, '0')} 00000 n `)];
  const encryption = encryptId ? ` /Encrypt ${encryptId} 0 R /ID [<${'01'.repeat(16)}> <${'01'.repeat(16)}>]` : '';
  chunks.push(Buffer.from(`${xref.join('\n')}\ntrailer\n<< /Size ${objects.length + 1} /Root 1 0 R${encryption} >>\nstartxref\n${offset}\n%%EOF\n`, 'latin1'));
  return Buffer.concat(chunks);
}

/** The text of the text-layer PDF's pages: a form label and value per line, 14 pt Helvetica. */
export const TEXT_PDF_PAGES: PdfText[][] = [
  [
    { text: 'Invoice Number: 12345', x: 72, y: 720, size: 14 },
    { text: 'Date: 2024-01-05', x: 72, y: 680, size: 14 },
    { text: 'Total', x: 300, y: 640, size: 14 },
  ],
  [{ text: 'Name: Ann Lee', x: 100, y: 500, size: 14 }],
  [{ text: 'Signature: approved by Ann', x: 72, y: 100, size: 14 }],
];

/** A three-page PDF with a real text layer (no images). */
export function textLayerPdf(pages: PdfText[][] = TEXT_PDF_PAGES): Buffer {
  return buildPdf(pages.map((texts) => ({ texts })));
}

/** A "scanned" PDF: each page is only an image of rendered text (no text layer), 1 px per point. */
export async function scannedPdf(pages: string[][], size = { width: 612, height: 792 }): Promise<Buffer> {
  const images = await Promise.all(
    pages.map(async (lines) => {
      const { data, info } = await sharp(await renderFormPng(lines, size)).removeAlpha().raw().toBuffer({ resolveWithObject: true });
      return { rgb: data, width: info.width, height: info.height };
    }),
  );
  return buildPdf(images.map((image) => ({ ...size, image })));
}

/** Starts like a PDF, but has no readable structure. */
export function corruptPdf(): Buffer {
  return Buffer.from('%PDF-1.7\n1 0 obj\n<< /Type /Catalog /Pages 9 0 R\nthis is not a pdf body\n', 'latin1');
}

/** Bounding box [x0, y0, x1, y1] of dark pixels (all channels < 128) inside `region` of a PNG; undefined if none. */
export async function inkBox(png: Buffer, region: [number, number, number, number]): Promise<[number, number, number, number] | undefined> {
  const { data, info } = await sharp(png).removeAlpha().raw().toBuffer({ resolveWithObject: true });
  const [rx0, ry0, rx1, ry1] = region.map(Math.round);
  let box: [number, number, number, number] | undefined;
  for (let y = Math.max(0, ry0); y < Math.min(info.height, ry1); y++) {
    for (let x = Math.max(0, rx0); x < Math.min(info.width, rx1); x++) {
      const at = (y * info.width + x) * info.channels;
      if (data[at] < 128 && data[at + 1] < 128 && data[at + 2] < 128) {
        box = box ? [Math.min(box[0], x), Math.min(box[1], y), Math.max(box[2], x + 1), Math.max(box[3], y + 1)] : [x, y, x + 1, y + 1];
      }
    }
  }
  return box;
}
