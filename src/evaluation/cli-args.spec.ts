import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { resolve } from 'node:path';
import { parseBenchArgs, parseEvalArgs, parseMemoryArgs, UsageError } from './cli-args';

const repo = '/work/main';

describe('parseEvalArgs', () => {
  it('defaults to both modes, all documents and the shared FUNSD copy beside the repo', () => {
    assert.deepEqual(parseEvalArgs(['--dataset', 'funsd', '--split', 'test'], repo), {
      dataset: 'funsd',
      split: 'test',
      funsdDir: '/work/shared/datasets/funsd',
      model: undefined,
      mode: 'both',
      limit: undefined,
      json: undefined,
    });
  });

  it('reads every option', () => {
    const args = parseEvalArgs(
      ['--dataset', 'funsd', '--split', 'train', '--funsd-dir', '/data/funsd', '--model', 'm1', '--mode', 'gold', '--limit', '3', '--json', 'out.json'],
      repo,
    );
    assert.equal(args.funsdDir, '/data/funsd');
    assert.equal(args.model, 'm1');
    assert.equal(args.mode, 'gold');
    assert.equal(args.limit, 3);
    assert.equal(args.json, resolve('out.json'));
    assert.equal(args.ocrEngines, undefined);
  });

  it('runs once per OCR engine with --ocr-engines, for eval and bench alike', () => {
    const base = ['--dataset', 'funsd-ocr', '--split', 'test'];
    assert.deepEqual(parseEvalArgs([...base, '--ocr-engines', 'tesseract, ppocr'], repo).ocrEngines, ['tesseract', 'ppocr']);
    assert.deepEqual(parseBenchArgs(['--ocr-engines', 'ppocr'], repo).ocrEngines, ['ppocr']);
    assert.throws(() => parseEvalArgs([...base, '--ocr-engines', 'easyocr'], repo), /--ocr-engines takes a list of tesseract, ppocr/);
    assert.throws(() => parseBenchArgs(['--ocr-engines', ','], repo), UsageError);
  });

  it('rejects unknown datasets, splits, modes, limits and flags with a usage error', () => {
    const base = ['--dataset', 'funsd', '--split', 'test'];
    assert.throws(() => parseEvalArgs(['--dataset', 'cord', '--split', 'test'], repo), (e) => e instanceof UsageError && /unknown dataset 'cord'/.test(e.message));
    assert.throws(() => parseEvalArgs(['--dataset', 'funsd', '--split', 'dev'], repo), /unknown split 'dev'/);
    assert.throws(() => parseEvalArgs(['--split', 'test'], repo), /missing --dataset/);
    assert.throws(() => parseEvalArgs([...base, '--mode', 'fast'], repo), /unknown --mode/);
    assert.throws(() => parseEvalArgs([...base, '--limit', '0'], repo), /positive integer/);
    assert.throws(() => parseEvalArgs([...base, '--limit', '2.5'], repo), /positive integer/);
    assert.throws(() => parseEvalArgs([...base, '--verbose'], repo), UsageError);
    assert.throws(() => parseEvalArgs([...base, 'extra'], repo), UsageError);
  });
});

describe('parseEvalArgs for funsd-qa, classify and qa', () => {
  it('defaults funsd-qa to gold words and takes --ocr as the OCR mode', () => {
    assert.equal(parseEvalArgs(['--dataset', 'funsd-qa', '--split', 'test'], repo).mode, 'gold');
    assert.equal(parseEvalArgs(['--dataset', 'funsd-qa', '--split', 'test', '--ocr'], repo).mode, 'ocr');
    assert.throws(() => parseEvalArgs(['--dataset', 'funsd-qa', '--split', 'test', '--ocr', '--mode', 'gold'], repo), /not both/);
  });

  it('needs a manifest for classify and only there', () => {
    const args = parseEvalArgs(['--dataset', 'classify', '--manifest', 'set/manifest.jsonl', '--split', 'test'], repo);
    assert.equal(args.manifest, resolve('set/manifest.jsonl'));
    assert.equal(args.mode, 'gold');
    assert.throws(() => parseEvalArgs(['--dataset', 'classify', '--split', 'test'], repo), /needs --manifest/);
    assert.throws(() => parseEvalArgs(['--dataset', 'funsd', '--split', 'test', '--manifest', 'm.jsonl'], repo), /classify and qa only/);
    assert.equal(parseEvalArgs(['--dataset', 'qa', '--manifest', 'set/qa.jsonl', '--split', 'test'], repo).mode, 'gold');
    assert.throws(() => parseEvalArgs(['--dataset', 'qa', '--split', 'test'], repo), /--dataset qa needs --manifest <qa.jsonl>/);
  });
});

describe('parseBenchArgs', () => {
  it('defaults to every endpoint at concurrency 1, 4 and 16', () => {
    assert.deepEqual(parseBenchArgs([], repo), {
      endpoints: ['extract', 'classify', 'ask'],
      concurrency: [1, 4, 16],
      pages: 10,
      requests: 48,
      e2eRequests: 16,
      cellSeconds: 60,
      checkpoints: {},
      eagerWindows: 16,
      funsdDir: '/work/shared/datasets/funsd',
      json: undefined,
      quick: false,
    });
  });

  it('shrinks every bound with --quick unless a flag says otherwise', () => {
    const args = parseBenchArgs(['--quick', '--pages', '3'], repo);
    assert.equal(args.quick, true);
    assert.equal(args.pages, 3);
    assert.equal(args.requests, 8);
    assert.equal(args.cellSeconds, 5);
  });

  it('reads lists and checkpoints and rejects bad values', () => {
    const args = parseBenchArgs(['--endpoints', 'ask,extract', '--concurrency', '4,1', '--checkpoint', 'ask=runs/a/best.pt', '--funsd-dir', '/f'], repo);
    assert.deepEqual(args.endpoints, ['ask', 'extract']);
    assert.deepEqual(args.concurrency, [1, 4]);
    assert.deepEqual(args.checkpoints, { ask: resolve('runs/a/best.pt') });
    assert.equal(args.funsdDir, '/f');
    assert.throws(() => parseBenchArgs(['--pages', '-1'], repo), UsageError);
    assert.throws(() => parseBenchArgs(['--endpoints', 'ocr'], repo), /unknown endpoint/);
    assert.throws(() => parseBenchArgs(['--concurrency', '0'], repo), /positive integer/);
    assert.throws(() => parseBenchArgs(['--checkpoint', 'best.pt'], repo), /task=path/);
    assert.throws(() => parseBenchArgs(['--model', 'x'], repo), UsageError);
  });
});

describe('parseMemoryArgs', () => {
  it('cycles through the named endpoints, extract by default', () => {
    assert.deepEqual(parseMemoryArgs(['--endpoints', 'extract,classify,ask', '--requests', '30'], '/repo').endpoints, ['extract', 'classify', 'ask']);
    assert.deepEqual(parseMemoryArgs([], '/repo').endpoints, ['extract']);
    assert.throws(() => parseMemoryArgs(['--endpoints', 'translate'], '/repo'), /unknown endpoint 'translate'/);
  });
});
