import { PixelBox } from '../common/document-types';

/**
 * Synthetic document pages for a classification set: plausible layouts of several document kinds with random
 * content from small word lists, deterministic from a seed. Text is monospace so every word's box follows from
 * the layout (advance = 0.6 × font size, checked against librsvg's DejaVu Sans Mono rendering).
 */

export const DOCUMENT_KINDS = ['invoice', 'letter', 'receipt', 'memo', 'table-report', 'resume'] as const;
export type DocumentKind = (typeof DOCUMENT_KINDS)[number];

export const CHAR_WIDTH_EM = 0.6;
const ASCENT_EM = 0.8;
const DESCENT_EM = 0.25;

export interface TextLine {
  x: number;
  /** Baseline. */
  y: number;
  size: number;
  text: string;
  bold?: boolean;
}

export interface Rule {
  x0: number;
  y0: number;
  x1: number;
  y1: number;
}

export interface SyntheticPage {
  kind: DocumentKind;
  width: number;
  height: number;
  lines: TextLine[];
  rules: Rule[];
}

export interface SyntheticWord {
  text: string;
  box: PixelBox;
  /** The text line the word is on. */
  segment: number;
}

export type Random = () => number;

/** mulberry32: a small, fast, seedable generator; the same seed gives the same pages on every machine. */
export function seededRandom(seed: number): Random {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const FIRST = ['Anna', 'James', 'Maria', 'Robert', 'Linda', 'David', 'Susan', 'Peter', 'Karen', 'Thomas', 'Helen', 'Mark', 'Laura', 'Paul', 'Ruth'];
const LAST = ['Smith', 'Johnson', 'Brown', 'Miller', 'Wilson', 'Moore', 'Taylor', 'Clark', 'Lewis', 'Walker', 'Young', 'King', 'Wright', 'Scott'];
const COMPANY_A = ['Acme', 'Northwind', 'Blue Ridge', 'Summit', 'Pioneer', 'Lakeside', 'Granite', 'Harbor', 'Evergreen', 'Atlas'];
const COMPANY_B = ['Supply Co.', 'Industries', 'Logistics', 'Foods Inc.', 'Systems', 'Partners LLC', 'Tobacco Co.', 'Labs', 'Printing', 'Group'];
const STREETS = ['Main St', 'Oak Ave', 'Park Rd', 'Elm St', 'Maple Dr', 'Cedar Ln', 'Hill Rd', 'River Rd', 'Lake St', 'Pine Ave'];
const CITIES = ['Springfield, IL', 'Madison, WI', 'Richmond, VA', 'Albany, NY', 'Salem, OR', 'Dover, DE', 'Austin, TX', 'Denver, CO'];
const PRODUCTS = ['Paper A4', 'Toner cartridge', 'Desk lamp', 'Filing cabinet', 'Stapler', 'Printer ink', 'Envelopes', 'Notebook', 'Shipping labels', 'Cable set', 'Monitor stand', 'Folders'];
const FOODS = ['Coffee', 'Bagel', 'Orange juice', 'Sandwich', 'Salad', 'Muffin', 'Tea', 'Soup', 'Cookie', 'Water', 'Yogurt', 'Apple'];
const WORDS = (
  'the results of our review show that the program met most of its goals this year and we expect further progress ' +
  'please find attached the report requested at the last meeting with a summary of costs and a proposed schedule ' +
  'we would appreciate your comments before the end of the month so that the committee can approve the budget ' +
  'the data were collected from all regional offices and checked against the previous quarter for consistency'
).split(' ');
const TOPICS = ['Quarterly budget review', 'Office relocation', 'New safety procedures', 'Product testing schedule', 'Annual audit', 'Staff training'];
const TITLES = ['Project Manager', 'Research Analyst', 'Sales Director', 'Accountant', 'Engineer', 'Office Manager', 'Chemist', 'Consultant'];
const SKILLS = ['Budgeting', 'Data analysis', 'Negotiation', 'Project planning', 'Statistics', 'Team leadership', 'Quality control', 'Reporting'];
const MONTHS = ['January', 'February', 'March', 'April', 'May', 'June', 'July', 'August', 'September', 'October', 'November', 'December'];
const METRICS = ['Region', 'Units', 'Revenue', 'Cost', 'Margin', 'Change'];

const pick = <T>(rng: Random, list: readonly T[]): T => list[Math.floor(rng() * list.length)];
const between = (rng: Random, low: number, high: number): number => low + Math.floor(rng() * (high - low + 1));
const person = (rng: Random) => `${pick(rng, FIRST)} ${pick(rng, LAST)}`;
const company = (rng: Random) => `${pick(rng, COMPANY_A)} ${pick(rng, COMPANY_B)}`;
const money = (rng: Random, max: number) => (between(rng, 100, max * 100) / 100).toFixed(2);
const date = (rng: Random) => `${pick(rng, MONTHS)} ${between(rng, 1, 28)}, ${between(rng, 1985, 2003)}`;
const numericDate = (rng: Random) => `${between(rng, 1, 12)}/${between(rng, 1, 28)}/${between(rng, 85, 99)}`;
const sentence = (rng: Random, count: number) => Array.from({ length: count }, () => pick(rng, WORDS)).join(' ');

/** Lays out lines top to bottom, wrapping text to the column width in characters. */
class PageBuilder {
  readonly lines: TextLine[] = [];
  readonly rules: Rule[] = [];
  y: number;

  constructor(
    readonly width: number,
    readonly height: number,
    readonly margin: number,
    top: number,
  ) {
    this.y = top;
  }

  line(text: string, size: number, options: { x?: number; bold?: boolean; gap?: number } = {}): void {
    this.y += size;
    const x = options.x ?? this.margin;
    const maxChars = Math.floor((this.width - this.margin - x) / (size * CHAR_WIDTH_EM));
    if (this.y + size * DESCENT_EM < this.height - this.margin && text.trim() !== '') {
      this.lines.push({ x, y: this.y, size, text: text.slice(0, maxChars).trimEnd(), bold: options.bold });
    }
    this.y += options.gap ?? Math.round(size * 0.4);
  }

  /** Text at a fixed position on the current line (columns), without moving down. */
  cell(text: string, x: number, size: number, bold = false): void {
    if (this.y + size < this.height - this.margin) this.lines.push({ x, y: this.y + size, size, text, bold });
  }

  paragraph(text: string, size: number): void {
    const maxChars = Math.floor((this.width - 2 * this.margin) / (size * CHAR_WIDTH_EM));
    let current = '';
    for (const word of text.split(' ')) {
      if (current !== '' && current.length + 1 + word.length > maxChars) {
        this.line(current, size, { gap: Math.round(size * 0.35) });
        current = word;
      } else {
        current = current === '' ? word : `${current} ${word}`;
      }
    }
    if (current !== '') this.line(current, size);
    this.y += size;
  }

  rule(): void {
    this.rules.push({ x0: this.margin, y0: this.y, x1: this.width - this.margin, y1: this.y + 2 });
    this.y += 8;
  }
}

function invoice(rng: Random): PageBuilder {
  const page = new PageBuilder(850, 1100, between(rng, 50, 80), between(rng, 20, 60));
  const size = between(rng, 13, 16);
  page.line(company(rng), size + 8, { bold: true });
  page.line(`${between(rng, 10, 999)} ${pick(rng, STREETS)}, ${pick(rng, CITIES)}`, size);
  page.line('INVOICE', size + 12, { x: page.width - page.margin - 7 * (size + 12) * CHAR_WIDTH_EM, bold: true, gap: 20 });
  page.line(`Invoice No: ${between(rng, 10000, 99999)}`, size);
  page.line(`Date: ${numericDate(rng)}`, size);
  page.line(`Bill to: ${person(rng)}, ${company(rng)}`, size, { gap: 24 });
  const columns = [page.margin, page.margin + 380, page.margin + 470, page.margin + 590];
  ['Description', 'Qty', 'Price', 'Amount'].forEach((header, i) => page.cell(header, columns[i], size, true));
  page.y += size + 10;
  page.rule();
  let total = 0;
  for (let i = between(rng, 3, 9); i > 0; i--) {
    const quantity = between(rng, 1, 20);
    const price = Number(money(rng, 90));
    total += quantity * price;
    [pick(rng, PRODUCTS), String(quantity), price.toFixed(2), (quantity * price).toFixed(2)].forEach((text, c) => page.cell(text, columns[c], size));
    page.y += size + 12;
  }
  page.rule();
  page.line(`Total Due: $${total.toFixed(2)}`, size + 2, { x: columns[2], bold: true, gap: 30 });
  page.line(`Payment terms: net ${pick(rng, [15, 30, 45])} days`, size);
  return page;
}

function letter(rng: Random): PageBuilder {
  const page = new PageBuilder(850, 1100, between(rng, 70, 110), between(rng, 40, 90));
  const size = between(rng, 13, 16);
  const sender = company(rng);
  page.line(sender, size + 4, { bold: true });
  page.line(`${between(rng, 10, 999)} ${pick(rng, STREETS)}, ${pick(rng, CITIES)}`, size, { gap: 30 });
  page.line(date(rng), size, { gap: 24 });
  page.line(person(rng), size);
  page.line(company(rng), size);
  page.line(`${between(rng, 10, 999)} ${pick(rng, STREETS)}`, size);
  page.line(pick(rng, CITIES), size, { gap: 28 });
  page.line(`Dear ${pick(rng, ['Mr.', 'Ms.', 'Dr.'])} ${pick(rng, LAST)}:`, size, { gap: 16 });
  for (let i = between(rng, 2, 4); i > 0; i--) page.paragraph(`${sentence(rng, between(rng, 25, 60))}.`, size);
  page.line('Sincerely,', size, { gap: 40 });
  page.line(person(rng), size);
  page.line(pick(rng, TITLES), size);
  return page;
}

function receipt(rng: Random): PageBuilder {
  const page = new PageBuilder(between(rng, 360, 440), between(rng, 800, 1000), 24, 20);
  const size = between(rng, 12, 15);
  page.line(pick(rng, COMPANY_A).toUpperCase(), size + 6, { bold: true });
  page.line(`${between(rng, 10, 999)} ${pick(rng, STREETS)}`, size);
  page.line(`${numericDate(rng)}  ${between(rng, 7, 21)}:${String(between(rng, 0, 59)).padStart(2, '0')}`, size, { gap: 16 });
  let total = 0;
  const priceX = page.width - page.margin - 7 * size * CHAR_WIDTH_EM;
  for (let i = between(rng, 3, 12); i > 0; i--) {
    const price = Number(money(rng, 12));
    total += price;
    page.cell(`${between(rng, 1, 3)} ${pick(rng, FOODS)}`, page.margin, size);
    page.cell(price.toFixed(2), priceX, size);
    page.y += size + 8;
  }
  page.rule();
  const tax = total * 0.07;
  for (const [name, value] of [['SUBTOTAL', total], ['TAX', tax], ['TOTAL', total + tax]] as const) {
    page.cell(name, page.margin, size, name === 'TOTAL');
    page.cell(value.toFixed(2), priceX, size, name === 'TOTAL');
    page.y += size + 8;
  }
  page.line(`${pick(rng, ['CASH', 'VISA', 'CHECK'])}  CHANGE ${money(rng, 5)}`, size, { gap: 20 });
  page.line('THANK YOU', size + 2, { bold: true });
  return page;
}

function memo(rng: Random): PageBuilder {
  const page = new PageBuilder(850, 1100, between(rng, 60, 100), between(rng, 40, 80));
  const size = between(rng, 13, 16);
  page.line(pick(rng, ['MEMORANDUM', 'INTEROFFICE MEMO', 'MEMO']), size + 10, { bold: true, gap: 30 });
  for (const [label, value] of [['TO:', person(rng)], ['FROM:', person(rng)], ['DATE:', date(rng)], ['SUBJECT:', pick(rng, TOPICS)]]) {
    page.cell(label, page.margin, size, true);
    page.cell(value, page.margin + 10 * size * CHAR_WIDTH_EM, size);
    page.y += size + 14;
  }
  page.rule();
  page.y += 10;
  for (let i = between(rng, 1, 4); i > 0; i--) page.paragraph(`${sentence(rng, between(rng, 20, 50))}.`, size);
  if (rng() < 0.5) page.line(`cc: ${person(rng)}, ${person(rng)}`, size);
  return page;
}

function tableReport(rng: Random): PageBuilder {
  const page = new PageBuilder(850, 1100, between(rng, 40, 70), between(rng, 30, 60));
  const size = between(rng, 11, 14);
  page.line(`${pick(rng, TOPICS)} - ${pick(rng, ['Table', 'Report', 'Summary'])} ${between(rng, 1, 12)}`, size + 6, { bold: true });
  page.line(`${company(rng)}, ${pick(rng, MONTHS)} ${between(rng, 1985, 2003)}`, size, { gap: 20 });
  const columnCount = between(rng, 4, 6);
  const columnWidth = Math.floor((page.width - 2 * page.margin) / columnCount);
  const columns = Array.from({ length: columnCount }, (_, c) => page.margin + c * columnWidth);
  METRICS.slice(0, columnCount).forEach((name, c) => page.cell(name, columns[c], size, true));
  page.y += size + 8;
  page.rule();
  for (let row = between(rng, 8, 30); row > 0; row--) {
    page.cell(pick(rng, CITIES).split(',')[0], columns[0], size);
    for (let c = 1; c < columnCount; c++) page.cell(c === columnCount - 1 ? `${between(rng, -20, 30)}%` : String(between(rng, 10, 99999)), columns[c], size);
    page.y += size + 8;
  }
  page.rule();
  page.line(`Source: ${company(rng)}`, size - 1);
  return page;
}

function resume(rng: Random): PageBuilder {
  const page = new PageBuilder(850, 1100, between(rng, 60, 90), between(rng, 30, 70));
  const size = between(rng, 12, 15);
  page.line(person(rng).toUpperCase(), size + 10, { bold: true });
  page.line(`${between(rng, 10, 999)} ${pick(rng, STREETS)}, ${pick(rng, CITIES)}  (${between(rng, 200, 999)}) ${between(rng, 200, 999)}-${between(rng, 1000, 9999)}`, size, { gap: 16 });
  page.rule();
  page.line('EXPERIENCE', size + 2, { bold: true });
  for (let i = between(rng, 2, 4); i > 0; i--) {
    const start = between(rng, 1970, 1995);
    page.line(`${pick(rng, TITLES)}, ${company(rng)}  ${start}-${start + between(rng, 1, 8)}`, size, { bold: true });
    page.paragraph(sentence(rng, between(rng, 12, 28)), size);
  }
  page.line('EDUCATION', size + 2, { bold: true });
  page.line(`${pick(rng, ['B.S.', 'B.A.', 'M.S.', 'M.B.A.', 'Ph.D.'])} ${pick(rng, ['Chemistry', 'Economics', 'Biology', 'Accounting', 'Engineering'])}, University of ${pick(rng, CITIES).split(',')[0]}`, size, { gap: 16 });
  page.line('SKILLS', size + 2, { bold: true });
  page.line(Array.from({ length: between(rng, 3, 5) }, () => pick(rng, SKILLS)).join(', '), size);
  return page;
}

const COMPOSERS: Record<DocumentKind, (rng: Random) => PageBuilder> = {
  invoice,
  letter,
  receipt,
  memo,
  'table-report': tableReport,
  resume,
};

export function composePage(kind: DocumentKind, rng: Random): SyntheticPage {
  const page = COMPOSERS[kind](rng);
  return { kind, width: page.width, height: page.height, lines: page.lines, rules: page.rules };
}

/** Every word of the page with its pixel box: x from the character offset, y from the font's ascent/descent. */
export function pageWords(page: SyntheticPage): SyntheticWord[] {
  const words: SyntheticWord[] = [];
  page.lines.forEach((line, segment) => {
    const advance = line.size * CHAR_WIDTH_EM;
    for (const match of line.text.matchAll(/\S+/g)) {
      const x0 = line.x + (match.index as number) * advance;
      const box: PixelBox = [
        Math.max(0, Math.floor(x0)),
        Math.max(0, Math.floor(line.y - ASCENT_EM * line.size)),
        Math.min(page.width, Math.ceil(x0 + match[0].length * advance)),
        Math.min(page.height, Math.ceil(line.y + DESCENT_EM * line.size)),
      ];
      words.push({ text: match[0], box, segment });
    }
  });
  return words;
}

const escapeXml = (text: string) => text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');

/** The page as SVG: white background, monospace text (spaces preserved so offsets hold), rules as thin bars. */
export function pageSvg(page: SyntheticPage): string {
  const texts = page.lines.map(
    (line) =>
      `<text x="${line.x}" y="${line.y}" font-size="${line.size}"${line.bold ? ' font-weight="bold"' : ''} xml:space="preserve">${escapeXml(line.text)}</text>`,
  );
  const rules = page.rules.map((rule) => `<rect x="${rule.x0}" y="${rule.y0}" width="${rule.x1 - rule.x0}" height="${rule.y1 - rule.y0}" fill="black"/>`);
  return (
    `<svg xmlns="http://www.w3.org/2000/svg" width="${page.width}" height="${page.height}">` +
    `<rect width="100%" height="100%" fill="white"/><g font-family="DejaVu Sans Mono, monospace" fill="black">${texts.join('')}${rules.join('')}</g></svg>`
  );
}
