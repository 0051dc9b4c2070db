import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { cp, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { DomainError } from '../../src/common/domain-error';
import { RegistryService } from '../../src/registry/registry.service';
import { assertError, bootApp, postDocument, REPO_ROOT, TINY_EXTRACT_BUNDLE } from '../helpers/app';
import { ADMIN_AUTH, ADMIN_KEY } from '../helpers/admin';
import { formWords, renderFormPng } from '../helpers/fixtures';

/**
 * One bundle, three heads: one graph serves /v1/extract, /v1/ask and /v1/classify, the page's image side is
 * computed once for all three, and a single-task version can take over one task.
 *
 * The fixture test/fixtures/joint-bundles/tiny-joint was made in trainer/ with
 *   python tests/synthetic_dataset.py D/extract; … D/classify --task classify --train-docs 12 --test-docs 6;
 *   … D/ask --task ask
 *   python -m aetnet_trainer.train --data extract=D/extract --data classify=D/classify --data ask=D/ask \
 *     --config tiny --out D/run --epochs 3 --validation-docs 2
 *   python -m aetnet_trainer.export --checkpoint D/run/best.pt --out ../test/fixtures/joint-bundles/tiny-joint \
 *     --id tiny-joint --fp16-storage --data-licence "synthetic (…), CC0"
 */

const JOINT_DIR = join(REPO_ROOT, 'test', 'fixtures', 'joint-bundles');
const JOINT = join(JOINT_DIR, 'tiny-joint');
const FORM_LINES = ['REGISTRATION FORM', 'Name: John Smith', 'Date: 12/03/1990'];

interface Timings {
  imageEncoderMs: number;
  cacheHit: boolean;
}

describe('a bundle with three heads', () => {
  let app: NestFastifyApplication;
  let registry: RegistryService;
  let workDir: string;
  let page: Buffer;

  before(async () => {
    workDir = await mkdtemp(join(tmpdir(), 'aetnet-joint-'));
    app = await bootApp({ AETNET_SHIPPED_MODELS_DIR: JOINT_DIR, AETNET_ADMIN_KEY: ADMIN_KEY });
    registry = app.get(RegistryService);
    page = await renderFormPng(FORM_LINES);
  });

  after(async () => {
    await app?.close();
    await rm(workDir, { recursive: true, force: true });
  });

  const post = (url: string, fields: Record<string, string> = {}) => postDocument(app, url, page, fields, 'page.png');

  it('is listed with the tasks it serves, each head with its labels, as the default of all three', async () => {
    const manifest = JSON.parse(await readFile(join(JOINT, 'manifest.json'), 'utf8'));
    const response = await app.inject({ method: 'GET', url: '/v1/models' });
    assert.equal(response.statusCode, 200);
    const model = response.json().models.find((m: { id: string }) => m.id === 'tiny-joint');
    assert.deepEqual(model.tasks, ['extract', 'classify', 'ask']);
    assert.deepEqual(model.labels, { extract: manifest.tasks.extract.labels, classify: manifest.tasks.classify.labels, ask: [] });
    assert.deepEqual(model.defaultFor, ['extract', 'classify', 'ask']);
    const ready = await app.inject({ method: 'GET', url: '/health/ready' });
    assert.deepEqual(ready.json().models.map((m: { id: string; tasks: string[] }) => [m.id, m.tasks]), [['tiny-joint', ['extract', 'classify', 'ask']]]);
  });

  it('answers all three endpoints from one model, the page image encoded once for all of them', async () => {
    const manifestLabels: string[] = JSON.parse(await readFile(join(JOINT, 'manifest.json'), 'utf8')).tasks.extract.labels;
    const extract = await post('/v1/extract');
    assert.equal(extract.statusCode, 200, extract.body);
    assert.equal(extract.json().model.id, 'tiny-joint');
    const first: Timings = extract.json().timings;
    assert.ok(first.imageEncoderMs > 0 && first.cacheHit === false, JSON.stringify(first));
    const words = extract.json().pages[0].words;
    assert.ok(words.length >= 5 && words.every((w: { label: string }) => manifestLabels.includes(w.label)));

    const ask = await post('/v1/ask', { questions: JSON.stringify(['What is the name?']) });
    assert.equal(ask.statusCode, 200, ask.body);
    assert.equal(ask.json().model.id, 'tiny-joint');
    assert.equal(ask.json().timings.imageEncoderMs, 0);
    assert.equal(ask.json().timings.cacheHit, true);

    const classify = await post('/v1/classify');
    assert.equal(classify.statusCode, 200, classify.body);
    assert.equal(classify.json().model.id, 'tiny-joint');
    assert.equal(classify.json().timings.imageEncoderMs, 0);
    assert.deepEqual(Object.keys(classify.json().document.scores).sort(), ['invoice', 'letter', 'memo']);
  });

  it('lets a single-task version take over extract while ask and classify stay on the shared model', async () => {
    const copy = join(workDir, 'extract-copy');
    await cp(TINY_EXTRACT_BUNDLE, copy, { recursive: true });
    const manifestPath = join(copy, 'manifest.json');
    const manifest = JSON.parse(await readFile(manifestPath, 'utf8'));
    await writeFile(manifestPath, JSON.stringify({ ...manifest, id: 'extract-only' }));
    await registry.publish(copy);

    const activated = await app.inject({ method: 'POST', url: '/admin/models/extract-only/activate?task=extract', headers: ADMIN_AUTH });
    assert.equal(activated.statusCode, 200, activated.body);
    assert.deepEqual(activated.json().activeFor, ['extract']);
    assert.equal((await post('/v1/extract')).json().model.id, 'extract-only');
    assert.equal((await post('/v1/ask', { questions: JSON.stringify(['What is the date?']) })).json().model.id, 'tiny-joint');
    assert.equal((await post('/v1/classify')).json().model.id, 'tiny-joint');

    const list = (await app.inject({ method: 'GET', url: '/admin/models', headers: ADMIN_AUTH })).json();
    const active = Object.fromEntries(list.tasks.map((t: { task: string; active: string }) => [t.task, t.active]));
    assert.deepEqual(active, { extract: 'extract-only', classify: 'tiny-joint', ask: 'tiny-joint' });
    const joint = list.tasks.find((t: { task: string }) => t.task === 'extract').versions.find((v: { id: string }) => v.id === 'tiny-joint');
    assert.deepEqual([joint.active, joint.activeFor, joint.tasks], [false, ['classify', 'ask'], ['extract', 'classify', 'ask']]);

    // The shared model serves extract again when asked to, for that task only.
    const back = await app.inject({ method: 'POST', url: '/admin/models/tiny-joint/activate?task=extract', headers: ADMIN_AUTH });
    assert.deepEqual(back.json().activeFor, ['extract', 'classify', 'ask']);
    assert.equal((await post('/v1/extract')).json().model.id, 'tiny-joint');
  });

  it('answers 404 MODEL_NOT_FOUND naming the task when a single-task bundle is asked for another', async () => {
    const details = assertError(await post('/v1/ask', { questions: JSON.stringify(['What is the name?']), model: 'extract-only' }), 404, 'MODEL_NOT_FOUND');
    assert.deepEqual(details, { task: 'ask', model: 'extract-only', tasks: ['extract'] });
    const activate = await app.inject({ method: 'POST', url: '/admin/models/extract-only/activate?task=classify', headers: ADMIN_AUTH });
    assertError(activate, 404, 'MODEL_NOT_FOUND');
    assertError(await app.inject({ method: 'POST', url: '/admin/models/tiny-joint/activate?task=translate', headers: ADMIN_AUTH }), 400, 'INVALID_REQUEST');
  });

  it('refuses a bundle whose manifest names a head output the graph lacks, or a head without labels, naming the field', async () => {
    const refused = async (id: string, edit: (manifest: Record<string, any>) => void) => {
      const dir = join(workDir, id);
      await cp(JOINT, dir, { recursive: true });
      const manifest = JSON.parse(await readFile(join(dir, 'manifest.json'), 'utf8'));
      edit(manifest);
      await writeFile(join(dir, 'manifest.json'), JSON.stringify({ ...manifest, id }));
      const error = await registry.publish(dir).then(() => undefined, (e: unknown) => e);
      assert.ok(error instanceof DomainError && error.code === 'INVALID_BUNDLE', String(error));
      return (error.details as { problems: string[] }).problems.join('; ');
    };
    const missingHead = await refused('no-such-head', (manifest) => {
      manifest.tasks.classify.outputs.logits = 'doc_logits';
      manifest.outputs.doc_logits = manifest.outputs.class_logits;
    });
    assert.match(missingHead, /tasks\.classify\.outputs\.logits.*'doc_logits'.*model\.onnx/);
    const noLabels = await refused('no-labels', (manifest) => (manifest.tasks.classify.labels = []));
    assert.match(noLabels, /tasks\.classify\.labels must be a non-empty array/);
    assert.deepEqual(registry.list().map((model) => model.id).sort(), ['extract-only', 'tiny-joint']);
  });

  it('serves client words through the shared model too', async () => {
    const response = await app.inject({
      method: 'POST',
      url: '/v1/ask',
      payload: { document: page.toString('base64'), words: formWords(FORM_LINES), questions: ['What is the date?'] },
    });
    assert.equal(response.statusCode, 200, response.body);
    assert.equal(response.json().model.id, 'tiny-joint');
  });
});
