import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { DomainError } from '../common/domain-error';
import type { StoredDocument } from '../datasets/dataset-types';
import type { PreparedDocument } from '../inference/document-pipeline.service';
import type { RegisteredModel } from '../registry/bundle-loader';
import { goldEntities, HeldOutSplit, scoreOnHeldOut, TaskRunners } from './service-evaluation';

const directory = mkdtempSync(join(tmpdir(), 'held-out-'));
mkdirSync(join(directory, 'images'));
writeFileSync(join(directory, 'images', 'a.png'), 'png bytes');
after(() => rmSync(directory, { recursive: true, force: true }));

const word = (text: string, label: number) => ({ text, box: [0, 0, 10, 10] as [number, number, number, number], segment: 0, label });
const BIO = ['O', 'B-DATE', 'I-DATE', 'B-TOTAL'];
const page = (words: ReturnType<typeof word>[]) => ({ image: 'images/a.png', width: 100, height: 100, words });
const model = (tasks: Record<string, unknown>) => ({ id: 'm', manifest: { tasks } }) as unknown as RegisteredModel;
const unused = async () => {
  throw new Error('not this task');
};

describe('goldEntities', () => {
  it("decodes the words' BIO label indices into entities by word index", () => {
    const words = [word('Date', 0), word('1', 1), word('May', 2), word('9.50', 3), word('10', 3)];
    assert.deepEqual(goldEntities(words, BIO), [
      { label: 'DATE', wordIds: [1, 2] },
      { label: 'TOTAL', wordIds: [3] },
      { label: 'TOTAL', wordIds: [4] },
    ]);
  });
});

describe('scoreOnHeldOut', () => {
  it('extract: the served entities against the gold ones, per label, from the stored page and words', async () => {
    const documents: StoredDocument[] = [{ id: 'd1', split: 'test', wordsFrom: 'dataset', pages: [page([word('Date', 0), word('1', 1), word('May', 2), word('9.50', 3)])] }];
    const seen: PreparedDocument[] = [];
    const runners: TaskRunners = {
      extract: {
        extractDocument: async (_model, document) => {
          seen.push(document);
          return [{ entities: [{ label: 'DATE', words: [1, 2] }, { label: 'TOTAL', words: [2, 3] }] }] as never;
        },
      },
      classify: { classifyDocument: unused },
      ask: { askDocument: unused },
    };
    const split: HeldOutSplit = { directory, labels: BIO, documents };
    const scores = (await scoreOnHeldOut(runners, model({ extract: {} }), 'extract', split, { askMinScore: 0.1 })) as { f1: number; perLabel: Record<string, { f1: number }>; pages: number };
    assert.equal(scores.f1, 0.5);
    assert.deepEqual([scores.perLabel.DATE.f1, scores.perLabel.TOTAL.f1, scores.pages], [1, 0, 1]);
    assert.equal(seen[0].pages[0].words[1].text, '1');
    assert.equal(seen[0].pages[0].image.png.toString(), 'png bytes');
  });

  it("classify: a predicted class outside the dataset's gets its own confusion column", async () => {
    const documents: StoredDocument[] = ['invoice', 'letter'].map((_, i) => ({ id: `d${i}`, split: 'test', wordsFrom: 'dataset', classLabel: i, pages: [page([])] }));
    const runners: TaskRunners = {
      extract: { extractDocument: unused },
      classify: { classifyDocument: async () => ({ document: { label: 'memo' } }) as never },
      ask: { askDocument: unused },
    };
    const scores = (await scoreOnHeldOut(runners, model({ classify: {} }), 'classify', { directory, labels: ['invoice', 'letter'], documents }, { askMinScore: 0.1 })) as {
      accuracy: number;
      perLabel: Record<string, unknown>;
      confusion: number[][];
    };
    assert.equal(scores.accuracy, 0);
    assert.deepEqual(Object.keys(scores.perLabel), ['invoice', 'letter', 'memo']);
    assert.deepEqual(scores.confusion[0], [0, 0, 1]);
  });

  it('ask: ANLS at the default threshold, the sweep, and a question the model refuses counted as no answer', async () => {
    const documents: StoredDocument[] = [
      {
        id: 'd1',
        split: 'test',
        wordsFrom: 'dataset',
        pages: [page([word('Date:', 0), word('2/10/98', 0)])],
        questions: [
          { id: 'q1', question: 'What is the date?', answers: ['2/10/98'] },
          { id: 'q2', question: 'Who signed?', answers: [] },
          { id: 'q3', question: 'x'.repeat(999), answers: ['2/10/98'] },
        ],
      },
    ];
    // As AskService answers: `answer` null when it says "no answer", the best candidate still in topK.
    const answer = (text: string, confidence: number, noAnswer: boolean) => ({ answer: noAnswer ? null : text, topK: [{ answer: text }], confidence, noAnswerConfidence: 0.01, noAnswer });
    const runners: TaskRunners = {
      extract: { extractDocument: unused },
      classify: { classifyDocument: unused },
      ask: {
        askDocument: async (_model, _document, request) => {
          if (request.questions[0].length > 100) throw new DomainError('INVALID_QUESTIONS', 'too long');
          return [request.questions[0].startsWith('What') ? answer('2/10/98', 0.9, false) : answer('Date:', 0.05, true)] as never;
        },
      },
    };
    const scores = (await scoreOnHeldOut(runners, model({ ask: {} }), 'ask', { directory, labels: [], documents }, { askMinScore: 0.1 })) as {
      anls: number;
      answered: number;
      minScore: number;
      thresholds: Array<{ threshold: number; answered: number }>;
    };
    assert.deepEqual([scores.anls, scores.answered, scores.minScore], [1 / 3 + 1 / 3, 1, 0.1]);
    assert.deepEqual(
      scores.thresholds.slice(0, 2).map((point) => [point.threshold, point.answered]),
      [
        [0, 2],
        [0.1, 1],
      ],
    );
  });

  it('says so when the bundle does not serve the task', async () => {
    const runners: TaskRunners = { extract: { extractDocument: unused }, classify: { classifyDocument: unused }, ask: { askDocument: unused } };
    assert.deepEqual(await scoreOnHeldOut(runners, model({ extract: {} }), 'ask', { directory, labels: [], documents: [] }, { askMinScore: 0.1 }), {
      note: 'the bundle serves extract, not ask',
    });
  });
});
