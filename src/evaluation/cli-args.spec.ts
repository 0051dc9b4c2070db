import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { resolve } from 'node:path';
import { parseBenchArgs, parseEvalArgs, UsageError } from './cli-args';

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

describe('parseBenchArgs', () => {
  it('defaults to 10 pages', () => {
    assert.deepEqual(parseBenchArgs([], repo), { pages: 10, funsdDir: '/work/shared/datasets/funsd', model: undefined });
  });

  it('reads --pages and --model and rejects bad values', () => {
    assert.deepEqual(parseBenchArgs(['--pages', '3', '--model', 'x', '--funsd-dir', '/f'], repo), { pages: 3, funsdDir: '/f', model: 'x' });
    assert.throws(() => parseBenchArgs(['--pages', '-1'], repo), UsageError);
    assert.throws(() => parseBenchArgs(['--model', ''], repo), UsageError);
  });
});
