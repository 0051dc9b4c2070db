import { readFile } from 'node:fs/promises';
import { performance } from 'node:perf_hooks';
import { readClassifyManifest } from '../datasets/classify-reader';
import { AppConfig } from '../config/app-config';
import { EvalArgs } from './cli-args';
import { classificationScores } from './classify-metrics';
import { formatMs, summarizeLatencies } from './latency-stats';
import { describeMachine } from './machine';
import { EvaluationReport } from './qa-evaluation';
import { servedModelFor } from './served-model';
import { ServiceClient, uploadName } from './service-client';

/**
 * `eval --dataset classify`: the documents of one split of a classification manifest (render-documents writes one)
 * sent to `POST /v1/classify` — with the manifest's words (gold) or none (ocr) — scored on the document label.
 */
export async function classifyEvaluation(args: EvalArgs, config: Readonly<AppConfig>, log: (line: string) => void): Promise<EvaluationReport> {
  const all = await readClassifyManifest(args.manifest as string);
  const examples = all.filter((example) => example.split === args.split).slice(0, args.limit);
  if (examples.length === 0) throw new Error(`${args.manifest}: no documents in split '${args.split}'`);
  if (args.mode === 'both') throw new Error('--dataset classify takes --mode gold or ocr');
  const client = await ServiceClient.start(config);
  try {
    const { served } = await servedModelFor(client, 'classify', args.model);
    // The model's classes first, then any gold class it cannot predict (it counts as a miss, never dropped).
    const servedLabels = served.labels.classify;
    const labels = [...servedLabels, ...[...new Set(examples.map((e) => e.label))].filter((label) => !servedLabels.includes(label)).sort()];
    const pairs: Array<[string, string]> = [];
    const wallMs: number[] = [];
    const rows: Array<Record<string, unknown>> = [];
    const started = performance.now();
    for (const [index, example] of examples.entries()) {
      const withWords = args.mode === 'gold' && example.words !== undefined;
      const { response, wallMs: requestMs } = await client.classify({
        file: await readFile(example.imagePath),
        fileName: uploadName(example.imagePath),
        ...(withWords ? { words: example.words as unknown[] } : {}),
        ...(args.model === undefined ? {} : { model: args.model }),
      });
      pairs.push([example.label, response.document.label]);
      wallMs.push(requestMs);
      rows.push({ docId: example.docId, gold: example.label, predicted: response.document.label, confidence: response.document.confidence, wordsSent: withWords });
      log(`eval [${index + 1}/${examples.length}] ${example.docId}: gold ${example.label}, predicted ${response.document.label} (${Math.round(requestMs)} ms)`);
    }
    const seconds = (performance.now() - started) / 1000;
    const scores = classificationScores(pairs, labels);
    const latency = summarizeLatencies(wallMs);
    const pct = (value: number) => (100 * value).toFixed(2).padStart(7);
    const lines = [
      `classification ${args.split} of ${args.manifest}: ${examples.length} documents, model ${served.id}@${served.version}, ` +
        (args.mode === 'gold' ? "the manifest's words sent as client words" : 'our OCR (no words sent)'),
      ...describeMachine(config, await client.models()),
      '',
      `accuracy ${(100 * scores.accuracy).toFixed(2)}   macro F1 ${(100 * scores.macroF1).toFixed(2)}`,
      `${'class'.padEnd(16)} ${'precision'.padStart(9)} ${'recall'.padStart(7)} ${'F1'.padStart(7)} ${'support'.padStart(8)}`,
      ...labels.map((label) => {
        const s = scores.perLabel[label];
        return `${label.padEnd(16)} ${pct(s.precision).padStart(9)} ${pct(s.recall)} ${pct(s.f1)} ${String(s.support).padStart(8)}`;
      }),
      `confusion (rows gold, columns predicted, order ${labels.join(', ')}): ${JSON.stringify(scores.confusion)}`,
      `${(examples.length / seconds).toFixed(3)} docs/s (sequential), median ${formatMs(latency.median)}/document`,
    ];
    return {
      lines,
      report: { dataset: args.dataset, manifest: args.manifest, split: args.split, mode: args.mode, model: served, scores, docsPerSecond: examples.length / seconds, wallMs: latency, documents: rows },
    };
  } finally {
    await client.close();
  }
}
