import { existsSync } from 'node:fs';
import { writeFile } from 'node:fs/promises';
import { availableParallelism } from 'node:os';
import { isAbsolute, resolve } from 'node:path';
import { AppConfig, loadAppConfig } from '../config/app-config';
import { RegisteredModel } from '../registry/registry.service';
import { BenchCell, BenchPath, runCell } from '../bench/bench-cells';
import { cellMs, cellNumber, markdownTable } from '../bench/bench-report';
import { askQuestions, BenchPage, benchUpload, loadBenchPages, windowLengths } from '../bench/bench-workload';
import { BenchArgs, BenchEndpoint, parseBenchArgs } from '../evaluation/cli-args';
import { eagerPageMs, runEagerBench } from '../bench/eager-bench';
import { percentile, summarizeLatencies } from '../evaluation/latency-stats';
import { describeMachine } from '../evaluation/machine';
import { measureMatMulRateIsolated, MatMulRate } from '../bench/matmul-rate';
import { imageTokens, modelDimensions, pageFlops } from '../bench/model-flops';
import { NATIVE_TESSERACT, nativeTesseractAvailable, nativeTesseractVersion, timeNativeTesseract } from '../bench/native-tesseract';
import { servedModelFor } from '../evaluation/served-model';
import { ServiceClient } from '../evaluation/service-client';
import { OcrEngineName } from '../ocr/ocr-engine';

/**
 * `bench`: throughput and latency of /v1/extract, /v1/classify and /v1/ask on FUNSD test pages — model only
 * (client words) and end to end (OCR), concurrency 1/4/16, dynamic batching on and off, page cache off — then the
 * model time against the FLOP limit of the machine's measured ORT matmul rate, against PyTorch eager on the same
 * weights, and our OCR against the native tesseract CLI. See docs/evaluation.md.
 */

const REPO_ROOT = resolve(__dirname, '..', '..', '..');
const log = (line: string) => process.stderr.write(`bench: ${line}\n`);

/** What the bench knows about the model behind one endpoint. */
interface EndpointModel {
  endpoint: BenchEndpoint;
  model: RegisteredModel;
  /** Per bench page: the questions sent (ask) and the token lengths of the windows the service runs. */
  questions: string[][];
  windows: number[][];
}

function serviceConfig(batching: boolean, ocrEngine?: OcrEngineName): Readonly<AppConfig> {
  const configuredWait = Number(process.env.AETNET_BATCH_MAX_WAIT_MS ?? '');
  return loadAppConfig({
    LOG_LEVEL: 'warn',
    ...process.env,
    ...(ocrEngine ? { AETNET_OCR_ENGINE: ocrEngine } : {}),
    // Every request must do its own decoding, OCR and image encoding.
    AETNET_PAGE_CACHE_MAX_ENTRIES: '0',
    AETNET_BATCH_MAX_WAIT_MS: batching ? String(configuredWait > 0 ? configuredWait : 5) : '0',
    // High enough that concurrency 16 is queued, not refused (503s are still counted if they happen).
    AETNET_QUEUE_LIMIT: process.env.AETNET_QUEUE_LIMIT ?? '100000',
  });
}

async function endpointModels(client: ServiceClient, args: BenchArgs, pages: readonly BenchPage[]): Promise<EndpointModel[]> {
  const found: EndpointModel[] = [];
  for (const endpoint of args.endpoints) {
    let model: RegisteredModel;
    try {
      model = (await servedModelFor(client, endpoint)).registered;
    } catch (error) {
      log(`skipping ${endpoint}: ${(error as Error).message}`);
      continue;
    }
    const questions = await Promise.all(pages.map((page) => (endpoint === 'ask' ? askQuestions(model, page) : [])));
    const windows = await Promise.all(pages.map((page, i) => windowLengths(model, endpoint, page, questions[i])));
    found.push({ endpoint, model, questions, windows });
  }
  return found;
}

/** A cell with the OCR engine its end-to-end requests went through. */
type EngineCell = BenchCell & { ocrEngine: string };

async function benchSetting(
  batching: boolean,
  args: BenchArgs,
  pages: readonly BenchPage[],
  header: string[],
  ocrEngine?: OcrEngineName,
  paths: readonly BenchPath[] = ['model-only', 'end-to-end'],
): Promise<{ cells: EngineCell[]; models: EndpointModel[] }> {
  const config = serviceConfig(batching, ocrEngine);
  const client = await ServiceClient.start(config);
  try {
    if (header.length === 0) header.push(...describeMachine(config, await client.models()), `batching on: max batch ${config.batchMaxSize} rows, max wait ${serviceConfig(true).batchMaxWaitMs} ms`);
    const models = await endpointModels(client, args, pages);
    const cells: EngineCell[] = [];
    for (const { endpoint, questions } of models) {
      const uploads = (withWords: boolean) => pages.map((page, i) => benchUpload(endpoint, page, withWords, questions[i]));
      for (const path of paths) {
        const pathUploads = uploads(path === 'model-only');
        // Untimed: lazily started OCR workers and ONNX sessions start here, not in the first timed request.
        const warm = await runCell(client, { batching: batching ? 'on' : 'off', endpoint, path, concurrency: 1 }, pathUploads, { requests: 1, maxMs: 600_000 });
        if (warm.served !== 1) throw new Error(`${endpoint} ${path} warm-up failed: ${warm.errors.join('; ') || 'refused'}`);
        for (const concurrency of args.concurrency) {
          const requests = path === 'model-only' ? args.requests : args.e2eRequests;
          const measured = await runCell(client, { batching: batching ? 'on' : 'off', endpoint, path, concurrency }, pathUploads, { requests, maxMs: args.cellSeconds * 1000 });
          const cell = { ...measured, ocrEngine: path === 'model-only' ? '–' : config.ocrEngine };
          cells.push(cell);
          log(
            `batching ${cell.batching}, ${endpoint} ${path}${path === 'end-to-end' ? ` (${config.ocrEngine})` : ''}, c=${concurrency}: ${cell.served}/${cell.sent} served, ${cellNumber(cell.pagesPerSecond)} pages/s, ` +
              `p50 ${cellMs(cell.latencyMs.median)} ms${cell.rejected ? `, ${cell.rejected} refused` : ''}${cell.failed ? `, ${cell.failed} failed (${cell.errors[0]})` : ''}`,
          );
        }
      }
    }
    return { cells, models };
  } finally {
    await client.close();
  }
}

function latencyTable(cells: readonly EngineCell[]): string[] {
  return markdownTable(
    ['endpoint', 'path', 'OCR', 'batching', 'concurrency', 'served/sent', 'pages/s', 'p50 ms', 'p95 ms', 'p99 ms', 'model ms p50', 'OCR ms p50', '429/503'],
    cells.map((c) => [
      c.endpoint,
      c.path,
      c.ocrEngine,
      c.batching,
      c.concurrency,
      `${c.served}/${c.sent}${c.capped ? ' (time cap)' : ''}`,
      cellNumber(c.pagesPerSecond),
      cellMs(c.latencyMs.median),
      cellMs(c.latencyMs.p95),
      cellMs(c.latencyMs.p99),
      cellMs(c.modelMs.median),
      c.path === 'end-to-end' ? cellMs(c.ocrMs.median) : '–',
      c.rejected,
    ]),
  );
}

/** The sequential, unbatched model-only cell: the cleanest per-request model time. */
function referenceCell(cells: readonly BenchCell[], endpoint: BenchEndpoint): BenchCell | undefined {
  const candidates = cells.filter((c) => c.endpoint === endpoint && c.path === 'model-only' && c.batching === 'off' && c.served > 0);
  return candidates.sort((a, b) => a.concurrency - b.concurrency)[0];
}

async function flopSection(models: readonly EndpointModel[], cells: readonly BenchCell[], threads: number, args: BenchArgs): Promise<{ lines: string[]; rows: Array<Record<string, unknown>> }> {
  const rows: Array<Record<string, unknown>> = [];
  const rates = new Map<string, MatMulRate>();
  for (const { endpoint, model, windows } of models) {
    const dims = modelDimensions(model.manifest.training);
    const cell = referenceCell(cells, endpoint);
    if (!dims || !cell) {
      rows.push({ endpoint, model: model.id, note: dims ? 'no model-only measurement' : 'manifest has no training.config preset or training.model sizes' });
      continue;
    }
    const shape = { m: model.manifest.maxLength + imageTokens(dims), k: dims.hidden, n: dims.ffn };
    const key = `${shape.m}x${shape.k}x${shape.n}`;
    if (!rates.has(key)) rates.set(key, await measureMatMulRateIsolated(shape, { intraOpThreads: threads, budgetMs: args.quick ? 200 : 2000 }));
    const rate = rates.get(key) as MatMulRate;
    const options = { task: endpoint, labels: model.manifest.tasks[endpoint]?.labels.length ?? 0, splitImageEncoder: model.manifest.onnx.imageEncoderFile !== undefined };
    const perRequest = cell.requests.map((r) => {
      const flops = pageFlops(dims, windows[r.page], options);
      const limitMs = flops / (rate.gflopsPerSecond * 1e6);
      return { flops, limitMs, ratio: r.modelMs / limitMs };
    });
    rows.push({
      endpoint,
      model: `${model.id}@${model.manifest.version}`,
      gflopPerPage: percentile(perRequest.map((r) => r.flops), 50) / 1e9,
      windowsPerPage: percentile(windows.map((w) => w.length), 50),
      matmul: rate,
      flopLimitMs: percentile(perRequest.map((r) => r.limitMs), 50),
      modelMs: cell.modelMs.median,
      ratio: percentile(perRequest.map((r) => r.ratio), 50),
    });
  }
  const lines = markdownTable(
    ['endpoint', 'model', 'windows/page', 'GFLOP/page', 'ORT matmul GFLOP/s (shape)', 'FLOP-limit ms', 'model ms', 'model / limit'],
    rows.map((r) => {
      if (r.note) return [r.endpoint as string, r.model as string, 'n/a', 'n/a', 'n/a', 'n/a', 'n/a', r.note as string];
      const rate = r.matmul as MatMulRate;
      return [
        r.endpoint as string,
        r.model as string,
        cellNumber(r.windowsPerPage as number),
        cellNumber(r.gflopPerPage as number),
        `${cellNumber(rate.gflopsPerSecond)} (${rate.shape.m}×${rate.shape.k}·${rate.shape.k}×${rate.shape.n})`,
        cellMs(r.flopLimitMs as number),
        cellMs(r.modelMs as number),
        cellNumber(r.ratio as number, '×'),
      ];
    }),
  );
  return { lines, rows };
}

function checkpointFor(model: RegisteredModel, endpoint: BenchEndpoint, args: BenchArgs): string | undefined {
  const named = model.manifest.training?.checkpoint;
  if (typeof named === 'string' && named !== '') {
    const path = isAbsolute(named) ? named : resolve(model.directory, named);
    if (existsSync(path)) return path;
  }
  return args.checkpoints[endpoint];
}

async function eagerSection(models: readonly EndpointModel[], cells: readonly BenchCell[], config: Readonly<AppConfig>, threads: number, args: BenchArgs): Promise<{ lines: string[]; rows: Array<Record<string, unknown>> }> {
  const rows: Array<Record<string, unknown>> = [];
  for (const { endpoint, model, windows } of models) {
    const checkpoint = checkpointFor(model, endpoint, args);
    const cell = referenceCell(cells, endpoint);
    if (checkpoint === undefined || !existsSync(checkpoint) || !cell) {
      rows.push({ endpoint, model: model.id, note: checkpoint === undefined ? 'no checkpoint (manifest names none; pass --checkpoint task=path)' : !cell ? 'no model-only measurement' : `${checkpoint} not found` });
      continue;
    }
    const length = Math.round(percentile(windows.flat(), 50)) || model.manifest.maxLength;
    log(`PyTorch eager: ${checkpoint}, ${args.eagerWindows} runs at ${length} tokens, ${threads} threads`);
    try {
      const eager = await runEagerBench(config, { checkpoint, windows: args.eagerWindows, length, threads, timeoutMs: 600_000 });
      const split = model.manifest.onnx.imageEncoderFile !== undefined;
      const eagerMs = cell.requests.map((r) => eagerPageMs(eager, windows[r.page].length, split));
      const ratios = cell.requests.map((r, i) => r.modelMs / eagerMs[i]);
      rows.push({ endpoint, model: `${model.id}@${model.manifest.version}`, checkpoint, eager, ortModelMs: cell.modelMs.median, eagerModelMs: percentile(eagerMs, 50), ratio: percentile(ratios, 50) });
    } catch (error) {
      rows.push({ endpoint, model: model.id, checkpoint, note: `eager run failed: ${(error as Error).message.split('\n')[0]}` });
    }
  }
  const lines = markdownTable(
    ['endpoint', 'model', 'checkpoint', 'torch (threads)', 'ORT model ms/page', 'PyTorch eager ms/page', 'ORT / PyTorch'],
    rows.map((r) => {
      if (r.note) return [r.endpoint as string, r.model as string, (r.checkpoint as string) ?? 'n/a', 'n/a', 'n/a', 'n/a', r.note as string];
      const eager = r.eager as { torch: string; threads: number };
      return [r.endpoint as string, r.model as string, r.checkpoint as string, `${eager.torch} (${eager.threads})`, cellMs(r.ortModelMs as number), cellMs(r.eagerModelMs as number), cellNumber(r.ratio as number, '×')];
    }),
  );
  return { lines, rows };
}

async function ocrSection(pages: readonly BenchPage[], cells: readonly EngineCell[]): Promise<{ lines: string[]; report: Record<string, unknown> }> {
  const lowest = Math.min(...cells.map((x) => x.concurrency));
  const engines = [...new Set(cells.filter((c) => c.path === 'end-to-end').map((c) => c.ocrEngine))];
  const ours = engines.map((engine) => {
    const ms = cells.filter((c) => c.path === 'end-to-end' && c.ocrEngine === engine && c.concurrency === lowest).flatMap((c) => c.requests.map((r) => r.ocrMs));
    return { engine, summary: summarizeLatencies(ms) };
  });
  if (!(await nativeTesseractAvailable())) {
    const medians = ours.map((o) => `${o.engine} ${cellMs(o.summary.median)}`).join(', ');
    return { lines: [`native tesseract: ${NATIVE_TESSERACT} not installed — skipped; ours (median ms/page): ${medians}`], report: { ours } };
  }
  const version = await nativeTesseractVersion();
  const native: number[] = [];
  for (const page of pages) native.push(await timeNativeTesseract(page.imagePath));
  const nativeSummary = summarizeLatencies(native);
  const ratios = ours.map((o) => ({ engine: o.engine, ratio: o.summary.median / nativeSummary.median }));
  const lines = markdownTable(
    ['OCR per page', 'median ms', 'p95 ms', 'pages', 'ours / native'],
    [
      ...ours.map((o, i) => [`ours: ${o.engine} (worker pool, \`timings.ocrMs\`, concurrency ${lowest})`, cellMs(o.summary.median), cellMs(o.summary.p95), o.summary.count, cellNumber(ratios[i].ratio, '×')]),
      [`native ${version} (tsv, process start included)`, cellMs(nativeSummary.median), cellMs(nativeSummary.p95), nativeSummary.count, '1×'],
    ],
  );
  return { lines, report: { ours, native: nativeSummary, nativeVersion: version, ratios } };
}

async function bench(args: BenchArgs): Promise<void> {
  const pages = await loadBenchPages(args.funsdDir, args.pages);
  const header: string[] = [];
  const cells: EngineCell[] = [];
  let models: EndpointModel[] = [];
  const [firstEngine, ...otherEngines] = args.ocrEngines ?? [undefined];
  for (const batching of [true, false]) {
    const result = await benchSetting(batching, args, pages, header, firstEngine);
    cells.push(...result.cells);
    models = result.models;
    for (const engine of otherEngines) cells.push(...(await benchSetting(batching, args, pages, header, engine, ['end-to-end'])).cells);
  }
  if (models.length === 0) throw new Error(`no model is loaded for ${args.endpoints.join(', ')}`);
  const config = serviceConfig(false);
  const threads = config.inferenceThreads || availableParallelism();
  const flops = await flopSection(models, cells, config.inferenceThreads, args);
  const eager = await eagerSection(models, cells, config, threads, args);
  const ocr = await ocrSection(pages, cells);

  const lines = [
    `# aetnet bench${args.quick ? ' (--quick)' : ''}`,
    '',
    ...header.map((line) => `- ${line}`),
    `- workload: ${pages.length} FUNSD test pages (one page per request${models.some((m) => m.endpoint === 'ask') ? '; /v1/ask: 4 questions per page' : ''}), page cache off; ` +
      `${args.requests} requests per model-only cell, ${args.e2eRequests} per end-to-end cell, at most ${args.cellSeconds} s per cell`,
    '',
    '## Throughput and latency',
    '',
    ...latencyTable(cells),
    '',
    `## Model time vs the FLOP limit (batching off, concurrency ${Math.min(...args.concurrency)}, model-only; ORT intra-op threads ${config.inferenceThreads || 'default'})`,
    '',
    ...flops.lines,
    '',
    `## ONNX Runtime (served) vs PyTorch eager, same weights (torch threads ${threads})`,
    '',
    ...eager.lines,
    '',
    '## OCR: ours vs the native tesseract CLI',
    '',
    ...ocr.lines,
  ];
  process.stdout.write(`${lines.join('\n')}\n`);
  if (args.json !== undefined) {
    const report = { args, machine: header, pages: pages.map((p) => p.id), cells, flops: flops.rows, eager: eager.rows, ocr: ocr.report };
    await writeFile(args.json, `${JSON.stringify(report, null, 2)}\n`);
    log(`wrote ${args.json}`);
  }
}

async function main(argv: string[]): Promise<number> {
  let args: BenchArgs;
  try {
    args = parseBenchArgs(argv, REPO_ROOT);
  } catch (error) {
    process.stderr.write(`bench: ${(error as Error).message}\n`);
    return 2;
  }
  try {
    await bench(args);
    return 0;
  } catch (error) {
    process.stderr.write(`bench: failed: ${(error as Error).message}\n`);
    return 1;
  }
}

// Exit explicitly: a worker that outlives app.close() must not keep a finished run alive.
main(process.argv.slice(2)).then((code) => process.exit(code));
