import assert from 'node:assert/strict';
import { copyFileSync, cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { DomainError } from '../../src/common/domain-error';
import { RegistryService } from '../../src/registry/registry.service';
import { assertError, bootApp, multipart, REPO_ROOT } from '../helpers/app';

const SHIPPED = 'funsd-extract-mpnet';
/** FUNSD test form 82092117 (a fax cover), read from ../shared: its licence keeps it out of the repository. */
const FAX_COVER = join(REPO_ROOT, '..', 'shared', 'datasets', 'funsd', 'testing_data', 'images', '82092117.png');

interface Answer {
  question: string;
  answer: string | null;
  confidence: number;
  page: number | null;
  box: number[] | null;
  words: Array<{ text: string; box: number[] }>;
  topK: Array<{ answer: string; confidence: number }>;
  noAnswer: boolean;
}

/** A small bundle with the key-value head, to publish copies with a broken span reader (no 116 MB copies). */
const TINY_PAIRS = join(REPO_ROOT, 'test', 'fixtures', 'pair-bundles', 'tiny-pairs');

/**
 * The shipped bundle serves all three endpoints from one backbone session: extraction and key-value heads in its
 * graph, the classification head computed from its outputs (manifest tasks.classify.linear), and ask by key lookup
 * with its span reader, a small graph over the same outputs (tasks.ask.keyLookup.reader). The page goes through OCR,
 * as `curl -F file=@82092117.png` sends it.
 */
describe('the shipped bundle: extract, classify and ask from one backbone', () => {
  let app: NestFastifyApplication;
  let modelsDir: string;

  before(async () => {
    modelsDir = mkdtempSync(join(tmpdir(), 'aetnet-shipped-'));
    cpSync(join(REPO_ROOT, 'models', SHIPPED), join(modelsDir, SHIPPED), { recursive: true });
    app = await bootApp({ AETNET_SHIPPED_MODELS_DIR: modelsDir });
  });
  after(async () => {
    await app?.close();
    rmSync(modelsDir, { recursive: true, force: true });
  });

  const upload = (url: string, fields: Array<{ name: string; value: string }> = []) => {
    const body = multipart([{ name: 'file', filename: '82092117.png', data: readFileSync(FAX_COVER), contentType: 'image/png' }, ...fields]);
    return app.inject({ method: 'POST', url, payload: body.payload, headers: body.headers });
  };

  it('is one model serving the three tasks, the default for each', async () => {
    const { models } = (await app.inject({ method: 'GET', url: '/v1/models' })).json() as { models: Array<{ id: string; tasks: string[]; defaultFor: string[]; labels: Record<string, string[]> }> };
    assert.deepEqual(models.map((model) => model.id), [SHIPPED]);
    assert.deepEqual(models[0].tasks, ['extract', 'classify', 'ask']);
    assert.deepEqual([...models[0].defaultFor].sort(), ['ask', 'classify', 'extract']);
    assert.equal(models[0].labels.classify.length, 16);
  });

  it('answers the date and the fax number of the fax cover from the page, with their boxes', async () => {
    const response = await upload('/v1/ask', [{ name: 'questions', value: JSON.stringify(['What is the date?', 'What is the fax number?', 'Who signed the letter?']) }]);
    assert.equal(response.statusCode, 200, response.body);
    const { model, answers } = response.json() as { model: { id: string }; answers: Answer[] };
    assert.equal(model.id, SHIPPED);
    const [date, fax, signed] = answers;
    assert.equal(date.answer, '12/10/98', JSON.stringify(date));
    assert.equal(fax.answer, '(336) 335-7392', JSON.stringify(fax));
    for (const answer of [date, fax]) {
      assert.equal(answer.noAnswer, false);
      assert.equal(answer.page, 1);
      assert.ok(answer.confidence > 0.5 && answer.confidence <= 1);
      const [x0, y0, x1, y1] = answer.box!;
      assert.ok(x0 < x1 && y0 < y1 && answer.words.length > 0, JSON.stringify(answer));
      assert.deepEqual(answer.words.map((word) => word.text).join(' '), answer.answer);
      assert.equal(answer.topK[0].answer, answer.answer);
    }
    // The letter's signer is no printed key: no answer rather than a guess.
    assert.equal(signed.noAnswer, true);
    assert.equal(signed.answer, null);
  });

  it('classifies the page from the same forward pass the question used, and refuses a question longer than the limit', async () => {
    const response = await upload('/v1/classify');
    assert.equal(response.statusCode, 200, response.body);
    const { document, timings } = response.json() as { document: { label: string; confidence: number; scores: Record<string, number> }; timings: { modelMs: number; ocrMs: number; cacheHit: boolean } };
    // The page's words, image and the graph's outputs were all computed for /v1/ask above (page cache).
    assert.deepEqual({ cacheHit: timings.cacheHit, modelMs: timings.modelMs, ocrMs: timings.ocrMs }, { cacheHit: true, modelMs: 0, ocrMs: 0 });
    assert.equal(Object.keys(document.scores).length, 16);
    const total = Object.values(document.scores).reduce((sum, value) => sum + value, 0);
    assert.ok(Math.abs(total - 1) < 1e-6);
    assert.equal(document.confidence, Math.max(...Object.values(document.scores)));

    const long = Array.from({ length: 80 }, (_, i) => `word${i}`).join(' ');
    assertError(await upload('/v1/ask', [{ name: 'questions', value: JSON.stringify([long]) }]), 400, 'QUESTION_TOO_LONG');
  });

  it('refuses a bundle whose span reader is missing or is not a reader graph, naming the file', async () => {
    const registry = app.get(RegistryService);
    const refused = async (id: string, readerFile: string, write: (dir: string) => void) => {
      const dir = mkdtempSync(join(tmpdir(), 'aetnet-reader-'));
      cpSync(TINY_PAIRS, dir, { recursive: true });
      const manifest = JSON.parse(readFileSync(join(dir, 'manifest.json'), 'utf8'));
      const { task, labels, ...rest } = manifest;
      const reader = { file: readerFile, from: ['logits', 'pair_keys'], maxAnswerWords: 40 };
      const tasks = { [task]: { labels, outputs: { logits: 'logits' } }, ask: { labels: [], keyLookup: { minKeySimilarity: 0.6, reader } } };
      writeFileSync(join(dir, 'manifest.json'), JSON.stringify({ ...rest, id, tasks }));
      write(dir);
      try {
        const error = await registry.publish(dir).then(() => undefined, (e: unknown) => e);
        assert.ok(error instanceof DomainError && error.code === 'INVALID_BUNDLE', String(error));
        return (error.details as { problems: string[] }).problems.join('; ');
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }
    };
    assert.match(await refused('no-reader', 'ask-reader.onnx', () => undefined), /ask-reader\.onnx is missing/);
    const wrongGraph = await refused('wrong-reader', 'ask-reader.onnx', (dir) => copyFileSync(join(dir, 'model.onnx'), join(dir, 'ask-reader.onnx')));
    assert.match(wrongGraph, /ask-reader\.onnx and manifest disagree \(inputs missing in graph: \[word_features,word_boxes,segment_boxes,key_mask,word_mask\]/);
    assert.deepEqual((await app.inject({ method: 'GET', url: '/v1/models' })).json().models.map((model: { id: string }) => model.id), [SHIPPED]);
  });
});
