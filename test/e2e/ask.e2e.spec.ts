import { NestFastifyApplication } from '@nestjs/platform-fastify';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import sharp from 'sharp';
import { assertError, bootApp, postDocument, TEST_BUNDLES_DIR } from '../helpers/app';
import { Box, formWords, renderFormPng, scannedPdf, solidPng, TEXT_PDF_PAGES, textLayerPdf, tiffOf, unionBox } from '../helpers/fixtures';

/** The tiny ask bundle exported by the trainer (split image encoder, maxLength 64). */
const MANIFEST = JSON.parse(readFileSync(join(TEST_BUNDLES_DIR, 'tiny-ask', 'manifest.json'), 'utf8'));
const MAX_QUESTIONS = 4;

const FORM_LINES = ['Name: John Smith', 'Date: 12/03/1990', 'City: Springfield'];
const QUESTIONS = ['What is the name?', 'What is the date?'];

interface Answer {
  question: string;
  answer: string | null;
  confidence: number;
  noAnswerConfidence: number;
  page: number | null;
  box: Box | null;
  words: Array<{ text: string; box: Box }>;
  topK: Array<{ answer: string; confidence: number; page: number; box: Box }>;
  noAnswer: boolean;
}

interface AskBody {
  model: { id: string; version: string };
  answers: Answer[];
  timings: { totalMs: number; ocrMs: number; imageEncoderMs: number; modelMs: number; cacheHit: boolean };
}

/**
 * Shape and consistency of every answer. `pageTexts` (page number → the page's words, in order) checks that each
 * answer and alternative is a run of whole consecutive words of the page it names.
 */
function assertAnswers(body: AskBody, questions: string[], pageTexts?: Map<number, string[]>): void {
  assert.deepEqual(body.model, { id: MANIFEST.id, version: MANIFEST.version });
  assert.deepEqual(body.answers.map((a) => a.question), questions);
  for (const answer of body.answers) {
    assert.ok(answer.confidence >= 0 && answer.confidence <= 1 && answer.noAnswerConfidence >= 0 && answer.noAnswerConfidence <= 1);
    const confidences = answer.topK.map((alternative) => alternative.confidence);
    assert.deepEqual(confidences, [...confidences].sort((a, b) => b - a), 'topK best first');
    for (const alternative of answer.topK) {
      assert.ok(alternative.answer.length > 0 && alternative.box.length === 4);
      if (pageTexts) assertWordRun(alternative.answer, pageTexts.get(alternative.page));
    }
    if (answer.noAnswer) {
      assert.equal(answer.answer, null);
      assert.equal(answer.page, null);
      assert.equal(answer.box, null);
      assert.deepEqual(answer.words, []);
    } else {
      assert.deepEqual([answer.answer, answer.page, answer.box], [answer.topK[0].answer, answer.topK[0].page, answer.topK[0].box]);
      assert.equal(answer.answer, answer.words.map((word) => word.text).join(' '));
      assert.deepEqual(answer.box, unionBox(answer.words.map((word) => word.box)));
      assert.ok(answer.confidence >= answer.noAnswerConfidence);
    }
  }
}

function assertWordRun(answer: string, pageWords: string[] | undefined): void {
  assert.ok(pageWords, 'answer on a page of the request');
  assert.ok(` ${pageWords.join(' ')} `.includes(` ${answer} `), `"${answer}" is not a run of whole words of "${pageWords.join(' ')}"`);
}

describe('POST /v1/ask (real OCR, real tiny bundle)', () => {
  let app: NestFastifyApplication;
  let form: Buffer;

  before(async () => {
    app = await bootApp({ AETNET_INFERENCE_THREADS: '1', AETNET_ASK_MAX_QUESTIONS: String(MAX_QUESTIONS) });
    form = await renderFormPng(FORM_LINES, { width: 800, height: 300 });
  });
  after(() => app?.close());

  function ask(data: Buffer, questions: unknown, fields: Record<string, string> = {}) {
    const asked: Record<string, string> = questions === undefined ? {} : { questions: typeof questions === 'string' ? questions : JSON.stringify(questions) };
    return postDocument(app, '/v1/ask', data, { ...asked, ...fields });
  }

  it('lists the ask bundle', async () => {
    const response = await app.inject({ method: 'GET', url: '/v1/models' });
    assert.deepEqual(response.json().models.find((m: { id: string }) => m.id === MANIFEST.id)?.tasks, ['ask']);
  });

  it('answers several questions about a PNG with server OCR', async () => {
    const response = await ask(form, QUESTIONS, { topK: '2', minScore: '0' });
    assert.equal(response.statusCode, 200, response.body);
    const body: AskBody = response.json();
    assertAnswers(body, QUESTIONS);
    for (const answer of body.answers) {
      assert.ok(answer.topK.length >= 1 && answer.topK.length <= 2);
      assert.ok(answer.topK.every((alternative) => alternative.page === 1));
    }
    assert.ok(body.timings.ocrMs > 0 && body.timings.imageEncoderMs > 0 && body.timings.modelMs > 0);
  });

  it('answers from client words (JSON body, JPEG): every answer is a run of those words', async () => {
    const words = formWords(FORM_LINES);
    const jpeg = await sharp(form).jpeg().toBuffer();
    const response = await app.inject({
      method: 'POST',
      url: '/v1/ask',
      payload: { document: jpeg.toString('base64'), questions: QUESTIONS, words, topK: 5, minScore: 0 },
    });
    assert.equal(response.statusCode, 200, response.body);
    const body: AskBody = response.json();
    assertAnswers(body, QUESTIONS, new Map([[1, words.map((word) => word.text)]]));
    assert.equal(body.timings.ocrMs, 0);
    const byText = new Map(words.map((word) => [word.text, word.box]));
    for (const answer of body.answers) for (const word of answer.words) assert.deepEqual(word.box, byText.get(word.text));
  });

  it('a threshold of 1 turns every answer into "no answer", keeping the alternatives', async () => {
    const body: AskBody = (await ask(form, QUESTIONS, { minScore: '1' })).json();
    assertAnswers(body, QUESTIONS);
    assert.ok(body.answers.every((answer) => answer.noAnswer && answer.topK.length > 0));
  });

  it('searches every page of a multi-page TIFF', async () => {
    const tiff = await tiffOf([await solidPng(800, 300), form]);
    const response = await ask(tiff, ['What is the city?'], { minScore: '0' });
    assert.equal(response.statusCode, 200, response.body);
    const body: AskBody = response.json();
    assertAnswers(body, ['What is the city?']);
    // Page 1 is blank: every candidate comes from page 2.
    assert.ok(body.answers[0].topK.length > 0 && body.answers[0].topK.every((alternative) => alternative.page === 2));
  });

  it('answers from a PDF text layer without OCR, over the selected pages', async () => {
    const response = await ask(textLayerPdf(), ['What is the invoice number?', 'Who approved it?'], { pages: '1,3', topK: '3', minScore: '0' });
    assert.equal(response.statusCode, 200, response.body);
    const body: AskBody = response.json();
    const pageTexts = new Map([1, 3].map((page) => [page, TEXT_PDF_PAGES[page - 1].flatMap((line) => line.text.split(' '))]));
    assertAnswers(body, ['What is the invoice number?', 'Who approved it?'], pageTexts);
    assert.equal(body.timings.ocrMs, 0);
  });

  it('answers from a scanned PDF with OCR', async () => {
    const response = await ask(await scannedPdf([FORM_LINES]), ['What is the date?']);
    assert.equal(response.statusCode, 200, response.body);
    assertAnswers(response.json(), ['What is the date?']);
    assert.ok((response.json() as AskBody).timings.ocrMs > 0);
  });

  it('has no answer on a page without text, and runs no model for it', async () => {
    const body: AskBody = (await ask(await solidPng(300, 200), ['What is the date?'])).json();
    assert.deepEqual(
      body.answers.map((a) => [a.noAnswer, a.topK.length]),
      [[true, 0]],
    );
    assert.equal(body.timings.modelMs, 0);
  });

  it('answers 400 with a code for bad questions, before reading the document', async () => {
    const notADocument = Buffer.from('not a document');
    assertError(await ask(notADocument, undefined), 400, 'INVALID_QUESTIONS');
    assertError(await ask(notADocument, []), 400, 'INVALID_QUESTIONS');
    assertError(await ask(notADocument, 'What is the date?'), 400, 'INVALID_QUESTIONS');
    assertError(await ask(notADocument, ['What is the date?', 42]), 400, 'INVALID_QUESTIONS');
    assertError(await ask(notADocument, Array(MAX_QUESTIONS + 1).fill('Why?')), 400, 'TOO_MANY_QUESTIONS');
    const tooLong = Array(MANIFEST.maxLength).fill('word').join(' ');
    assertError(await ask(notADocument, [tooLong]), 400, 'QUESTION_TOO_LONG');
    // Valid questions: only now is the document decoded (and refused).
    assertError(await ask(notADocument, ['What is the date?']), 415, 'UNSUPPORTED_MEDIA_TYPE');
    assertError(await ask(form, QUESTIONS, { topK: '0' }), 400, 'INVALID_REQUEST');
    assertError(await ask(form, QUESTIONS, { minScore: '2' }), 400, 'INVALID_REQUEST');
    assertError(await ask(form, QUESTIONS, { model: 'tiny-classify' }), 404, 'MODEL_NOT_FOUND');
    assertError(await ask(form, QUESTIONS, { pages: '3' }), 400, 'PAGES_OUT_OF_RANGE');
  });
});
