import {
  code, company, date, DEPARTMENTS, email, formalPerson, lastName, money, monthName, paragraphText, person, phone, PRODUCTS,
  SCIENCE, sentence, SKILLS, street, city, TITLES, titleCase, TOPICS, withCommas, year,
} from './content';
import { barChart, bold, checkbox, Compose, labelled, letterhead, regular, signature, stamp, table } from './page-parts';
import { between, chance, pick, shuffled } from './random';

/**
 * The 16 document types of RVL-CDIP, each a composer that lays out one page with random content and marks the
 * fields it writes (their names are the keys of `questions.ts`).
 */

export const DOCUMENT_TYPES = [
  'letter', 'form', 'email', 'handwritten', 'advertisement', 'scientific-report', 'scientific-publication', 'specification',
  'file-folder', 'news-article', 'budget', 'invoice', 'presentation', 'questionnaire', 'resume', 'memo',
] as const;
export type DocumentType = (typeof DOCUMENT_TYPES)[number];

export class UnknownDocumentTypeError extends Error {
  constructor(name: string) {
    super(`unknown document type '${name}': expected one of ${DOCUMENT_TYPES.join(', ')}`);
  }
}

export function parseDocumentTypes(list: string): DocumentType[] {
  return list.split(',').map((name) => name.trim()).filter(Boolean).map((name) => {
    if (!(DOCUMENT_TYPES as readonly string[]).includes(name)) throw new UnknownDocumentTypeError(name);
    return name as DocumentType;
  });
}

function closing(ctx: Compose): void {
  const { b, rng } = ctx;
  b.line(pick(rng, ['Sincerely,', 'Yours truly,', 'Best regards,', 'Very truly yours,']));
  if (!b.fits(90)) return;
  signature(ctx, b.left, b.y, between(rng, 110, 190));
  b.gap(44);
  b.line({ text: person(rng), field: 'signer' });
  b.line(pick(rng, TITLES));
}

function letter(ctx: Compose): void {
  const { b, rng } = ctx;
  letterhead(ctx);
  b.line({ text: date(rng), field: 'date' }, { align: chance(rng, 0.4) ? 'right' : 'left' });
  b.gap(16);
  b.line({ text: formalPerson(rng), field: 'recipient' });
  b.line(company(rng));
  b.line(street(rng));
  b.line(city(rng));
  b.gap(16);
  if (chance(rng, 0.5)) b.line(['Re: ', { text: pick(rng, TOPICS), field: 'subject' }], { face: bold(ctx.fonts.body) });
  b.line(`Dear ${pick(rng, ['Mr.', 'Ms.', 'Dr.'])} ${lastName(rng)}:`);
  b.gap(6);
  for (let i = between(rng, 2, 4); i > 0; i--) {
    b.paragraph(paragraphText(rng, between(rng, 2, 4)));
    b.gap(10);
  }
  closing(ctx);
  if (chance(rng, 0.3)) stamp(ctx, b.right - 200, 140 + rng() * 200, ['RECEIVED', date(rng)]);
}

function form(ctx: Compose): void {
  const { b, rng, fonts } = ctx;
  if (chance(rng, 0.5)) letterhead(ctx, 'company');
  b.line(pick(rng, ['REQUEST FORM', 'FAX COVER SHEET', 'AUTHORIZATION FORM', 'ORDER FORM', 'CHANGE REQUEST', 'TRANSMITTAL FORM']), { align: 'center', size: b.size + 8, face: bold(fonts.heading) });
  b.gap(12);
  const entries: Array<[string, string, string]> = shuffled(rng, [
    ['NAME:', person(rng), 'name'],
    ['DATE:', date(rng), 'date'],
    ['PHONE:', phone(rng), 'phone'],
    ['FAX:', phone(rng), 'fax'],
    ['COMPANY:', company(rng), 'company'],
    ['ADDRESS:', `${street(rng)}, ${city(rng)}`, 'address'],
    ['DEPARTMENT:', pick(rng, DEPARTMENTS), 'department'],
    ['SUBJECT:', pick(rng, TOPICS), 'subject'],
  ] as Array<[string, string, string]>).slice(0, between(rng, 4, 8));
  const twoColumns = chance(rng, 0.4);
  const labelWidth = between(rng, 110, 150);
  entries.forEach(([label, value, field], i) => {
    const column = twoColumns ? i % 2 : 0;
    const x = column === 0 ? b.left : b.width / 2 + 10;
    b.text(label, { x, face: bold(fonts.body) });
    b.text({ text: value, field }, { x: x + labelWidth });
    if (chance(rng, 0.5)) b.rule(x + labelWidth - 4, column === 0 && twoColumns ? b.width / 2 - 10 : b.right, 1);
    if (!twoColumns || column === 1 || i === entries.length - 1) b.gap(b.size * 2.2);
  });
  b.gap(10);
  b.line('COMMENTS:', { face: bold(fonts.body) });
  b.shape({ kind: 'rect', x: b.left, y: b.y, w: b.right - b.left, h: 140, stroke: '#333', lineWidth: 1 });
  b.gap(8);
  b.paragraph(paragraphText(rng, between(rng, 1, 3)), { x: b.left + 8, width: b.right - b.left - 16 });
  b.gap(50);
  for (const option of shuffled(rng, ['Urgent', 'For review', 'Please reply', 'For your information']).slice(0, 3)) {
    checkbox(ctx, b.left, b.size, chance(rng, 0.4));
    b.line(option, { x: b.left + b.size * 1.4 });
  }
  if (chance(rng, 0.6) && b.fits(80)) {
    b.gap(20);
    b.text('SIGNATURE:', { face: bold(fonts.body) });
    signature(ctx, b.left + labelWidth, b.y - 10, 160);
  }
}

function email_(ctx: Compose): void {
  const { b, rng, fonts } = ctx;
  const sender = person(rng);
  const recipient = person(rng);
  b.face = regular(chance(rng, 0.5) ? fonts.mono : fonts.body);
  if (chance(rng, 0.5)) b.line(`${sender.split(' ')[1]}, ${sender.split(' ')[0]}`, { face: bold(fonts.body), size: b.size + 2 });
  const labelWidth = chance(rng, 0.5) ? between(rng, 80, 110) : undefined;
  labelled(ctx, 'From:', `${sender} <${email(rng, sender)}>`, 'sender', { labelWidth });
  labelled(ctx, 'Sent:', date(rng), 'date', { labelWidth });
  labelled(ctx, 'To:', recipient, 'recipient', { labelWidth });
  if (chance(rng, 0.5)) labelled(ctx, 'Cc:', person(rng), 'cc', { labelWidth });
  labelled(ctx, 'Subject:', pick(rng, TOPICS), 'subject', { labelWidth });
  b.gap(6);
  b.rule();
  b.gap(16);
  b.line(`${recipient.split(' ')[0]},`);
  b.gap(6);
  for (let i = between(rng, 1, 4); i > 0; i--) {
    b.paragraph(paragraphText(rng, between(rng, 1, 4)));
    b.gap(10);
  }
  b.line('Thanks,');
  b.line(sender.split(' ')[0]);
  if (chance(rng, 0.4)) {
    b.gap(16);
    b.line('-----Original Message-----');
    b.paragraph(paragraphText(rng, 2));
  }
}

function handwritten(ctx: Compose): void {
  const { b, rng, fonts } = ctx;
  b.face = regular(fonts.script);
  b.size = between(rng, 20, 28);
  b.colour = pick(rng, ['#1a237e', '#111', '#263238']);
  if (chance(rng, 0.5)) {
    for (let y = b.y + b.size * 1.1; y < b.bottom; y += b.size * 1.5) b.shape({ kind: 'rect', x: 0, y, w: b.width, h: 1, fill: '#9ec5e8' });
  }
  const tilt = () => -2 + rng() * 4;
  b.line({ text: date(rng), field: 'date' }, { align: 'right', angle: tilt(), leading: 1.5 });
  b.line(['Dear ', { text: person(rng).split(' ')[0], field: 'recipient' }, ','], { angle: tilt(), leading: 1.5 });
  for (let i = between(rng, 4, 10); i > 0; i--) {
    b.line(sentence(rng, between(rng, 4, 7)), { x: b.left + rng() * 20, angle: tilt(), leading: 1.5 });
  }
  b.gap(10);
  b.line(pick(rng, ['Thanks,', 'Love,', 'Best,', 'Regards,']), { angle: tilt(), leading: 1.5 });
  b.line({ text: person(rng).split(' ')[0], field: 'signer' }, { angle: tilt(), leading: 1.5 });
}

function advertisement(ctx: Compose): void {
  const { b, rng, fonts } = ctx;
  const product = `${pick(rng, ['New', 'Fresh', 'Premium', 'Classic', 'Ultra'])} ${pick(rng, ['Menthol', 'Lights', 'Gold', 'Blend', 'Select', 'Filter'])}`;
  const brand = company(rng).split(' ')[0].toUpperCase();
  b.shape({ kind: 'rect', x: 0, y: 0, w: b.width, h: b.height, fill: pick(rng, ['#f6e7c1', '#dfe9f5', '#f2d7d9', '#e4f1e1', '#fff']) });
  b.gap(between(rng, 10, 60));
  b.line({ text: brand, field: 'company' }, { align: 'center', size: between(rng, 48, 72), face: bold(fonts.heading) });
  b.line({ text: product, field: 'product' }, { align: 'center', size: between(rng, 30, 44), face: bold(fonts.heading), colour: '#a31f34' });
  const pictureTop = b.y + 10;
  const pictureHeight = between(rng, 260, 420);
  b.shape({ kind: 'rect', x: b.left, y: pictureTop, w: b.right - b.left, h: pictureHeight, fill: pick(rng, ['#6d8fb3', '#b38f6d', '#7fa37a', '#9b6db3']) });
  b.shape({ kind: 'ellipse', cx: b.width / 2, cy: pictureTop + pictureHeight / 2, rx: 120 + rng() * 80, ry: 80 + rng() * 60, fill: '#f4f1e8' });
  b.y = pictureTop + pictureHeight + 20;
  b.line(pick(rng, ['Taste the difference.', 'Smooth. Rich. Yours.', 'The choice of a new generation.', 'Now in a new pack!']), { align: 'center', size: between(rng, 24, 34), face: bold(fonts.body) });
  b.line(['Only $', { text: money(rng, 30), field: 'price' }, pick(rng, [' a pack', ' each', ''])], { align: 'center', size: between(rng, 22, 30) });
  b.line(['Call ', { text: phone(rng), field: 'phone' }, ' to order'], { align: 'center', size: between(rng, 14, 18) });
  b.y = b.bottom - 60;
  b.shape({ kind: 'rect', x: b.left, y: b.y, w: b.right - b.left, h: 50, stroke: '#000', lineWidth: 2 });
  b.gap(8);
  b.paragraph(`SURGEON GENERAL'S WARNING: ${sentence(rng, 10)}`, { x: b.left + 8, width: b.right - b.left - 16, size: 11 });
}

function scientificReport(ctx: Compose): void {
  const { b, rng, fonts } = ctx;
  if (chance(rng, 0.5)) letterhead(ctx, 'company');
  b.line(['Report No. ', { text: code(rng, 'RD-'), field: 'report_number' }], { align: 'right', size: b.size - 1 });
  b.gap(20);
  b.paragraph(titleCase(`${pick(rng, ['Effect of', 'Analysis of', 'Determination of', 'Evaluation of'])} ${pick(rng, SCIENCE)} ${pick(rng, ['in', 'on', 'and'])} ${pick(rng, SCIENCE)}`), { size: b.size + 8, face: bold(fonts.heading), field: 'title' });
  b.gap(6);
  labelled(ctx, 'Author:', person(rng), 'author');
  labelled(ctx, 'Department:', pick(rng, DEPARTMENTS), 'department');
  labelled(ctx, 'Date:', date(rng), 'date');
  b.gap(12);
  for (const section of ['Summary', 'Introduction', 'Methods', 'Results', 'Conclusions']) {
    if (!b.fits(80)) break;
    b.line(section, { face: bold(fonts.body), size: b.size + 2 });
    b.paragraph(paragraphText(rng, between(rng, 2, 4)));
    b.gap(8);
    if (section === 'Results' && chance(rng, 0.6) && b.fits(200)) {
      table(ctx, ['Sample', 'Mean', 'SD', 'n'], Array.from({ length: between(rng, 3, 7) }, (_, i) => [`${pick(rng, SCIENCE)} ${i + 1}`, money(rng, 50), money(rng, 3), String(between(rng, 3, 40))]), { borders: chance(rng, 0.5) });
    }
  }
}

function scientificPublication(ctx: Compose): void {
  const { b, rng, fonts } = ctx;
  b.line([{ text: pick(rng, ['Journal of Applied Chemistry', 'Toxicology Letters', 'Analytical Methods', 'Food and Chemical Toxicology', 'Science Review']), field: 'journal' }, `, Vol. ${between(rng, 1, 60)} (${year(rng)})`], { size: b.size - 3, face: regular(fonts.body) });
  b.gap(14);
  b.paragraph(titleCase(`${pick(rng, SCIENCE)} ${pick(rng, ['and', 'in', 'as a measure of'])} ${pick(rng, SCIENCE)}: ${pick(rng, ['a controlled study', 'a review', 'new evidence', 'a field trial'])}`), { size: b.size + 7, face: bold(fonts.heading), field: 'title', width: b.right - b.left });
  b.line({ text: `${person(rng)}, ${person(rng)}`, field: 'author' }, { size: b.size });
  b.line(`${company(rng)}, ${city(rng)}`, { size: b.size - 2 });
  b.gap(10);
  b.line('Abstract', { face: bold(fonts.body) });
  b.paragraph(paragraphText(rng, 3), { size: b.size - 1 });
  b.gap(10);
  const columnWidth = (b.right - b.left - 24) / 2;
  const top = b.y;
  for (const [column, x] of [b.left, b.left + columnWidth + 24].entries()) {
    b.y = top;
    for (const section of column === 0 ? ['1. Introduction', '2. Materials and methods'] : ['3. Results', '4. Discussion']) {
      b.line(section, { x, face: bold(fonts.body), size: b.size - 1 });
      b.paragraph(paragraphText(rng, between(rng, 3, 6)), { x, width: columnWidth, size: b.size - 2 });
      b.gap(6);
    }
  }
}

function specification(ctx: Compose): void {
  const { b, rng, fonts } = ctx;
  if (chance(rng, 0.5)) letterhead(ctx, 'company');
  b.line('PRODUCT SPECIFICATION', { align: chance(rng, 0.5) ? 'center' : 'left', size: b.size + 6, face: bold(fonts.heading) });
  b.gap(8);
  const labelWidth = between(rng, 150, 190);
  labelled(ctx, 'Spec No.:', code(rng, 'SP-'), 'spec_number', { labelWidth });
  labelled(ctx, 'Product:', pick(rng, PRODUCTS), 'product', { labelWidth });
  labelled(ctx, 'Revision:', `${pick(rng, ['A', 'B', 'C', 'D'])}${between(rng, 0, 9)}`, 'revision', { labelWidth });
  labelled(ctx, 'Effective date:', date(rng), 'date', { labelWidth });
  labelled(ctx, 'Approved by:', person(rng), 'approved_by', { labelWidth });
  b.gap(14);
  table(ctx, ['Parameter', 'Target', 'Min', 'Max', 'Unit'], Array.from({ length: between(rng, 5, 14) }, () => {
    const target = between(rng, 5, 900);
    return [titleCase(pick(rng, SCIENCE)), String(target), String(Math.round(target * 0.9)), String(Math.round(target * 1.1)), pick(rng, ['mg', 'mm', '%', 'g', 'ppm'])];
  }), { borders: chance(rng, 0.6), size: b.size - 1 });
  b.line('Notes', { face: bold(fonts.body) });
  b.paragraph(paragraphText(rng, 2));
}

function fileFolder(ctx: Compose): void {
  const { b, rng, fonts } = ctx;
  const colour = pick(rng, ['#e3c98f', '#d9c27a', '#cfd8dc', '#e8d5a9']);
  b.shape({ kind: 'rect', x: 0, y: 0, w: b.width, h: b.height, fill: colour });
  const tabX = b.left + rng() * (b.right - b.left - 360);
  b.shape({ kind: 'polygon', points: [[tabX, 120], [tabX + 20, 60], [tabX + 340, 60], [tabX + 360, 120]], fill: '#f3e6c4', stroke: '#8a6d3b', lineWidth: 2 });
  b.shape({ kind: 'rect', x: tabX + 30, y: 70, w: 300, h: 44, fill: '#fff', stroke: '#555', lineWidth: 1 });
  b.y = 76;
  b.text({ text: `${lastName(rng).toUpperCase()}, ${pick(rng, TOPICS)}`.slice(0, 34), field: 'name' }, { x: tabX + 38, size: 18, face: bold(chance(rng, 0.5) ? fonts.mono : fonts.body) });
  b.shape({ kind: 'rect', x: 0, y: 120, w: b.width, h: 2, fill: '#8a6d3b' });
  b.y = 200 + rng() * 200;
  if (chance(rng, 0.7)) b.line(['FILE NO. ', { text: code(rng, 'F'), field: 'file_number' }], { x: b.left + 40, size: 22, face: bold(fonts.mono) });
  if (chance(rng, 0.5)) b.line({ text: date(rng), field: 'date' }, { x: b.left + 40, size: 20, face: regular(fonts.script) });
  if (chance(rng, 0.5)) stamp(ctx, b.left + 80 + rng() * 300, b.y + 60, [pick(rng, ['CONFIDENTIAL', 'RECEIVED', 'FILE COPY', 'ARCHIVE'])]);
}

function newsArticle(ctx: Compose): void {
  const { b, rng, fonts } = ctx;
  const paper = `The ${pick(rng, ['Daily', 'Evening', 'Morning', 'Weekly'])} ${pick(rng, ['Herald', 'Tribune', 'Journal', 'Gazette', 'Courier', 'Times'])}`;
  b.line({ text: paper, field: 'newspaper' }, { align: 'center', size: between(rng, 34, 46), face: bold(fonts.heading) });
  b.rule(b.left, b.right, 3);
  b.gap(6);
  b.line({ text: date(rng), field: 'date' }, { size: b.size - 2 });
  b.rule(b.left, b.right, 1);
  b.gap(16);
  b.paragraph(titleCase(`${pick(rng, ['Study links', 'Company reports', 'Officials debate', 'Report questions'])} ${pick(rng, SCIENCE)} ${pick(rng, ['to health', 'and sales', 'in state', 'in new rules'])}`), { size: between(rng, 26, 36), face: bold(fonts.heading), field: 'headline' });
  b.line(['By ', { text: person(rng), field: 'author' }], { size: b.size - 1, face: bold(fonts.body) });
  b.gap(8);
  const columns = between(rng, 2, 4);
  const gutter = 16;
  const width = (b.right - b.left - gutter * (columns - 1)) / columns;
  const top = b.y;
  for (let c = 0; c < columns; c++) {
    b.y = top;
    const x = b.left + c * (width + gutter);
    while (b.fits(60)) {
      if (b.paragraph(paragraphText(rng, between(rng, 2, 4)), { x, width, size: between(rng, 10, 12) }) === 0) break;
      b.gap(6);
    }
    if (c < columns - 1) b.shape({ kind: 'rect', x: x + width + gutter / 2, y: top, w: 0.8, h: b.bottom - top, fill: '#555' });
  }
}

function budget(ctx: Compose): void {
  const { b, rng, fonts } = ctx;
  if (chance(rng, 0.5)) letterhead(ctx, 'company');
  const fiscal = year(rng);
  b.line([pick(rng, ['BUDGET', 'PROPOSED BUDGET', 'BUDGET SUMMARY']), ' FY ', { text: String(fiscal), field: 'fiscal_year' }], { size: b.size + 6, face: bold(fonts.heading) });
  labelled(ctx, 'Department:', pick(rng, DEPARTMENTS), 'department');
  labelled(ctx, 'Prepared by:', person(rng), 'prepared_by');
  b.gap(12);
  const items = ['Salaries', 'Benefits', 'Travel', 'Supplies', 'Equipment', 'Consultants', 'Printing', 'Postage', 'Advertising', 'Research', 'Rent', 'Telephone'];
  const rows = shuffled(rng, items).slice(0, between(rng, 5, 11)).map((item) => {
    const planned = between(rng, 1000, 250000);
    return { item, planned, actual: Math.round(planned * (0.8 + rng() * 0.4)) };
  });
  const columns = table(ctx, ['Item', `${fiscal - 1} Actual`, `${fiscal} Budget`, 'Change'], rows.map(({ item, planned, actual }) => [item, withCommas(actual), withCommas(planned), `${Math.round(((planned - actual) / actual) * 100)}%`]), { borders: chance(rng, 0.5) });
  const total = rows.reduce((sum, row) => sum + row.planned, 0);
  if (columns.length > 0) {
    b.rule(columns[0], b.right, 1.5);
    b.gap(4);
    b.text('TOTAL', { x: columns[0] + 4, face: bold(fonts.body) });
    b.line({ text: `$${withCommas(total)}`, field: 'budget_total' }, { x: columns[2] + 4, face: bold(fonts.body) });
  }
  b.gap(12);
  b.paragraph(paragraphText(rng, between(rng, 1, 3)));
}

function invoice(ctx: Compose): void {
  const { b, rng, fonts } = ctx;
  letterhead(ctx, 'vendor');
  b.line('INVOICE', { align: chance(rng, 0.5) ? 'right' : 'left', size: b.size + 12, face: bold(fonts.heading) });
  const labelWidth = between(rng, 120, 150);
  const number = String(between(rng, 10000, 999999));
  labelled(ctx, pick(rng, ['Invoice No:', 'Invoice #:', 'Invoice Number:']), number, 'invoice_number', { labelWidth });
  labelled(ctx, pick(rng, ['Date:', 'Invoice Date:']), date(rng), 'invoice_date', { labelWidth });
  if (chance(rng, 0.6)) labelled(ctx, 'Due Date:', date(rng), 'due_date', { labelWidth });
  if (chance(rng, 0.5)) labelled(ctx, 'P.O. No:', String(between(rng, 1000, 99999)), 'po_number', { labelWidth });
  b.gap(10);
  b.line('Bill To:', { face: bold(fonts.body) });
  b.line({ text: company(rng), field: 'customer' });
  b.line(street(rng));
  b.line(city(rng));
  b.gap(14);
  let total = 0;
  const rows = Array.from({ length: between(rng, 2, 10) }, () => {
    const quantity = between(rng, 1, 40);
    const price = Number(money(rng, 120));
    total += quantity * price;
    return [pick(rng, PRODUCTS), String(quantity), price.toFixed(2), withCommas(quantity * price)];
  });
  const columns = table(ctx, ['Description', 'Qty', 'Unit Price', 'Amount'], rows, { borders: chance(rng, 0.5) });
  if (columns.length > 0) {
    b.text(pick(rng, ['Total Due:', 'TOTAL:', 'Amount Due:']), { x: columns[2] + 4, face: bold(fonts.body) });
    b.line({ text: `$${withCommas(total)}`, field: 'total' }, { x: columns[3] + 4, face: bold(fonts.body) });
  }
  b.gap(16);
  b.line(`Payment terms: net ${pick(rng, [15, 30, 45, 60])} days`);
  if (chance(rng, 0.3)) stamp(ctx, b.left + 200 + rng() * 200, b.y + 20, ['PAID', date(rng)]);
}

function presentation(ctx: Compose): void {
  const { b, rng, fonts } = ctx;
  b.shape({ kind: 'rect', x: 0, y: 0, w: b.width, h: chance(rng, 0.5) ? 120 : 110, fill: pick(rng, ['#1f4e9c', '#2d7d46', '#5b2c83', '#333', '#a31f34']) });
  b.y = 34;
  b.line({ text: pick(rng, TOPICS), field: 'title' }, { size: between(rng, 32, 44), face: bold(fonts.heading), colour: '#fff' });
  b.y = 150;
  for (let i = between(rng, 3, 6); i > 0; i--) {
    b.shape({ kind: 'ellipse', cx: b.left + 8, cy: b.y + b.size * 0.75, rx: 5, ry: 5, fill: '#333' });
    b.line(sentence(rng, between(rng, 3, 7)), { x: b.left + 26, size: between(rng, 20, 26), leading: 1.6 });
  }
  if (chance(rng, 0.6) && b.fits(260)) {
    b.gap(10);
    barChart(ctx, b.left + 40, b.right - b.left - 80, 220, Array.from({ length: between(rng, 3, 8) }, () => between(rng, 5, 100)));
  }
  b.y = b.bottom - 30;
  b.text(['Presented by ', { text: person(rng), field: 'presenter' }], { size: 14 });
  b.text({ text: date(rng), field: 'date' }, { align: 'right', size: 14 });
}

function questionnaire(ctx: Compose): void {
  const { b, rng, fonts } = ctx;
  b.line(pick(rng, ['CONSUMER SURVEY', 'QUESTIONNAIRE', 'PRODUCT EVALUATION', 'SMOKER SURVEY']), { align: 'center', size: b.size + 8, face: bold(fonts.heading) });
  b.gap(8);
  labelled(ctx, 'Respondent:', person(rng), 'respondent', { labelWidth: 120 });
  labelled(ctx, 'Date:', date(rng), 'date', { labelWidth: 120 });
  b.gap(10);
  const scales = [['Yes', 'No'], ['Poor', 'Fair', 'Good', 'Excellent'], ['Never', 'Sometimes', 'Often'], ['1', '2', '3', '4', '5']];
  for (let q = 1; b.fits(80); q++) {
    b.paragraph(`${q}. ${sentence(rng, between(rng, 6, 14)).replace(/\.$/, '?')}`, { face: bold(fonts.body) });
    const options = pick(rng, scales);
    let x = b.left + 20;
    const chosen = between(rng, 0, options.length - 1);
    for (const [i, option] of options.entries()) {
      checkbox(ctx, x, b.size, i === chosen);
      b.text(option, { x: x + b.size * 1.3 });
      x += b.size * 1.3 + b.textWidth(option) + 30;
    }
    b.gap(b.size * 2.2);
  }
}

function resume(ctx: Compose): void {
  const { b, rng, fonts } = ctx;
  const name = person(rng);
  b.line({ text: name.toUpperCase(), field: 'name' }, { align: chance(rng, 0.5) ? 'center' : 'left', size: b.size + 12, face: bold(fonts.heading) });
  b.line([{ text: `${street(rng)}, ${city(rng)}`, field: 'address' }], { align: 'center', size: b.size - 1 });
  b.line([{ text: phone(rng), field: 'phone' }, '  |  ', { text: email(rng, name), field: 'email_address' }], { align: 'center', size: b.size - 1 });
  b.rule();
  b.gap(12);
  for (const section of shuffled(rng, ['EXPERIENCE', 'EDUCATION', 'SKILLS', 'PUBLICATIONS'])) {
    if (!b.fits(60)) break;
    b.line(section, { face: bold(fonts.heading), size: b.size + 2 });
    if (section === 'EXPERIENCE') {
      for (let i = between(rng, 2, 3); i > 0; i--) {
        const start = between(rng, 1965, 1995);
        b.line(`${pick(rng, TITLES)}, ${company(rng)}   ${start}-${start + between(rng, 1, 8)}`, { face: bold(fonts.body) });
        b.paragraph(paragraphText(rng, 1));
      }
    } else if (section === 'EDUCATION') {
      b.line(`${pick(rng, ['B.S.', 'B.A.', 'M.S.', 'M.B.A.', 'Ph.D.'])} ${pick(rng, ['Chemistry', 'Economics', 'Biology', 'Accounting', 'Engineering'])}, University of ${city(rng).split(',')[0]}, ${year(rng)}`);
    } else if (section === 'SKILLS') {
      b.line(shuffled(rng, SKILLS).slice(0, between(rng, 3, 5)).join(', '));
    } else {
      b.paragraph(`${person(rng)} and ${name}. ${titleCase(pick(rng, SCIENCE))} ${pick(rng, ['in practice', 'revisited', 'and health'])}. ${year(rng)}.`);
    }
    b.gap(10);
  }
}

function memo(ctx: Compose): void {
  const { b, rng, fonts } = ctx;
  if (chance(rng, 0.4)) letterhead(ctx, 'company');
  b.line(pick(rng, ['MEMORANDUM', 'INTEROFFICE MEMO', 'MEMO', 'INTER-OFFICE CORRESPONDENCE']), { size: b.size + 10, face: bold(fonts.heading), align: chance(rng, 0.4) ? 'center' : 'left' });
  b.gap(12);
  const labelWidth = between(rng, 90, 120);
  const entries: Array<[string, string, string]> = [
    ['TO:', person(rng), 'recipient'],
    ['FROM:', person(rng), 'sender'],
    ['DATE:', date(rng), 'date'],
    [pick(rng, ['SUBJECT:', 'RE:']), pick(rng, TOPICS), 'subject'],
  ];
  if (chance(rng, 0.5)) entries.splice(2, 0, ['CC:', person(rng), 'cc']);
  for (const [label, value, field] of chance(rng, 0.3) ? shuffled(rng, entries) : entries) {
    labelled(ctx, label, value, field, { labelWidth });
    b.gap(6);
  }
  b.rule();
  b.gap(16);
  for (let i = between(rng, 1, 4); i > 0; i--) {
    b.paragraph(paragraphText(rng, between(rng, 2, 4)));
    b.gap(10);
  }
  if (chance(rng, 0.4)) b.line(`${pick(rng, ['Attachment', 'Enclosure'])}: ${pick(rng, TOPICS)}`);
}

export const COMPOSERS: Record<DocumentType, (ctx: Compose) => void> = {
  letter, form, email: email_, handwritten, advertisement, 'scientific-report': scientificReport,
  'scientific-publication': scientificPublication, specification, 'file-folder': fileFolder, 'news-article': newsArticle,
  budget, invoice, presentation, questionnaire, resume, memo,
};
