import { city, company, phone, street } from './content';
import { Face, PageBuilder, Point, TextPart } from './page-layout';
import { between, chance, pick, Random } from './random';

/** Pieces many document types share: letterheads with logo shapes, signatures, stamps, tables, checkboxes. */

export interface Palette {
  body: string;
  heading: string;
  mono: string;
  script: string;
}

export interface Compose {
  b: PageBuilder;
  rng: Random;
  fonts: Palette;
}

export const bold = (family: string): Face => ({ family, bold: true });
export const regular = (family: string): Face => ({ family, bold: false });
const LOGO_COLOURS = ['#1f4e9c', '#a31f34', '#2d7d46', '#444', '#8a5a00', '#5b2c83', '#0b6e79'];

/** A logo made of shapes at (x, y) in a box of `size`. */
export function logo({ b, rng }: Compose, x: number, y: number, size: number): void {
  const fill = pick(rng, LOGO_COLOURS);
  const half = size / 2;
  switch (between(rng, 0, 4)) {
    case 0:
      b.shape({ kind: 'ellipse', cx: x + half, cy: y + half, rx: half, ry: half, fill });
      b.shape({ kind: 'ellipse', cx: x + half, cy: y + half, rx: half * 0.55, ry: half * 0.55, fill: '#fff' });
      break;
    case 1:
      b.shape({ kind: 'polygon', points: [[x + half, y], [x + size, y + size], [x, y + size]], fill });
      break;
    case 2:
      b.shape({ kind: 'rect', x, y, w: size, h: size, fill });
      b.shape({ kind: 'rect', x: x + size * 0.25, y: y + size * 0.25, w: size * 0.5, h: size * 0.5, fill: '#fff' });
      break;
    case 3:
      b.shape({ kind: 'polygon', points: [[x + half, y], [x + size, y + half], [x + half, y + size], [x, y + half]], fill });
      break;
    default:
      for (let i = 0; i < 3; i++) b.shape({ kind: 'rect', x, y: y + i * size * 0.36, w: size * (1 - i * 0.2), h: size * 0.22, fill });
  }
}

/** Company name (a field), address and phone, with a logo left, right or above; returns the company name. */
export function letterhead(ctx: Compose, field = 'sender'): string {
  const { b, rng, fonts } = ctx;
  const name = company(rng);
  const size = between(rng, 20, 30);
  const layout = between(rng, 0, 2);
  const logoSize = size * 2;
  const top = b.y;
  if (layout === 0) {
    logo(ctx, b.left, top, logoSize);
    b.text({ text: name, field }, { x: b.left + logoSize + 14, size, face: bold(fonts.heading) });
    b.gap(size * 1.3);
    b.text(`${street(rng)}, ${city(rng)}`, { x: b.left + logoSize + 14, size: size * 0.5 });
    b.y = top + logoSize + 10;
  } else if (layout === 1) {
    logo(ctx, b.width / 2 - logoSize / 2, top, logoSize);
    b.y = top + logoSize + 8;
    b.line({ text: name, field }, { align: 'center', size, face: bold(fonts.heading) });
    b.line(`${street(rng)}  |  ${city(rng)}  |  Tel ${phone(rng)}`, { align: 'center', size: size * 0.5 });
  } else {
    logo(ctx, b.right - logoSize, top, logoSize);
    b.line({ text: name, field }, { size, face: bold(fonts.heading) });
    b.line(street(rng), { size: size * 0.55 });
    b.line(city(rng), { size: size * 0.55 });
    b.y = Math.max(b.y, top + logoSize + 10);
  }
  if (chance(rng, 0.6)) {
    b.rule(b.left, b.right, between(rng, 1, 3), pick(rng, LOGO_COLOURS));
    b.gap(12);
  }
  b.gap(between(rng, 10, 30));
  return name;
}

/** A handwritten-looking scribble in a box starting at (x, y). */
export function signature({ b, rng }: Compose, x: number, y: number, width: number): void {
  const points: Point[] = [];
  const steps = between(rng, 25, 45);
  let phase = rng() * Math.PI;
  for (let i = 0; i <= steps; i++) {
    phase += 0.6 + rng() * 0.9;
    points.push([x + (i / steps) * width, y + 18 + Math.sin(phase) * (8 + rng() * 10) - (i / steps) * 6]);
  }
  b.shape({ kind: 'stroke', points, stroke: pick(rng, ['#112', '#123a8c', '#222']), lineWidth: 1.5 + rng() });
}

/** A rubber stamp: a coloured outline with one or two words, turned a few degrees. */
export function stamp({ b, rng, fonts }: Compose, x: number, y: number, lines: string[]): void {
  const colour = pick(rng, ['#b22222', '#1b3f9e', '#6a1b9a']);
  const size = between(rng, 14, 20);
  const angle = -12 + rng() * 24;
  const saved = b.y;
  const face = bold(fonts.heading);
  const width = Math.max(...lines.map((text) => b.textWidth(text, size, face))) + 20;
  const height = lines.length * size * 1.3 + 12;
  const radians = (angle * Math.PI) / 180;
  const corner = (dx: number, dy: number): Point => [x + dx * Math.cos(radians) - dy * Math.sin(radians), y + dx * Math.sin(radians) + dy * Math.cos(radians)];
  b.shape({ kind: 'polygon', points: [corner(0, 0), corner(width, 0), corner(width, height), corner(0, height)], stroke: colour, lineWidth: 2.5 });
  lines.forEach((text, i) => {
    const [lx, ly] = corner(10, 6 + i * size * 1.3);
    b.y = ly;
    b.text(text, { x: lx, size, face, colour, angle });
  });
  b.y = saved;
}

/** A table with a header row; `borders` draws cell lines; returns the x of each column. */
export function table(ctx: Compose, headers: string[], rows: TextPart[][], options: { x?: number; width?: number; borders?: boolean; size?: number } = {}): number[] {
  const { b, fonts } = ctx;
  const x = options.x ?? b.left;
  const width = options.width ?? b.right - x;
  const size = options.size ?? b.size;
  const weights = headers.map((header, c) => (c === 0 ? 2.2 : 1));
  const total = weights.reduce((sum, w) => sum + w, 0);
  const columns: number[] = [];
  weights.reduce((offset, w) => (columns.push(x + offset), offset + (w / total) * width), 0);
  const rowHeight = size * 1.6;
  const top = b.y;
  headers.forEach((header, c) => b.text(header, { x: columns[c] + 4, size, face: bold(fonts.body) }));
  b.gap(rowHeight);
  b.rule(x, x + width, 1.2);
  b.gap(4);
  let placed = 0;
  for (const row of rows) {
    if (!b.fits(rowHeight * 2)) break;
    row.forEach((cell, c) => b.text(cell, { x: columns[c] + 4, size }));
    b.gap(rowHeight);
    placed++;
  }
  if (options.borders) {
    const bottom = b.y;
    b.shape({ kind: 'rect', x, y: top - 4, w: width, h: bottom - top + 4, stroke: '#333', lineWidth: 1 });
    for (const column of columns.slice(1)) b.shape({ kind: 'rect', x: column, y: top - 4, w: 1, h: bottom - top + 4, fill: '#333' });
  }
  b.gap(8);
  return placed > 0 ? columns : [];
}

/** "Label: value" on one line, the value a field. */
export function labelled(ctx: Compose, label: string, value: string, field: string, options: { x?: number; labelWidth?: number; size?: number } = {}): void {
  const { b, fonts } = ctx;
  const x = options.x ?? b.left;
  const size = options.size ?? b.size;
  if (options.labelWidth === undefined) {
    b.line([`${label} `, { text: value, field }], { x, size });
    return;
  }
  b.text(label, { x, size, face: bold(fonts.body) });
  b.line({ text: value, field }, { x: x + options.labelWidth, size });
}

export function checkbox({ b }: Compose, x: number, size: number, checked: boolean): void {
  b.shape({ kind: 'rect', x, y: b.y + size * 0.15, w: size * 0.8, h: size * 0.8, stroke: '#222', lineWidth: 1.2 });
  if (checked) {
    b.shape({ kind: 'stroke', points: [[x + 2, b.y + size * 0.2], [x + size * 0.78, b.y + size * 0.92]], stroke: '#111', lineWidth: 2 });
    b.shape({ kind: 'stroke', points: [[x + size * 0.78, b.y + size * 0.2], [x + 2, b.y + size * 0.92]], stroke: '#111', lineWidth: 2 });
  }
}

/** A bar chart of `values` in a box at the cursor; moves the cursor below it. */
export function barChart({ b, rng }: Compose, x: number, width: number, height: number, values: number[]): void {
  const top = b.y;
  const colour = pick(rng, LOGO_COLOURS);
  b.shape({ kind: 'rect', x, y: top + height, w: width, h: 1.5, fill: '#222' });
  b.shape({ kind: 'rect', x, y: top, w: 1.5, h: height, fill: '#222' });
  const max = Math.max(...values, 1);
  const slot = width / values.length;
  values.forEach((value, i) => {
    const h = (value / max) * (height - 10);
    b.shape({ kind: 'rect', x: x + i * slot + slot * 0.2, y: top + height - h, w: slot * 0.6, h, fill: colour });
  });
  b.y = top + height + 8;
}
