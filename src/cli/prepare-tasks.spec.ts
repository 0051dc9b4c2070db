import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdir, mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { multiPageTiff, solidPng } from '../../test/helpers/fixtures';
import { tinyWordPieceTokenizer } from '../../test/helpers/tokenizers';
import { parsePrepareArgs, runPrepare } from './prepare';

/** Its file enables padding and truncation, which prepare must ignore. */
const TOKENIZER = tinyWordPieceTokenizer(['name', ':', 'jo', '##hn', 'what', 'is', 'the', '?', 'date']);

const words = [
  { text: 'Name:', box: [4, 4, 20, 10] },
  { text: 'John', box: [24, 4, 36, 10] },
];

async function readJsonl(path: string): Promise<Array<Record<string, unknown>>> {
  return (await readFile(path, 'utf8')).trim().split('\n').filter(Boolean).map((line) => JSON.parse(line));
}

describe('prepare --task classify / ask', () => {
  let root: string;
  let tokenizerPath: string;
  const args = (...extra: string[]) => parsePrepareArgs([...extra, '--tokenizer', tokenizerPath, '--image-size', '8']);

  before(async () => {
    root = await mkdtemp(join(tmpdir(), 'prepare-tasks-'));
    tokenizerPath = join(root, 'tokenizer.json');
    await writeFile(tokenizerPath, JSON.stringify(TOKENIZER));
    await mkdir(join(root, 'docs'));
    await writeFile(join(root, 'docs', 'form.png'), await solidPng(40, 20));
    await writeFile(join(root, 'docs', 'scan.tiff'), await multiPageTiff(2, 40, 20));
  });

  after(() => rm(root, { recursive: true, force: true }));

  it('writes classify windows for every page with the class index, no token labels', async () => {
    const manifest = join(root, 'classify.jsonl');
    await writeFile(manifest, [
      JSON.stringify({ image: 'docs/form.png', label: 'form', words, split: 'train' }),
      JSON.stringify({ image: 'docs/scan.tiff', label: 'letter', words: [{ page: 1, words }, { page: 2, words: [words[1]] }], split: 'test' }),
    ].join('\n'));
    const out = join(root, 'classify-out');
    const lines: string[] = [];
    await runPrepare(args('--task', 'classify', '--format', 'jsonl', '--input', manifest, '--out', out, '--labels', 'letter,form'), (line) => lines.push(line));

    assert.deepEqual(lines, [
      'train: 1 documents, 1 pages, 1 windows, max 4 tokens per page (letter 0, form 1)',
      'test: 1 documents, 2 pages, 2 windows, max 4 tokens per page (letter 1, form 0)',
    ]);
    const metadata = JSON.parse(await readFile(join(out, 'dataset.json'), 'utf8'));
    assert.equal(metadata.task, 'classify');
    assert.deepEqual(metadata.labels, ['letter', 'form']);
    const [train] = await readJsonl(join(out, 'train.jsonl'));
    assert.deepEqual(train, {
      docId: 'docs_form',
      page: 0,
      window: 0,
      tokenStart: 0,
      inputIds: [2, 4, 5, 6, 7, 3],
      bbox: [[0, 0, 0, 0], [100, 200, 500, 500], [100, 200, 500, 500], [600, 200, 900, 500], [600, 200, 900, 500], [0, 0, 0, 0]],
      wordBbox: [[0, 0, 0, 0], [100, 200, 500, 500], [100, 200, 500, 500], [600, 200, 900, 500], [600, 200, 900, 500], [0, 0, 0, 0]],
      wordIds: [-1, 0, 0, 1, 1, -1],
      classLabel: 1,
      image: 'images/docs_form.png',
      original: 'originals/docs_form.png',
      width: 40,
      height: 20,
    });
    const test = await readJsonl(join(out, 'test.jsonl'));
    assert.deepEqual(test.map((w) => [w.page, w.classLabel, w.image, w.inputIds]), [
      [0, 0, 'images/docs_scan.png', [2, 4, 5, 6, 7, 3]],
      [1, 0, 'images/docs_scan-p2.png', [2, 6, 7, 3]],
    ]);
    assert.ok((await stat(join(out, 'images', 'docs_scan-p2.png'))).size > 0);
  });

  it('rejects an unknown class label naming the manifest line, leaving no dataset.json', async () => {
    const manifest = join(root, 'bad-classify.jsonl');
    await writeFile(manifest, JSON.stringify({ image: 'docs/form.png', label: 'receipt', words }));
    const out = join(root, 'bad-classify-out');
    await assert.rejects(runPrepare(args('--task', 'classify', '--format', 'jsonl', '--input', manifest, '--out', out, '--labels', 'form'), () => undefined), {
      message: `${manifest}:1: label: unknown class label 'receipt' (expected one of form)`,
    });
    await assert.rejects(stat(join(out, 'dataset.json')), { code: 'ENOENT' });
  });

  it('writes ask windows with the question first and the answer located; unlocated answers are counted and kept', async () => {
    const manifest = join(root, 'qa.jsonl');
    await writeFile(manifest, [
      JSON.stringify({ image: 'docs/form.png', question: 'What is the name?', answer: 'john', words, split: 'train' }),
      JSON.stringify({ image: 'docs/form.png', question: 'Name:', answer: 'John', answer_word_ids: [1], split: 'train' }),
      JSON.stringify({ image: 'docs/form.png', question: 'What is the date?', answer: '1/1/99', split: 'train' }),
      JSON.stringify({ image: 'docs/form.png', question: 'date?', answer: null, split: 'train' }),
    ].join('\n'));
    const out = join(root, 'ask-out');
    const lines: string[] = [];
    await runPrepare(args('--task', 'ask', '--format', 'jsonl', '--input', manifest, '--out', out, '--max-length', '16', '--stride', '4', '--max-question-tokens', '8'), (line) => lines.push(line));
    assert.deepEqual(lines, [
      'train: 1 documents, 4 questions, 4 windows (2 holding the answer), 1 unanswerable, 1 answers not found in the words, 0 questions truncated',
      'test: 0 documents, 0 questions, 0 windows (0 holding the answer), 0 unanswerable, 0 answers not found in the words, 0 questions truncated',
    ]);
    const metadata = JSON.parse(await readFile(join(out, 'dataset.json'), 'utf8'));
    assert.deepEqual([metadata.task, metadata.labels, metadata.maxQuestionTokens], ['ask', [], 8]);
    const windows = await readJsonl(join(out, 'train.jsonl'));
    assert.deepEqual(windows[0], {
      docId: 'docs_form',
      page: 0,
      window: 0,
      tokenStart: 0,
      contextStart: 7,
      inputIds: [2, 8, 9, 10, 4, 11, 3, 4, 5, 6, 7, 3],
      bbox: [...Array(7).fill([0, 0, 0, 0]), [100, 200, 500, 500], [100, 200, 500, 500], [600, 200, 900, 500], [600, 200, 900, 500], [0, 0, 0, 0]],
      wordBbox: [...Array(7).fill([0, 0, 0, 0]), [100, 200, 500, 500], [100, 200, 500, 500], [600, 200, 900, 500], [600, 200, 900, 500], [0, 0, 0, 0]],
      wordIds: [-1, -1, -1, -1, -1, -1, -1, 0, 0, 1, 1, -1],
      words: ['Name:', 'John'],
      questionId: 'docs_form:1',
      question: 'What is the name?',
      answers: ['john'],
      startPosition: 9,
      endPosition: 10,
      image: 'images/docs_form.png',
      original: 'originals/docs_form.png',
      width: 40,
      height: 20,
    });
    assert.deepEqual(windows.map((w) => [w.startPosition, w.endPosition, w.answers]), [
      [9, 10, ['john']],
      [6, 7, ['John']],
      [0, 0, ['1/1/99']],
      [0, 0, []],
    ]);
    assert.equal((await stat(join(out, 'test.jsonl'))).size, 0);
  });

  it('names the manifest line of answer word ids that are not on the page', async () => {
    const manifest = join(root, 'bad-qa.jsonl');
    await writeFile(manifest, JSON.stringify({ image: 'docs/form.png', question: 'Name?', answer: 'x', answer_word_ids: [5], words }));
    await assert.rejects(runPrepare(args('--task', 'ask', '--format', 'jsonl', '--input', manifest, '--out', join(root, 'bad-qa-out')), () => undefined), {
      message: `${manifest}:1: answer_word_ids: word 5 is not on page 1 (2 words)`,
    });
  });

  it('builds FUNSD-QA pairs from linked question/answer entities, split as FUNSD is', async () => {
    const funsd = join(root, 'funsd');
    const annotation = {
      form: [
        { id: 0, label: 'question', words: [words[0]], linking: [[0, 1]] },
        { id: 1, label: 'answer', words: [words[1]], linking: [[0, 1]] },
      ],
    };
    for (const [folder, docId] of [['training_data', 'a'], ['testing_data', 'b']]) {
      await mkdir(join(funsd, folder, 'images'), { recursive: true });
      await mkdir(join(funsd, folder, 'annotations'), { recursive: true });
      await writeFile(join(funsd, folder, 'images', `${docId}.png`), await solidPng(40, 20));
      await writeFile(join(funsd, folder, 'annotations', `${docId}.json`), JSON.stringify(annotation));
    }
    const out = join(root, 'funsd-qa-out');
    const lines: string[] = [];
    await runPrepare(args('--task', 'ask', '--format', 'funsd-qa', '--input', funsd, '--out', out), (line) => lines.push(line));
    assert.match(lines[0], /^train: 1 documents, 2 questions, 2 windows \(2 holding the answer\), 0 unanswerable, 0 answers not found/);
    const test = await readJsonl(join(out, 'test.jsonl'));
    assert.deepEqual(test.map((w) => [w.docId, w.questionId, w.question, w.answers, w.startPosition, w.endPosition]), [
      ['b', 'b:0:text', 'Name:', ['John'], 6, 7],
      ['b', 'b:0:plain', 'What is the Name?', ['John'], 9, 10],
    ]);
  });
});
