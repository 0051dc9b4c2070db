import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { bundleTasks, ManifestError, parseBundleManifest, taskHead } from './bundle-manifest';

function validManifest(): Record<string, any> {
  return {
    formatVersion: 1,
    id: 'funsd-extract-small',
    version: '1',
    task: 'extract',
    labels: ['O', 'B-HEADER', 'I-HEADER', 'B-QUESTION', 'I-QUESTION', 'B-ANSWER', 'I-ANSWER'],
    onnx: { file: 'model.onnx', opset: 17, precision: 'fp32' },
    inputs: {
      input_ids: { dtype: 'int64', shape: ['batch', 'sequence'] },
      attention_mask: { dtype: 'int64', shape: ['batch', 'sequence'] },
      bbox: { dtype: 'int64', shape: ['batch', 'sequence', 4] },
      pixel_values: { dtype: 'float32', shape: ['batch', 3, 224, 224] },
    },
    outputs: { logits: { dtype: 'float32', shape: ['batch', 'sequence', 7] } },
    maxLength: 256,
    windowStride: 128,
    image: { size: 224, mean: [0.5, 0.5, 0.5], std: [0.5, 0.5, 0.5], resample: 'bilinear' },
    tokenizer: { file: 'tokenizer.json', cls: '[CLS]', sep: '[SEP]', pad: '[PAD]', clsId: 101, sepId: 102, padId: 0 },
    boxes: 'segment',
    metrics: { f1: 0.8 },
  };
}

function problemsOf(raw: unknown): string[] {
  try {
    parseBundleManifest(raw);
  } catch (error) {
    assert.ok(error instanceof ManifestError);
    return error.problems;
  }
  return [];
}

describe('parseBundleManifest', () => {
  it('accepts the documented example', () => {
    const manifest = parseBundleManifest(validManifest());
    assert.equal(manifest.id, 'funsd-extract-small');
    assert.equal(manifest.tokenizer.padId, 0);
    assert.deepEqual(manifest.metrics, { f1: 0.8 });
  });

  it('defaults missing metrics to an empty object', () => {
    const raw = validManifest();
    delete raw.metrics;
    assert.deepEqual(parseBundleManifest(raw).metrics, {});
  });

  it('rejects non-objects', () => {
    assert.deepEqual(problemsOf([]), ['manifest must be a JSON object']);
    assert.deepEqual(problemsOf(null), ['manifest must be a JSON object']);
  });

  it('lists every problem at once', () => {
    const raw = validManifest();
    raw.formatVersion = 2;
    raw.task = 'translate';
    raw.maxLength = 4;
    const problems = problemsOf(raw);
    assert.ok(problems.some((p) => p.startsWith('formatVersion')));
    assert.ok(problems.some((p) => p.startsWith('task')));
    assert.ok(problems.some((p) => p.startsWith('maxLength')));
  });

  it('refuses file names that escape the bundle directory', () => {
    const raw = validManifest();
    raw.onnx.file = '../../etc/passwd';
    raw.tokenizer.file = 'sub/tokenizer.json';
    const problems = problemsOf(raw);
    assert.ok(problems.some((p) => p.startsWith('onnx.file')));
    assert.ok(problems.some((p) => p.startsWith('tokenizer.file')));
  });

  it('reads a key-value head and refuses one whose outputs the graph does not declare', () => {
    const spec = { dtype: 'float32', shape: ['batch', 'sequence', 8] };
    const pairs = { keys: 'pair_keys', values: 'pair_values', dim: 8, keyLabel: 'QUESTION', valueLabel: 'ANSWER' };
    const withPairs: Record<string, any> = { ...validManifest(), pairs };
    withPairs.outputs = { ...withPairs.outputs, pair_keys: spec, pair_values: spec };
    assert.deepEqual(parseBundleManifest(withPairs).pairs, pairs);
    const broken = { ...validManifest(), pairs: { ...pairs, values: 'missing', dim: 0 } };
    assert.throws(() => parseBundleManifest(broken), /pairs\.keys names 'pair_keys', which outputs does not declare.*pairs\.values names 'missing'.*pairs\.dim must be an integer/);
  });

  it('reads a key-value head\'s geometry MLP and refuses other features or layers that do not chain to one score', () => {
    const spec = { dtype: 'float32', shape: ['batch', 'sequence', 8] };
    const features = ['gapX', 'gapY', 'centreDX', 'centreDY', 'overlapY', 'overlapX', 'leftDX', 'sameLineRight', 'belowOverlapping'];
    const layers = [
      { weight: [Array(9).fill(0.1), Array(9).fill(-0.1)], bias: [0, 1] },
      { weight: [[1, 2]], bias: [0.5] },
    ];
    const withGeometry = (geometry: unknown): Record<string, any> => {
      const raw: Record<string, any> = { ...validManifest(), pairs: { keys: 'pair_keys', values: 'pair_values', dim: 8, keyLabel: 'QUESTION', valueLabel: 'ANSWER', geometry } };
      raw.outputs = { ...raw.outputs, pair_keys: spec, pair_values: spec };
      return raw;
    };
    assert.deepEqual(parseBundleManifest(withGeometry({ features, activation: 'relu', layers })).pairs?.geometry?.layers, layers);
    assert.throws(() => parseBundleManifest(withGeometry({ features: features.slice(1), activation: 'relu', layers })), /pairs\.geometry\.features must be \[gapX/);
    assert.throws(() => parseBundleManifest(withGeometry({ features, activation: 'relu', layers: [layers[0], { weight: [[1, 2, 3]], bias: [0] }] })), /layers\[1\]\.weight must be rows of 2 finite numbers/);
    assert.throws(() => parseBundleManifest(withGeometry({ features, activation: 'relu', layers: [layers[0]] })), /last layer must give 1 score, not 2/);
    assert.throws(() => parseBundleManifest(withGeometry({ features, activation: 'tanh', layers })), /activation must be relu/);
  });

  it('refuses unsafe ids', () => {
    const raw = validManifest();
    raw.id = 'a/b';
    assert.ok(problemsOf(raw).some((p) => p.startsWith('id')));
  });

  it('requires BIO labels for extract, unique labels', () => {
    const raw = validManifest();
    raw.labels = ['O', 'HEADER', 'O'];
    const problems = problemsOf(raw);
    assert.ok(problems.some((p) => p.includes('HEADER')));
    assert.ok(problems.includes('labels must be unique'));
  });

  it('requires logits for extract and input_ids, and only known inputs', () => {
    const raw = validManifest();
    raw.outputs = { scores: { dtype: 'float32', shape: ['batch', 7] } };
    delete raw.inputs.input_ids;
    raw.inputs.token_type_ids = { dtype: 'int64', shape: ['batch', 'sequence'] };
    const problems = problemsOf(raw);
    assert.ok(problems.includes('outputs.logits is required for extract'));
    assert.ok(problems.includes('inputs.input_ids is required'));
    assert.ok(problems.some((p) => p.startsWith('inputs.token_type_ids')));
  });

  it('checks the window stride against the content length', () => {
    const raw = validManifest();
    raw.windowStride = 255;
    assert.ok(problemsOf(raw).some((p) => p.startsWith('windowStride')));
    raw.windowStride = 254;
    assert.deepEqual(problemsOf(raw), []);
  });

  it('checks image normalisation and tokenizer ids', () => {
    const raw = validManifest();
    raw.image.std = [0.5, 0, 0.5];
    raw.image.mean = [0.5];
    raw.tokenizer.padId = -1;
    const problems = problemsOf(raw);
    assert.ok(problems.includes('image.std must be 3 positive numbers'));
    assert.ok(problems.includes('image.mean must be 3 finite numbers'));
    assert.ok(problems.includes('tokenizer.padId must be a non-negative integer'));
  });

  it('accepts a classify bundle with class labels and [batch, labels] logits', () => {
    const raw = validManifest();
    raw.task = 'classify';
    raw.labels = ['form', 'invoice', 'letter'];
    raw.outputs = { logits: { dtype: 'float32', shape: ['batch', 3] } };
    assert.deepEqual(problemsOf(raw), []);
  });

  it('accepts a split ask bundle: no labels, start/end logits, image embeddings from the image encoder', () => {
    const raw = validManifest();
    raw.task = 'ask';
    raw.labels = [];
    raw.onnx.imageEncoderFile = 'image_encoder.onnx';
    delete raw.inputs.pixel_values;
    raw.inputs.image_embeddings = { dtype: 'float32', shape: ['batch', 197, 384] };
    raw.imageEncoder = {
      inputs: { pixel_values: { dtype: 'float32', shape: ['batch', 3, 224, 224] } },
      outputs: { image_embeddings: { dtype: 'float32', shape: ['batch', 197, 384] } },
    };
    raw.outputs = { start_logits: { dtype: 'float32', shape: ['batch', 'sequence'] }, end_logits: { dtype: 'float32', shape: ['batch', 'sequence'] } };
    raw.maxQuestionTokens = 64;
    raw.maxAnswerTokens = 30;
    const manifest = parseBundleManifest(raw);
    assert.equal(manifest.onnx.imageEncoderFile, 'image_encoder.onnx');
    assert.deepEqual(manifest.tasks, { ask: { labels: [], outputs: { start_logits: 'start_logits', end_logits: 'end_logits' }, maxQuestionTokens: 64, maxAnswerTokens: 30 } });
  });

  it('requires each task’s outputs and an empty label list for ask', () => {
    const raw = validManifest();
    raw.task = 'ask';
    const problems = problemsOf(raw);
    assert.ok(problems.includes('labels must be [] for ask'));
    assert.ok(problems.includes('outputs.start_logits is required for ask'));
    assert.ok(problems.includes('outputs.end_logits is required for ask'));
    raw.task = 'classify';
    raw.outputs = { scores: { dtype: 'float32', shape: ['batch', 7] } };
    assert.ok(problemsOf(raw).includes('outputs.logits is required for classify'));
  });

  it('pairs image_embeddings with an image encoder file, and checks question and answer limits', () => {
    const raw = validManifest();
    raw.inputs.image_embeddings = { dtype: 'float32', shape: ['batch', 50, 64] };
    raw.maxQuestionTokens = 0;
    raw.maxAnswerTokens = 0;
    let problems = problemsOf(raw);
    assert.ok(problems.includes('inputs.image_embeddings needs onnx.imageEncoderFile'));
    assert.ok(problems.some((p) => p.startsWith('maxQuestionTokens')));
    assert.ok(problems.some((p) => p.startsWith('maxAnswerTokens')));
    raw.onnx.imageEncoderFile = '../encoder.onnx';
    problems = problemsOf(raw);
    assert.ok(problems.some((p) => p.startsWith('onnx.imageEncoderFile')));
    assert.ok(problems.includes('a split bundle takes image_embeddings, not pixel_values'));
  });

  describe('several heads on one graph', () => {
    function jointManifest(): Record<string, any> {
      const raw = validManifest();
      delete raw.task;
      delete raw.labels;
      raw.outputs = {
        token_logits: { dtype: 'float32', shape: ['batch', 'sequence', 7] },
        start_logits: { dtype: 'float32', shape: ['batch', 'sequence'] },
        end_logits: { dtype: 'float32', shape: ['batch', 'sequence'] },
        class_logits: { dtype: 'float32', shape: ['batch', 2] },
      };
      raw.tasks = {
        extract: { labels: ['O', 'B-Q', 'I-Q'], outputs: { logits: 'token_logits' } },
        ask: { outputs: { start_logits: 'start_logits', end_logits: 'end_logits' }, maxQuestionTokens: 48 },
        classify: { labels: ['letter', 'memo'], outputs: { logits: 'class_logits' } },
      };
      return raw;
    }

    it('parse into one head per task with its labels and output names', () => {
      const manifest = parseBundleManifest(jointManifest());
      assert.deepEqual(bundleTasks(manifest), ['extract', 'classify', 'ask']);
      assert.deepEqual(taskHead(manifest, 'extract'), { labels: ['O', 'B-Q', 'I-Q'], outputs: { logits: 'token_logits' } });
      assert.deepEqual(taskHead(manifest, 'ask'), { labels: [], outputs: { start_logits: 'start_logits', end_logits: 'end_logits' }, maxQuestionTokens: 48 });
      assert.equal(taskHead(manifest, 'classify').outputs.logits, 'class_logits');
      const single = parseBundleManifest(validManifest());
      assert.deepEqual(bundleTasks(single), ['extract']);
      assert.throws(() => taskHead(single, 'ask'), /does not serve ask/);
    });

    it('name the task and field of every problem', () => {
      const raw = jointManifest();
      raw.tasks.classify.labels = [];
      raw.tasks.extract.outputs.logits = 'entity_logits';
      delete raw.tasks.ask.outputs.end_logits;
      raw.tasks.translate = { outputs: {} };
      assert.deepEqual(new Set(problemsOf(raw)), new Set([
        "tasks.extract.outputs.logits names 'entity_logits', which outputs does not declare",
        'tasks.ask.outputs.end_logits must name a graph output',
        'tasks.classify.labels must be a non-empty array of strings',
        'tasks.translate is not a task (expected extract, classify, ask)',
      ]));
    });

    /** One graph (token logits + key-value outputs) with a classify head over pooled outputs and ask by key lookup. */
    function computedHeads(): Record<string, any> {
      const raw: Record<string, any> = validManifest();
      delete raw.task;
      delete raw.labels;
      raw.outputs = { ...raw.outputs, pair_keys: { dtype: 'float32', shape: ['batch', 'sequence', 2] }, pair_values: { dtype: 'float32', shape: ['batch', 'sequence', 1] } };
      raw.pairs = { keys: 'pair_keys', values: 'pair_values', dim: 2, keyLabel: 'QUESTION', valueLabel: 'ANSWER' };
      raw.tasks = {
        extract: { labels: ['O', 'B-QUESTION', 'I-QUESTION', 'B-ANSWER', 'I-ANSWER'], outputs: { logits: 'logits' } },
        classify: { labels: ['letter', 'memo'], linear: { from: ['pair_keys', 'pair_values'], pooling: 'mean-word-tokens', weight: [[1, 0, 0], [0, 1, 2]], bias: [0, 0.5] } },
        ask: { labels: [], keyLookup: { minKeySimilarity: 0.6 } },
      };
      return raw;
    }

    it('read heads the service computes: classify linear over pooled outputs, ask by key lookup, no output names', () => {
      const manifest = parseBundleManifest(computedHeads());
      assert.deepEqual(bundleTasks(manifest), ['extract', 'classify', 'ask']);
      assert.deepEqual(taskHead(manifest, 'classify').outputs, {});
      assert.deepEqual(taskHead(manifest, 'classify').linear?.bias, [0, 0.5]);
      assert.deepEqual(taskHead(manifest, 'ask'), { labels: [], outputs: {}, keyLookup: { minKeySimilarity: 0.6 } });
    });

    it('refuse a linear head that does not fit its outputs or labels, and key lookup without the key-value head', () => {
      const wrongWidth = computedHeads();
      wrongWidth.tasks.classify.linear.weight = [[1, 0], [0, 1]];
      assert.deepEqual(problemsOf(wrongWidth), ['tasks.classify.linear.weight must be 2 rows (one per label) of 3 finite numbers']);
      const undeclared = computedHeads();
      undeclared.tasks.classify.linear.from = ['hidden_states'];
      assert.deepEqual(problemsOf(undeclared), ["tasks.classify.linear.from names 'hidden_states', which outputs does not declare"]);
      const perWindow = computedHeads();
      perWindow.tasks.classify.linear.from = ['logits', 'pair_keys'];
      perWindow.outputs.logits.shape = ['batch', 5];
      assert.deepEqual(problemsOf(perWindow), ["tasks.classify.linear.from: 'logits' must be a per-token output [batch, sequence, n] with n a number"]);
      const shortBias = computedHeads();
      shortBias.tasks.classify.linear.bias = [0];
      shortBias.tasks.classify.linear.pooling = 'mean-word-tokens';
      assert.deepEqual(problemsOf(shortBias), ['tasks.classify.linear.bias must be 2 finite numbers']);
      const noLabels = computedHeads();
      noLabels.tasks.classify.labels = [];
      assert.ok(problemsOf(noLabels).includes('tasks.classify.labels must be a non-empty array of strings'));
      const noPairs = computedHeads();
      delete noPairs.pairs;
      noPairs.tasks.ask.keyLookup.minKeySimilarity = 2;
      assert.deepEqual(problemsOf(noPairs), ['tasks.ask.keyLookup.minKeySimilarity must be a number in [0, 1]', 'tasks.ask.keyLookup needs the extract task and its key-value head (pairs)']);
    });

    it('read a span reader for key lookup, and refuse one whose file, outputs or answer length are wrong', () => {
      const reader = { file: 'ask-reader.onnx', from: ['logits', 'pair_keys'], maxAnswerWords: 40 };
      const withReader = computedHeads();
      withReader.tasks.ask.keyLookup.reader = reader;
      assert.deepEqual(taskHead(parseBundleManifest(withReader), 'ask').keyLookup, { minKeySimilarity: 0.6, reader });
      const bad = computedHeads();
      bad.tasks.ask.keyLookup.reader = { file: 'model.onnx', from: ['hidden_states'], maxAnswerWords: 0 };
      assert.deepEqual(problemsOf(bad), [
        'tasks.ask.keyLookup.reader.file must be another file name inside the bundle',
        "tasks.ask.keyLookup.reader.from names 'hidden_states', which outputs does not declare",
        'tasks.ask.keyLookup.reader.maxAnswerWords must be a positive integer',
      ]);
      const outside = computedHeads();
      outside.tasks.ask.keyLookup.reader = { ...reader, file: '../reader.onnx' };
      assert.deepEqual(problemsOf(outside), ['tasks.ask.keyLookup.reader.file must be another file name inside the bundle']);
      const withOcr = computedHeads();
      withOcr.tasks.ask.keyLookup.reader = { ...reader, ocrFile: 'ask-reader-ocr.onnx' };
      assert.equal(taskHead(parseBundleManifest(withOcr), 'ask').keyLookup?.reader?.ocrFile, 'ask-reader-ocr.onnx');
      const sameOcr = computedHeads();
      sameOcr.tasks.ask.keyLookup.reader = { ...reader, ocrFile: 'ask-reader.onnx' };
      assert.deepEqual(problemsOf(sameOcr), ['tasks.ask.keyLookup.reader.ocrFile must be another file name inside the bundle']);
    });

    it('refuse a manifest with both forms, or with no task', () => {
      assert.deepEqual(problemsOf({ ...jointManifest(), task: 'extract' }), ['a manifest declares either task and labels or tasks, not both']);
      assert.deepEqual(problemsOf({ ...jointManifest(), tasks: {} }), ['tasks must be an object with at least one task']);
    });
  });
});
