/**
 * Page layout in page units (a letter page is 850 × 1100): text runs, shapes, and the fields a composer records.
 * Pure: text is measured through an injected function (the canvas adapter measures with the same font it draws
 * with), so each word's box follows from the layout and the rendering agrees with it.
 */

export type Point = [number, number];
/** Four corners, clockwise from top-left, in page units. */
export type Quad = [Point, Point, Point, Point];

export interface Face {
  family: string;
  bold: boolean;
}

export interface InkMetrics {
  /** Advance width. */
  width: number;
  /** Ink extent left of the origin (positive = left), right of it, above and below the baseline. */
  left: number;
  right: number;
  ascent: number;
  descent: number;
}

export type MeasureText = (text: string, face: Face, size: number) => InkMetrics;

/** A recorded field's character range inside a run's text. */
export interface FieldMark {
  name: string;
  start: number;
  end: number;
}

export interface TextRun {
  x: number;
  /** Baseline. */
  y: number;
  size: number;
  face: Face;
  text: string;
  colour: string;
  /** Rotation in degrees about (x, y) (stamps, handwriting). */
  angle: number;
  fields: FieldMark[];
}

export type Shape =
  | { kind: 'rect'; x: number; y: number; w: number; h: number; fill?: string; stroke?: string; lineWidth?: number }
  | { kind: 'ellipse'; cx: number; cy: number; rx: number; ry: number; fill?: string; stroke?: string; lineWidth?: number }
  | { kind: 'polygon'; points: Point[]; fill?: string; stroke?: string; lineWidth?: number }
  /** A smooth stroke through the points (signatures, scribbles). */
  | { kind: 'stroke'; points: Point[]; stroke: string; lineWidth: number };

export interface PageLayout {
  type: string;
  width: number;
  height: number;
  runs: TextRun[];
  shapes: Shape[];
}

export interface LayoutWord {
  text: string;
  quad: Quad;
  /** The run (line) the word is on. */
  segment: number;
}

export interface LayoutField {
  name: string;
  value: string;
  /** Indices into the page's words. */
  wordIds: number[];
}

export type TextPart = string | { text: string; field: string };

export interface TextOptions {
  x?: number;
  size?: number;
  face?: Face;
  colour?: string;
  align?: 'left' | 'right' | 'center';
  angle?: number;
  /** Line height as a multiple of size (line() only). */
  leading?: number;
}

const rotate = ([x, y]: Point, [ox, oy]: Point, degrees: number): Point => {
  const radians = (degrees * Math.PI) / 180;
  const cos = Math.cos(radians);
  const sin = Math.sin(radians);
  return [ox + (x - ox) * cos - (y - oy) * sin, oy + (x - ox) * sin + (y - oy) * cos];
};

/** Lays a page out top to bottom; runs that would cross the bottom margin are not placed (nor their fields). */
export class PageBuilder {
  readonly runs: TextRun[] = [];
  readonly shapes: Shape[] = [];
  y: number;
  size = 14;
  face: Face;
  colour = '#111';

  constructor(
    readonly type: string,
    readonly width: number,
    readonly height: number,
    readonly margin: { left: number; right: number; top: number; bottom: number },
    readonly measure: MeasureText,
    body: string,
  ) {
    this.y = margin.top;
    this.face = { family: body, bold: false };
  }

  get left(): number {
    return this.margin.left;
  }

  get right(): number {
    return this.width - this.margin.right;
  }

  get bottom(): number {
    return this.height - this.margin.bottom;
  }

  textWidth(text: string, size = this.size, face = this.face): number {
    return this.measure(text, face, size).width;
  }

  /** One run with its top at the cursor (the cursor does not move); returns it, or undefined past the bottom. */
  text(parts: TextPart | TextPart[], options: TextOptions = {}): TextRun | undefined {
    const size = options.size ?? this.size;
    const face = options.face ?? this.face;
    let text = '';
    const fields: FieldMark[] = [];
    for (const part of Array.isArray(parts) ? parts : [parts]) {
      if (typeof part === 'string') text += part;
      else {
        fields.push({ name: part.field, start: text.length, end: text.length + part.text.length });
        text += part.text;
      }
    }
    if (text.trim() === '' || this.y + size * 1.25 > this.bottom) return undefined;
    const width = this.measure(text, face, size).width;
    const anchor = options.x ?? (options.align === 'right' ? this.right : options.align === 'center' ? this.width / 2 : this.left);
    const x = options.align === 'right' ? anchor - width : options.align === 'center' ? anchor - width / 2 : anchor;
    const run: TextRun = { x, y: this.y + size * 0.9, size, face, text, colour: options.colour ?? this.colour, angle: options.angle ?? 0, fields };
    this.runs.push(run);
    return run;
  }

  /** A run, then the cursor moves down one line. */
  line(parts: TextPart | TextPart[], options: TextOptions = {}): TextRun | undefined {
    const run = this.text(parts, options);
    this.y += (options.size ?? this.size) * (options.leading ?? 1.35);
    return run;
  }

  /** Text wrapped to a column; returns the lines placed. A whole-paragraph field marks every line. */
  paragraph(text: string, options: TextOptions & { width?: number; field?: string } = {}): number {
    const size = options.size ?? this.size;
    const face = options.face ?? this.face;
    const x = options.x ?? this.left;
    const width = options.width ?? this.right - x;
    let placed = 0;
    let current = '';
    const flush = () => {
      if (current === '') return;
      if (this.line(options.field ? { text: current, field: options.field } : current, { ...options, x, size, face, align: 'left' })) placed++;
      current = '';
    };
    for (const word of text.split(/\s+/).filter(Boolean)) {
      const candidate = current === '' ? word : `${current} ${word}`;
      if (current !== '' && this.measure(candidate, face, size).width > width) {
        flush();
        current = word;
      } else current = candidate;
    }
    flush();
    return placed;
  }

  gap(units: number): void {
    this.y += units;
  }

  rule(x0 = this.left, x1 = this.right, thickness = 1.5, colour = '#222'): void {
    this.shapes.push({ kind: 'rect', x: x0, y: this.y, w: x1 - x0, h: thickness, fill: colour });
  }

  shape(shape: Shape): void {
    this.shapes.push(shape);
  }

  fits(units: number): boolean {
    return this.y + units <= this.bottom;
  }

  page(): PageLayout {
    return { type: this.type, width: this.width, height: this.height, runs: this.runs, shapes: this.shapes };
  }
}

/** Every word of the page with its ink quad (rotated runs rotate their quads), and each field's words. */
export function layoutWords(page: PageLayout, measure: MeasureText): { words: LayoutWord[]; fields: LayoutField[] } {
  const words: LayoutWord[] = [];
  const fields: LayoutField[] = [];
  page.runs.forEach((run, segment) => {
    const firstWord = words.length;
    const starts: number[] = [];
    for (const match of run.text.matchAll(/\S+/g)) {
      const start = match.index as number;
      const prefix = measure(run.text.slice(0, start), run.face, run.size).width;
      const ink = measure(match[0], run.face, run.size);
      // A floor on the ink height so a word of dots or dashes still has a box a model can point at.
      const ascent = Math.max(ink.ascent, run.size * 0.15);
      const descent = Math.max(ink.descent, run.size * 0.05);
      const x0 = run.x + prefix - Math.max(ink.left, 0);
      const x1 = run.x + prefix + Math.max(ink.right, ink.width * 0.5);
      const corners: Quad = [
        [x0, run.y - ascent],
        [x1, run.y - ascent],
        [x1, run.y + descent],
        [x0, run.y + descent],
      ];
      const quad = corners.map((corner) => (run.angle === 0 ? corner : rotate(corner, [run.x, run.y], run.angle))) as Quad;
      words.push({ text: match[0], quad, segment });
      starts.push(start);
    }
    for (const mark of run.fields) {
      const wordIds: number[] = [];
      starts.forEach((start, i) => {
        const end = start + words[firstWord + i].text.length;
        if (start < mark.end && end > mark.start) wordIds.push(firstWord + i);
      });
      if (wordIds.length === 0) continue;
      // The value is the words' text: the answer a reader of the words can give (a mark inside "$12.00" takes the word).
      const value = wordIds.map((id) => words[id].text).join(' ');
      const same = fields.find((field) => field.name === mark.name);
      // A field over consecutive lines (an address, a title) is one answer; a second field of the same name
      // elsewhere on the page is dropped, so each question has one answer.
      if (!same) fields.push({ name: mark.name, value, wordIds });
      else if (words[same.wordIds[same.wordIds.length - 1]].segment === segment - 1) {
        same.value = `${same.value} ${value}`;
        same.wordIds.push(...wordIds);
      }
    }
  });
  return { words, fields };
}
