import { AppConfig } from '../config/app-config';
import { EvalArgs } from './cli-args';
import { listFunsdDocuments, loadFunsdDocument } from './funsd-documents';
import { formatMs, summarizeLatencies } from './latency-stats';
import { describeMachine, describeOcrEngine } from './machine';
import { addOcrCounts, matchOcrWords, OcrWordCounts, ocrWordScores } from './ocr-word-metrics';
import { EvaluationReport } from './qa-evaluation';
import { ServiceClient } from './service-client';

/**
 * `eval --dataset funsd-ocr`: the words the service reads from each FUNSD page (POST /v1/extract with the image
 * alone; each page is sent once, so the page cache never answers) scored word by word against the gold words
 * (ocr-word-metrics.ts), with the OCR time per page. See docs/evaluation.md.
 */

const percent = (value: number) => (100 * value).toFixed(2).padStart(6);

export async function evaluateFunsdOcr(args: EvalArgs, config: Readonly<AppConfig>, log: (line: string) => void): Promise<EvaluationReport> {
  const documents = await listFunsdDocuments(args.funsdDir, args.split, args.limit);
  const client = await ServiceClient.start(config);
  try {
    const machine = describeMachine(config, await client.models());
    let total: OcrWordCounts = { gold: 0, predicted: 0, boxMatches: 0, textMatches: 0, cerSum: 0 };
    const ocrMs: number[] = [];
    const pages: Array<{ id: string; ocrMs: number; counts: OcrWordCounts }> = [];
    for (const [index, listed] of documents.entries()) {
      const document = await loadFunsdDocument(listed);
      const { response } = await client.extract(document.image, { model: args.model });
      const words = response.pages.flatMap((page) => page.words.map((word) => ({ text: word.text, box: word.box })));
      const counts = matchOcrWords(document.words.map((word) => ({ text: word.text, box: word.box })), words);
      const pageMs = response.pages.reduce((sum, page) => sum + page.timings.ocrMs, 0);
      total = addOcrCounts(total, counts);
      ocrMs.push(pageMs);
      pages.push({ id: document.id, ocrMs: pageMs, counts });
      const text = ocrWordScores(counts).text.f1;
      log(`eval [${index + 1}/${documents.length}] ${document.id}: ${counts.gold} gold words, ${counts.predicted} read, text F1 ${percent(text).trim()}, OCR ${Math.round(pageMs)} ms`);
    }
    const scores = ocrWordScores(total);
    const latency = summarizeLatencies(ocrMs);
    const engine = describeOcrEngine(config);
    const lines = [
      `FUNSD ${args.split}: ${documents.length} pages, words of ${engine} vs gold words (box IoU ≥ 0.5; text equal after trimming punctuation, case-folded)`,
      ...machine,
      '',
      '| engine / setting | gold | read | box P | box R | box F1 | text P | text R | text F1 | CER | OCR p50 ms | OCR p95 ms |',
      '| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |',
      `| ${engine} | ${total.gold} | ${total.predicted} | ${percent(scores.box.precision)} | ${percent(scores.box.recall)} | ${percent(scores.box.f1)} | ` +
        `${percent(scores.text.precision)} | ${percent(scores.text.recall)} | ${percent(scores.text.f1)} | ${scores.cer === null ? '–' : scores.cer.toFixed(3)} | ` +
        `${formatMs(latency.median)} | ${formatMs(latency.p95)} |`,
    ];
    return { lines, report: { dataset: args.dataset, split: args.split, funsdDir: args.funsdDir, documents: documents.length, engine, machine, scores, ocrMs: latency, pages } };
  } finally {
    await client.close();
  }
}
