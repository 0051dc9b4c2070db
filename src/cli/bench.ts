import { resolve } from 'node:path';
import { loadAppConfig } from '../config/app-config';
import { BenchArgs, parseBenchArgs } from '../evaluation/cli-args';
import { ExtractClient } from '../evaluation/extract-client';
import { FunsdDocument, listFunsdDocuments, loadFunsdDocument } from '../evaluation/funsd-documents';
import { toClientWords } from '../evaluation/funsd-entities';
import { formatMs, summarizeLatencies } from '../evaluation/latency-stats';
import { describeMachine } from '../evaluation/machine';
import { NATIVE_TESSERACT, nativeTesseractAvailable, nativeTesseractVersion, timeNativeTesseract } from '../evaluation/native-tesseract';

/**
 * `bench`: per-page latency of the served pipeline on FUNSD test pages, sequential requests (concurrency 1):
 * model only (client words), end to end with OCR, OCR alone, and the native tesseract CLI on the same pages.
 * See docs/evaluation.md.
 */

const REPO_ROOT = resolve(__dirname, '..', '..', '..');

interface PageLatencies {
  modelOnlyMs: number[];
  endToEndMs: number[];
  ocrMs: number[];
  nativeTesseractMs: number[];
}

function row(name: string, values: number[]): string {
  const { median, p95, count } = summarizeLatencies(values);
  return `${name.padEnd(38)} ${formatMs(median).padStart(12)} ${formatMs(p95).padStart(12)} ${String(count).padStart(6)}`;
}

async function bench(args: BenchArgs, documents: FunsdDocument[]): Promise<void> {
  const config = loadAppConfig({ LOG_LEVEL: 'warn', ...process.env });
  const native = (await nativeTesseractAvailable()) ? await nativeTesseractVersion() : undefined;
  const client = await ExtractClient.start(config);
  try {
    const machine = describeMachine(config, await client.models());
    const latencies: PageLatencies = { modelOnlyMs: [], endToEndMs: [], ocrMs: [], nativeTesseractMs: [] };

    // One untimed request of each kind: lazily created OCR workers and ONNX sessions start here, not in page 1.
    const first = await loadFunsdDocument(documents[0]);
    const { response: warmup } = await client.extract(first.image, { words: toClientWords(first.words), model: args.model });
    await client.extract(first.image, { model: args.model });

    for (const [index, listed] of documents.entries()) {
      const document = await loadFunsdDocument(listed);
      const withWords = await client.extract(document.image, { words: toClientWords(document.words), model: args.model });
      const withOcr = await client.extract(document.image, { model: args.model });
      const modelMs = withWords.response.pages[0].timings.modelMs;
      const ocrMs = withOcr.response.pages[0].timings.ocrMs;
      latencies.modelOnlyMs.push(modelMs);
      latencies.endToEndMs.push(withOcr.wallMs);
      latencies.ocrMs.push(ocrMs);
      let nativeNote = '';
      if (native !== undefined) {
        const nativeMs = await timeNativeTesseract(document.imagePath);
        latencies.nativeTesseractMs.push(nativeMs);
        nativeNote = `, native tesseract ${Math.round(nativeMs)} ms`;
      }
      process.stderr.write(
        `bench [${index + 1}/${documents.length}] ${document.id}: model ${Math.round(modelMs)} ms, ` +
          `end-to-end ${Math.round(withOcr.wallMs)} ms (OCR ${Math.round(ocrMs)} ms)${nativeNote}\n`,
      );
    }

    const lines = [
      `bench: ${documents.length} FUNSD test pages, sequential requests, model ${warmup.model.id}@${warmup.model.version}`,
      ...machine,
      '',
      `${'per page'.padEnd(38)} ${'median'.padStart(12)} ${'p95'.padStart(12)} ${'pages'.padStart(6)}`,
      row('model only (client words → modelMs)', latencies.modelOnlyMs),
      row('end to end with OCR (request wall)', latencies.endToEndMs),
      row('OCR, ours (tesseract.js → ocrMs)', latencies.ocrMs),
    ];
    if (native === undefined) {
      lines.push(`native tesseract: ${NATIVE_TESSERACT} not installed — skipped`);
    } else {
      lines.push(row(`native ${native} (tsv)`, latencies.nativeTesseractMs));
      const ratio = summarizeLatencies(latencies.ocrMs).median / summarizeLatencies(latencies.nativeTesseractMs).median;
      lines.push(`OCR ours / native (medians): ${ratio.toFixed(2)}×`);
    }
    process.stdout.write(`${lines.join('\n')}\n`);
  } finally {
    await client.close();
  }
}

async function main(argv: string[]): Promise<number> {
  let args: BenchArgs;
  let documents: FunsdDocument[];
  try {
    args = parseBenchArgs(argv, REPO_ROOT);
    documents = await listFunsdDocuments(args.funsdDir, 'test', args.pages);
  } catch (error) {
    process.stderr.write(`bench: ${(error as Error).message}\n`);
    return 2;
  }
  try {
    await bench(args, documents);
    return 0;
  } catch (error) {
    process.stderr.write(`bench: failed: ${(error as Error).message}\n`);
    return 1;
  }
}

// Exit explicitly: a worker that outlives app.close() must not keep a finished run alive.
main(process.argv.slice(2)).then((code) => process.exit(code));
