import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { alignmentArgs, coldStartTokenizerProblem, exportArgs, preparationOptions, trainArgs, warmStartProblem } from './trainer-args';

describe('preparationOptions', () => {
  it('caps the windows at what the preset trains', () => {
    assert.deepEqual(preparationOptions('tiny', { maxLength: 256, windowStride: 128 }), { maxLength: 64, stride: 62, imageSize: 112 });
    assert.deepEqual(preparationOptions('tiny'), { maxLength: 64, stride: 32, imageSize: 112 });
  });

  it('follows the base bundle when it fits', () => {
    assert.deepEqual(preparationOptions('small', { maxLength: 256, windowStride: 128 }), { maxLength: 256, stride: 128, imageSize: 224 });
  });
});

describe('alignmentArgs', () => {
  it('maps plain, presets and weights to trainer flags', () => {
    assert.deepEqual(alignmentArgs({ plain: true }), ['--plain']);
    assert.deepEqual(alignmentArgs({ preset: 'paper' }), ['--loss-preset', 'paper']);
    assert.deepEqual(alignmentArgs({ weights: { task: 1, ditc: 0.5 } }), ['--loss-weights', 'task=1,ditc=0.5']);
  });
});

describe('trainArgs', () => {
  it('passes only the hyperparameters that were given, and --resume when asked', () => {
    const args = trainArgs({
      preparedDir: '/d/prepared',
      runDir: '/d/run',
      preset: 'tiny',
      schedule: 'full',
      hyperparameters: { maxSteps: 3, batchSize: 2, learningRate: 0.001 },
      alignment: { preset: 'code-funsd' },
      resume: true,
    });
    assert.deepEqual(args, [
      '-m', 'aetnet_trainer.train', '--data', '/d/prepared', '--config', 'tiny', '--out', '/d/run',
      '--loss-preset', 'code-funsd', '--max-steps', '3', '--batch-size', '2', '--lr', '0.001', '--resume',
    ]);
  });

  it('hands a LayoutLMv3 directory to the fusion', () => {
    const args = trainArgs({ preparedDir: 'p', runDir: 'r', preset: 'base', schedule: 'full', hyperparameters: {}, alignment: { plain: true }, layoutlmv3Dir: '/m/lv3', resume: false });
    assert.deepEqual(args.slice(-3), ['--plain', '--layoutlmv3-dir', '/m/lv3']);
  });

  it('hands a warm start its base bundle', () => {
    const args = trainArgs({ preparedDir: 'p', runDir: 'r', preset: 'mpnet6', schedule: 'full', hyperparameters: {}, alignment: { plain: true }, initBundle: '/reg/m1', resume: false });
    assert.deepEqual(args.slice(-2), ['--init-bundle', '/reg/m1']);
  });

  it('asks the trainer for the quick schedule', () => {
    const args = trainArgs({ preparedDir: 'p', runDir: 'r', preset: 'mpnet6', schedule: 'quick', hyperparameters: {}, alignment: { preset: 'code-funsd' }, resume: false });
    assert.deepEqual(args.slice(6, 10), ['--out', 'r', '--schedule', 'quick']);
  });
});

describe('coldStartTokenizerProblem', () => {
  it("refuses a base tokenizer whose vocabulary is not the pretrained start's, naming both", () => {
    assert.equal(coldStartTokenizerProblem('m', 30527, 'mpnet6'), undefined);
    assert.equal(coldStartTokenizerProblem('m', 123, 'tiny'), undefined); // tiny starts from nothing
    assert.match(coldStartTokenizerProblem('tiny-extract', 30522, 'mpnet6') ?? '', /"tiny-extract" has a tokenizer of 30522 tokens; preset mpnet6 starts cold from MPNet .* has 30527/);
  });
});

describe('warmStartProblem', () => {
  it('lets a bundle start a job of the preset it was trained with, and says why not otherwise', () => {
    const aet = { preset: 'code-funsd' };
    assert.equal(warmStartProblem({ id: 'm1', training: { config: 'mpnet6' } }, 'mpnet6', aet), undefined);
    assert.match(warmStartProblem({ id: 'm1', training: { config: 'mpnet6' } }, 'tiny', aet) ?? '', /trained with preset mpnet6; a warm start from it needs "preset": "mpnet6"/);
    assert.match(warmStartProblem({ id: 'ext' }, 'tiny', aet) ?? '', /"ext" does not say which trainer config built it/);
  });

  it('refuses an alignment-enriched job from a bundle trained plain: it lacks the alignment encoders', () => {
    const plainBundle = { id: 'p1', training: { config: 'tiny', mode: 'plain' } };
    assert.match(warmStartProblem(plainBundle, 'tiny', { preset: 'code-funsd' }) ?? '', /"p1" was trained plain: its bundle lacks the alignment encoders' weights/);
    assert.equal(warmStartProblem(plainBundle, 'tiny', { plain: true }), undefined);
  });
});

describe('exportArgs', () => {
  it('names the checkpoint, the bundle directory and the id', () => {
    assert.deepEqual(exportArgs('/r/last.pt', '/j/bundle', 'm1'), ['-m', 'aetnet_trainer.export', '--checkpoint', '/r/last.pt', '--out', '/j/bundle', '--id', 'm1']);
  });
});
