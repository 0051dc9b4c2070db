import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { parsePrepareArgs, UsageError } from './prepare-args';

const base = ['--input', 'in', '--out', 'out', '--tokenizer', 't.json'];

describe('parsePrepareArgs', () => {
  it('defaults to --task extract and reads the classify and ask options', () => {
    assert.equal(parsePrepareArgs(['--format', 'funsd', ...base]).task, 'extract');
    assert.equal(parsePrepareArgs(['--format', 'funsd', ...base]).words, 'gold');
    assert.equal(parsePrepareArgs(['--format', 'funsd', ...base, '--words', 'ocr']).words, 'ocr');
    const classify = parsePrepareArgs(['--task', 'classify', '--format', 'folders', ...base, '--labels', 'memo, letter', '--ocr-workers', '2']);
    assert.deepEqual([classify.labels, classify.ocrWorkers], [['memo', 'letter'], 2]);
    const ask = parsePrepareArgs(['--task', 'ask', '--format', 'funsd-qa', ...base, '--max-question-tokens', '32']);
    assert.deepEqual([ask.task, ask.format, ask.maxQuestionTokens, ask.labels], ['ask', 'funsd-qa', 32, undefined]);
  });

  it('rejects unknown tasks, formats of another task and misplaced options', () => {
    const usage = (error: Error) => error instanceof UsageError;
    assert.throws(() => parsePrepareArgs(['--task', 'summarise', '--format', 'jsonl', ...base]), (e: Error) => usage(e) && /unknown --task 'summarise'/.test(e.message));
    assert.throws(() => parsePrepareArgs(['--task', 'ask', '--format', 'folders', ...base]), /unknown --format 'folders' for --task ask \(supported: jsonl, funsd-qa\)/);
    assert.throws(() => parsePrepareArgs(['--format', 'funsd', ...base, '--words', 'both']), /unknown --words 'both' \(supported: gold, ocr\)/);
    assert.throws(() => parsePrepareArgs(['--task', 'ask', '--format', 'jsonl', ...base, '--words', 'ocr']), /--words applies to --task extract only/);
    assert.throws(() => parsePrepareArgs(['--task', 'ask', '--format', 'jsonl', ...base, '--labels', 'a']), /--labels applies to --task classify only/);
    assert.throws(() => parsePrepareArgs(['--task', 'classify', '--format', 'jsonl', ...base, '--labels', 'a,a']), /distinct/);
    assert.throws(() => parsePrepareArgs(['--task', 'ask', '--format', 'jsonl', ...base, '--max-length', '16', '--stride', '8']), /--max-question-tokens must leave room/);
  });
});
