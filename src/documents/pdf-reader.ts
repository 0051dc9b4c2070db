import { createCanvas, GlobalFonts, SKRSContext2D } from '@napi-rs/canvas';
import { dirname, join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { PageImage } from '../common/document-types';
import { DomainError } from '../common/domain-error';
import { rgbToPng } from './image-codec';
import { hasUsableTextLayer, Matrix, MeasureText, PdfFontStyle, PdfTextItem, textLayerWords } from './text-layer';

/**
 * The only file that imports pdfjs-dist and @napi-rs/canvas. pdfjs runs in this thread (Node has no pdfjs
 * worker); rendering yields to the event loop between operator chunks so a deadline can stop it.
 */

/** The slice of the pdfjs API used here (its own types are ESM-only). */
interface PdfJsPage {
  getViewport(options: { scale: number }): { width: number; height: number; transform: number[] };
  getTextContent(): Promise<{ items: Array<PdfTextItem | { type: string }>; styles: Record<string, PdfFontStyle> }>;
  render(params: { canvas: unknown; canvasContext: SKRSContext2D; viewport: unknown }): {
    promise: Promise<void>;
    cancel(): void;
    onContinue: ((next: () => void) => void) | null;
  };
  cleanup(): boolean;
}

interface PdfJsDocument {
  numPages: number;
  getPage(pageNumber: number): Promise<PdfJsPage>;
  destroy(): Promise<void>;
}

interface PdfJs {
  getDocument(source: Record<string, unknown>): { promise: Promise<PdfJsDocument>; destroy(): Promise<void> };
}

export interface PdfPageOptions {
  /** Render resolution; text-layer boxes use the same pixel grid. */
  dpi: number;
  /** Deadline for reading one page's text and rendering it. */
  timeoutMs: number;
}

export interface PdfDocument {
  readonly pageCount: number;
  /** Rendered size in pixels at `dpi`, known before any pixels are allocated. */
  pageSize(index: number, dpi: number): Promise<{ width: number; height: number }>;
  /** Renders one page to RGB PNG; pages with a usable text layer also carry `textWords`. */
  readPage(index: number, options: PdfPageOptions): Promise<PageImage>;
  close(): Promise<void>;
}

const PDFJS_ROOT = dirname(require.resolve('pdfjs-dist/package.json'));
const POINTS_PER_INCH = 72;
const MEASURE_FONT = 'AetnetPdfMeasure';

// TypeScript's commonjs output would turn `import()` into require(), which cannot load pdfjs's ESM build.
const importEsm = new Function('specifier', 'return import(specifier)') as (specifier: string) => Promise<PdfJs>;
let pdfjs: Promise<PdfJs> | undefined;
let measureContext: SKRSContext2D | undefined;

function loadPdfJs(): Promise<PdfJs> {
  pdfjs ??= importEsm(pathToFileURL(join(PDFJS_ROOT, 'legacy', 'build', 'pdf.mjs')).href);
  return pdfjs;
}

/** Liberation Sans (shipped with pdfjs) is metric-compatible with Helvetica/Arial, the commonest PDF fonts. */
function measureText(): MeasureText {
  if (!measureContext) {
    GlobalFonts.registerFromPath(join(PDFJS_ROOT, 'standard_fonts', 'LiberationSans-Regular.ttf'), MEASURE_FONT);
    measureContext = createCanvas(1, 1).getContext('2d');
    measureContext.font = `100px ${MEASURE_FONT}`;
  }
  const context = measureContext;
  return (text) => context.measureText(text).width;
}

function errorName(error: unknown): string {
  return error instanceof Error ? error.name : '';
}

function unreadable(message: string, details?: Record<string, unknown>): DomainError {
  return new DomainError('DOCUMENT_UNREADABLE', message, details);
}

/** RGBA canvas pixels → RGB (the background is opaque white: pdfjs paints it before drawing). */
function rgbaToRgb(rgba: Uint8ClampedArray): Buffer {
  const rgb = Buffer.alloc((rgba.length / 4) * 3);
  for (let src = 0, dst = 0; src < rgba.length; src += 4, dst += 3) {
    rgb[dst] = rgba[src];
    rgb[dst + 1] = rgba[src + 1];
    rgb[dst + 2] = rgba[src + 2];
  }
  return rgb;
}

async function readPage(document: PdfJsDocument, index: number, options: PdfPageOptions, deadline: number): Promise<PageImage> {
  const pageNumber = index + 1;
  const page = await document.getPage(pageNumber);
  const viewport = page.getViewport({ scale: options.dpi / POINTS_PER_INCH });
  const width = Math.max(1, Math.round(viewport.width));
  const height = Math.max(1, Math.round(viewport.height));

  const content = await page.getTextContent();
  const items = content.items.filter((item): item is PdfTextItem => 'str' in item);
  const words = textLayerWords({ items, styles: content.styles, viewport: viewport.transform as Matrix, width, height }, measureText());

  const canvas = createCanvas(width, height);
  const context = canvas.getContext('2d');
  const task = page.render({ canvas, canvasContext: context, viewport });
  task.onContinue = (next) => (Date.now() > deadline ? task.cancel() : setImmediate(next));
  try {
    await task.promise;
  } catch (error) {
    if (errorName(error) === 'RenderingCancelledException') {
      throw unreadable(`Page ${pageNumber} took longer than ${options.timeoutMs} ms to render`, { page: pageNumber, timeoutMs: options.timeoutMs });
    }
    throw error;
  }
  const png = await rgbToPng(rgbaToRgb(context.getImageData(0, 0, width, height).data), width, height);
  page.cleanup();
  return { index, width, height, png, ...(hasUsableTextLayer(words) ? { textWords: words } : {}) };
}

/** Rejects after `timeoutMs` (the page's text extraction cannot be cancelled, only abandoned). */
function withDeadline<T>(work: Promise<T>, timeoutMs: number, page: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const expired = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(unreadable(`Page ${page} took longer than ${timeoutMs} ms to read`, { page, timeoutMs })), timeoutMs);
  });
  return Promise.race([work, expired]).finally(() => clearTimeout(timer));
}

/** Parses the PDF structure; an encrypted PDF is 422 PDF_ENCRYPTED, anything unparsable 422 DOCUMENT_UNREADABLE. */
export async function openPdf(bytes: Buffer): Promise<PdfDocument> {
  const { getDocument } = await loadPdfJs();
  const loading = getDocument({
    // pdfjs may transfer (detach) the array it is given: hand it a copy.
    data: new Uint8Array(bytes),
    standardFontDataUrl: join(PDFJS_ROOT, 'standard_fonts') + '/',
    cMapUrl: join(PDFJS_ROOT, 'cmaps') + '/',
    cMapPacked: true,
    wasmUrl: join(PDFJS_ROOT, 'wasm') + '/',
    iccUrl: join(PDFJS_ROOT, 'iccs') + '/',
    isEvalSupported: false,
    useSystemFonts: false,
    disableFontFace: true,
    enableXfa: false,
    verbosity: 0,
  });
  let document: PdfJsDocument;
  try {
    document = await loading.promise;
  } catch (error) {
    await loading.destroy();
    if (errorName(error) === 'PasswordException') {
      throw new DomainError('PDF_ENCRYPTED', 'The PDF is password-protected; send an unencrypted copy');
    }
    throw unreadable(`The PDF cannot be read: ${(error as Error).message}`);
  }

  return {
    pageCount: document.numPages,
    async pageSize(index, dpi) {
      try {
        const viewport = (await document.getPage(index + 1)).getViewport({ scale: dpi / POINTS_PER_INCH });
        return { width: Math.round(viewport.width), height: Math.round(viewport.height) };
      } catch (error) {
        throw unreadable(`PDF page ${index + 1} cannot be read: ${(error as Error).message}`, { page: index + 1 });
      }
    },
    async readPage(index, options) {
      try {
        return await withDeadline(readPage(document, index, options, Date.now() + options.timeoutMs), options.timeoutMs, index + 1);
      } catch (error) {
        if (error instanceof DomainError) throw error;
        throw unreadable(`PDF page ${index + 1} cannot be rendered: ${(error as Error).message}`, { page: index + 1 });
      }
    },
    close: () => document.destroy(),
  };
}
