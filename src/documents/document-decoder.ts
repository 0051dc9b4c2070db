import { DomainError } from '../common/domain-error';
import { PageImage } from '../common/document-types';
import { decodeBmp, isBmp, parseBmpHeader } from './bmp';
import { decodePageToRgbPng, readImageInfo, rgbToPng } from './image-codec';
import { selectPages } from './page-selector';
import { openPdf } from './pdf-reader';

export type DocumentFormat = 'png' | 'jpeg' | 'tiff' | 'webp' | 'gif' | 'bmp' | 'pdf';

export const SUPPORTED_FORMATS: readonly DocumentFormat[] = ['png', 'jpeg', 'tiff', 'webp', 'gif', 'bmp', 'pdf'];

/** PDF pages are rendered at this resolution unless configured: small print stays legible to the model and OCR. */
export const DEFAULT_PDF_DPI = 144;
/** A page that takes longer than this to read and render is refused rather than holding the request. */
export const DEFAULT_PAGE_TIMEOUT_MS = 20_000;

export interface DecodeLimits {
  maxPixels: number;
  /** Most pages decoded per request (the selected pages when a selector is given). */
  maxPages: number;
  pdfDpi?: number;
  pageTimeoutMs?: number;
}

export interface DecodeOptions {
  /** 1-based page selector such as `1-3,5` (page-selector.ts); every page when absent. */
  pages?: string;
}

function startsWith(bytes: Buffer, signature: number[] | string, offset = 0): boolean {
  const expected = typeof signature === 'string' ? Buffer.from(signature, 'latin1') : Buffer.from(signature);
  return bytes.length >= offset + expected.length && bytes.subarray(offset, offset + expected.length).equals(expected);
}

/**
 * Identifies the format from magic bytes only: the declared content type and file name are not trusted,
 * and formats sharp could read but we do not accept (SVG, raw, HEIF) stay out.
 */
export function sniffFormat(bytes: Buffer): DocumentFormat | undefined {
  if (startsWith(bytes, [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a])) return 'png';
  if (startsWith(bytes, [0xff, 0xd8, 0xff])) return 'jpeg';
  if (startsWith(bytes, [0x49, 0x49, 0x2a, 0x00]) || startsWith(bytes, [0x4d, 0x4d, 0x00, 0x2a])) return 'tiff';
  if (startsWith(bytes, [0x49, 0x49, 0x2b, 0x00]) || startsWith(bytes, [0x4d, 0x4d, 0x00, 0x2b])) return 'tiff';
  if (startsWith(bytes, 'RIFF') && startsWith(bytes, 'WEBP', 8)) return 'webp';
  if (startsWith(bytes, 'GIF87a') || startsWith(bytes, 'GIF89a')) return 'gif';
  if (isBmp(bytes) && bytes.length >= 18 && [12, 40, 52, 56, 64, 108, 124].includes(bytes.readUInt32LE(14))) return 'bmp';
  // PDF allows junk before the header within the first 1024 bytes.
  if (bytes.subarray(0, 1024).includes('%PDF-')) return 'pdf';
  return undefined;
}

/** Rejects empty or oversized pages from header dimensions, before any pixel buffer exists. */
export function checkPageSize(width: number, height: number, maxPixels: number, page = 1): void {
  if (!(width > 0 && height > 0)) {
    throw new DomainError('DOCUMENT_UNREADABLE', `Page ${page} has no pixels (${width}×${height})`, { page });
  }
  if (width * height > maxPixels) {
    throw new DomainError('IMAGE_TOO_LARGE', `Page ${page} is ${width}×${height} pixels; the limit is ${maxPixels} pixels`, {
      page,
      width,
      height,
      maxPixels,
    });
  }
}

function unsupported(): DomainError {
  return new DomainError('UNSUPPORTED_MEDIA_TYPE', `The document is not a supported format (${SUPPORTED_FORMATS.join(', ')})`, {
    supported: SUPPORTED_FORMATS,
  });
}

async function decodePdf(bytes: Buffer, limits: DecodeLimits, options: DecodeOptions): Promise<PageImage[]> {
  const pdf = await openPdf(bytes);
  try {
    const dpi = limits.pdfDpi ?? DEFAULT_PDF_DPI;
    const pages: PageImage[] = [];
    for (const index of selectPages(options.pages, pdf.pageCount, limits.maxPages)) {
      const size = await pdf.pageSize(index, dpi);
      checkPageSize(size.width, size.height, limits.maxPixels, index + 1);
      pages.push(await pdf.readPage(index, { dpi, timeoutMs: limits.pageTimeoutMs ?? DEFAULT_PAGE_TIMEOUT_MS }));
    }
    return pages;
  } finally {
    await pdf.close();
  }
}

/**
 * Uploaded bytes → canonical pages (the selected pages of a TIFF or PDF; orientation applied; RGB PNG).
 * `index` stays the page's position in the document, so results name the pages the client asked for.
 */
export async function decodeDocument(bytes: Buffer, limits: DecodeLimits, options: DecodeOptions = {}): Promise<PageImage[]> {
  if (bytes.length === 0) throw new DomainError('DOCUMENT_UNREADABLE', 'The document is empty (0 bytes)');
  const format = sniffFormat(bytes);
  if (format === undefined) throw unsupported();
  if (format === 'pdf') return decodePdf(bytes, limits, options);

  if (format === 'bmp') {
    selectPages(options.pages, 1, limits.maxPages);
    const header = parseBmpHeader(bytes);
    checkPageSize(header.width, header.height, limits.maxPixels);
    const { rgb, width, height } = decodeBmp(bytes, header);
    return [{ index: 0, width, height, png: await rgbToPng(rgb, width, height) }];
  }

  const info = await readImageInfo(bytes);
  // GIF frames are animation, not pages: only the first is read.
  const selected = selectPages(options.pages, format === 'tiff' ? info.pages : 1, limits.maxPages);
  checkPageSize(info.width, info.height, limits.maxPixels);

  const pages: PageImage[] = [];
  for (const index of selected) {
    const decoded = await decodePageToRgbPng(bytes, index, limits.maxPixels);
    checkPageSize(decoded.width, decoded.height, limits.maxPixels, index + 1);
    pages.push({ index, ...decoded });
  }
  return pages;
}
