import { PageWord, PixelBox } from '../common/document-types';

/** What pdfjs's getTextContent yields per text run (only the fields used here). */
export interface PdfTextItem {
  str: string;
  /** Text space → PDF user space; (c, d) is the font's "up" vector, its length the font size. */
  transform: number[];
  /** Advance of the whole run in user space units. */
  width: number;
  fontName: string;
  hasEOL: boolean;
}

/** Font ascent / descent as fractions of the font size (descent negative). */
export interface PdfFontStyle {
  ascent: number;
  descent: number;
}

/** PDF user space → rendered page pixels (pdfjs viewport.transform: flips y, applies scale and /Rotate). */
export type Matrix = [number, number, number, number, number, number];

/** Advance width of a string in any unit: only ratios within one run are used. */
export type MeasureText = (text: string) => number;

export interface TextLayerPage {
  items: PdfTextItem[];
  styles: Record<string, PdfFontStyle>;
  viewport: Matrix;
  width: number;
  height: number;
}

/** A page whose text layer has fewer words than this is treated as scanned and goes to OCR. */
export const MIN_TEXT_LAYER_WORDS = 3;

const DEFAULT_STYLE: PdfFontStyle = { ascent: 0.8, descent: -0.2 };
/** Runs that touch (gap below this many font heights) with no space between them are one word split by the PDF writer. */
const GLUE_GAP = 0.15;
/** A gap wider than this many font heights within a line starts a new segment (a new column or field). */
const SEGMENT_GAP = 1.5;

interface PositionedWord extends PageWord {
  /** Pixel y of the run's baseline: a jump of half a font height starts a new line. */
  baseline: number;
}

const round2 = (value: number) => Math.round(value * 100) / 100;

function apply(matrix: Matrix, x: number, y: number): [number, number] {
  const [a, b, c, d, e, f] = matrix;
  return [a * x + c * y + e, b * x + d * y + f];
}

/** Character offsets of each whitespace-separated word in a run, as fractions of the run's advance. */
function wordSpans(text: string, measure: MeasureText): Array<{ word: string; start: number; end: number }> {
  const total = measure(text);
  const fraction = (chars: number) => (total > 0 ? measure(text.slice(0, chars)) / total : chars / text.length);
  return [...text.matchAll(/\S+/g)].map((match) => {
    const index = match.index ?? 0;
    return { word: match[0], start: fraction(index), end: fraction(index + match[0].length) };
  });
}

/**
 * Words of a PDF text layer with boxes in the rendered page's pixels. Each run is split at whitespace and
 * each word's extent found from measured advances (a metric-compatible font stands in for the PDF's);
 * the box spans the font's descent to ascent, so it covers the drawn glyphs.
 */
export function textLayerWords(page: TextLayerPage, measure: MeasureText): PageWord[] {
  const words: PositionedWord[] = [];
  let segment = 0;
  // Empty runs carry line ends too, and whitespace-only runs separate words: both are remembered across runs.
  let lineEnded = false;
  let spaceBefore = true;

  for (const item of page.items) {
    const [a, b, c, d, e, f] = item.transform;
    const advance = Math.hypot(a, b);
    const style = page.styles[item.fontName] ?? DEFAULT_STYLE;
    const origin = apply(page.viewport, e, f);
    const top = apply(page.viewport, e + c, f + d);
    const fontHeight = Math.hypot(top[0] - origin[0], top[1] - origin[1]);

    if (item.str.trim() !== '' && advance > 0 && fontHeight > 0) {
      const last = words.at(-1);
      const newLine = !last || lineEnded || Math.abs(origin[1] - last.baseline) > fontHeight / 2;
      for (const [i, span] of wordSpans(item.str, measure).entries()) {
        const corners = [span.start, span.end].flatMap((along) =>
          [style.descent, style.ascent].map((up) =>
            apply(page.viewport, e + (a / advance) * along * item.width + c * up, f + (b / advance) * along * item.width + d * up),
          ),
        );
        const xs = corners.map(([x]) => Math.min(Math.max(x, 0), page.width));
        const ys = corners.map(([, y]) => Math.min(Math.max(y, 0), page.height));
        const box = [Math.min(...xs), Math.min(...ys), Math.max(...xs), Math.max(...ys)].map(round2) as PixelBox;
        if (box[2] <= box[0] || box[3] <= box[1]) continue;

        const gap = last ? box[0] - last.box[2] : Infinity;
        if (i === 0 && last && !newLine && !spaceBefore && !/^\s/.test(item.str) && gap < GLUE_GAP * fontHeight) {
          last.text += span.word;
          last.box = [Math.min(last.box[0], box[0]), Math.min(last.box[1], box[1]), Math.max(last.box[2], box[2]), Math.max(last.box[3], box[3])];
          continue;
        }
        if (i === 0 && last && (newLine || gap > SEGMENT_GAP * fontHeight)) segment += 1;
        words.push({ text: span.word, box, confidence: 1, segment, baseline: origin[1] });
      }
      lineEnded = false;
    }
    lineEnded ||= item.hasEOL;
    spaceBefore = item.str === '' ? spaceBefore : /\s$/.test(item.str);
  }
  return words.map(({ text, box, confidence, segment: line }) => ({ text, box, confidence, segment: line }));
}

/** Enough words with letters or digits to trust the text layer over OCR (scans often carry a stray run or none). */
export function hasUsableTextLayer(words: PageWord[]): boolean {
  return words.filter((word) => /[\p{L}\p{N}]/u.test(word.text)).length >= MIN_TEXT_LAYER_WORDS;
}
