import { renderFormPng, unionBox, wordsOnLine } from './fixtures';
import { ZipEntrySpec } from './zip';

/** One line of a rendered form: a key (question) and its value (answer), or a header. */
export interface FormField {
  key: string;
  value?: string;
}

export interface RenderedForm {
  id: string;
  png: Buffer;
  /** The FUNSD annotation of the page (entities with words and approximate pixel boxes). */
  annotation: { form: unknown[] };
}

/**
 * Renders a form (title line, then "key value" lines with renderFormPng's layout) and its FUNSD annotation:
 * the title is a header, each key a question linked to its value, an answer. Boxes follow the renderer's
 * 32 px sans-serif closely enough for layout tokens.
 */
export async function renderFunsdForm(id: string, title: string, fields: FormField[], labelOverride?: string): Promise<RenderedForm> {
  const lines = [title, ...fields.map((field) => (field.value ? `${field.key} ${field.value}` : field.key))];
  const form: unknown[] = [];
  const addEntity = (label: string, words: Array<{ text: string; box: number[] }>, linking: number[][] = []) => {
    const entity = { id: form.length, label: labelOverride ?? label, text: words.map((w) => w.text).join(' '), box: unionBox(words.map((w) => w.box)), words, linking };
    form.push(entity);
    return entity.id;
  };
  addEntity('header', wordsOnLine(title, 0).words);
  fields.forEach((field, index) => {
    const key = wordsOnLine(field.key, index + 1);
    const questionId = form.length;
    const answerId = field.value ? questionId + 1 : undefined;
    addEntity('question', key.words, answerId === undefined ? [] : [[questionId, answerId]]);
    if (field.value) addEntity('answer', wordsOnLine(field.value, index + 1, key.end).words, [[questionId, answerId as number]]);
  });
  return { id, png: await renderFormPng(lines), annotation: { form } };
}

/** The forms of the dataset tests: small, varied, each with a header, two to three questions and answers. */
export async function sampleForms(): Promise<RenderedForm[]> {
  return Promise.all([
    renderFunsdForm('form-a', 'REGISTRATION FORM', [{ key: 'Name:', value: 'John Smith' }, { key: 'City:', value: 'Springfield' }]),
    renderFunsdForm('form-b', 'ORDER SHEET', [{ key: 'Item:', value: 'Paper' }, { key: 'Quantity:', value: '12' }, { key: 'Date:', value: '2024-01-05' }]),
    renderFunsdForm('form-c', 'MEMO', [{ key: 'To:', value: 'Ann Lee' }, { key: 'From:', value: 'Bob Ray' }]),
    renderFunsdForm('form-d', 'INVOICE', [{ key: 'Number:', value: '12345' }, { key: 'Total:', value: '99.50' }]),
  ]);
}

/** Zip entries in FUNSD's layout: images/<id>.png + annotations/<id>.json. */
export function funsdEntries(forms: RenderedForm[], prefix = ''): ZipEntrySpec[] {
  return forms.flatMap((form) => [
    { name: `${prefix}images/${form.id}.png`, data: form.png, compress: false },
    { name: `${prefix}annotations/${form.id}.json`, data: JSON.stringify(form.annotation) },
  ]);
}
