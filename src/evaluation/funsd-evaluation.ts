import { AppConfig } from '../config/app-config';
import { EvalArgs } from './cli-args';
import { EntityCounter, EntityScores, formatScores } from './entity-metrics';
import { FunsdDocument, listFunsdDocuments, loadFunsdDocument } from './funsd-documents';
import { funsdGoldEntities, predictedBoxes, predictedSpans, toClientWords } from './funsd-entities';
import { formatMs, LatencySummary, summarizeLatencies } from './latency-stats';
import { describeMachine } from './machine';
import { EvaluationReport } from './qa-evaluation';
import { ExtractPage, ServiceClient } from './service-client';

/**
 * `eval --dataset funsd`: drives the served pipeline (real app, OCR and ONNX bundle) over a FUNSD split and scores
 * entities — (a) gold words sent as client words, exact word-set match; (b) the service's own OCR, label + box
 * IoU ≥ 0.5. See docs/evaluation.md.
 */

type ScoredMode = 'gold' | 'ocr';

const MODE_TITLES: Record<ScoredMode, string> = {
  gold: '(a) gold words — exact word-set match (seqeval semantics)',
  ocr: '(b) our OCR — label match and box IoU ≥ 0.5 with an unmatched gold entity',
};

interface DocumentResult {
  id: string;
  wallMs: number;
  ocrMs: number;
  modelMs: number;
  goldEntities: number;
  predictedEntities: number;
}

/** Counts and latencies of one mode over the run. */
class ModeTally {
  readonly counter = new EntityCounter();
  readonly documents: DocumentResult[] = [];

  constructor(readonly mode: ScoredMode) {}

  add(document: FunsdDocument, page: ExtractPage, wallMs: number, goldEntities: number): void {
    this.documents.push({
      id: document.id,
      wallMs,
      ocrMs: page.timings.ocrMs,
      modelMs: page.timings.modelMs,
      goldEntities,
      predictedEntities: page.entities.length,
    });
  }

  summary(): { scores: EntityScores; docsPerSecond: number; wallMs: LatencySummary; ocrMs: LatencySummary; modelMs: LatencySummary } {
    const totalWallMs = this.documents.reduce((sum, d) => sum + d.wallMs, 0);
    return {
      scores: this.counter.scores(),
      docsPerSecond: totalWallMs === 0 ? 0 : (1000 * this.documents.length) / totalWallMs,
      wallMs: summarizeLatencies(this.documents.map((d) => d.wallMs)),
      ocrMs: summarizeLatencies(this.documents.map((d) => d.ocrMs)),
      modelMs: summarizeLatencies(this.documents.map((d) => d.modelMs)),
    };
  }
}

function onlyPage(pages: ExtractPage[], id: string): ExtractPage {
  if (pages.length !== 1) throw new Error(`${id}: expected 1 page in the answer, got ${pages.length}`);
  return pages[0];
}

export async function evaluateFunsdEntities(args: EvalArgs, config: Readonly<AppConfig>, log: (line: string) => void): Promise<EvaluationReport> {
  const documents = await listFunsdDocuments(args.funsdDir, args.split, args.limit);
  const modes: ScoredMode[] = args.mode === 'both' ? ['gold', 'ocr'] : [args.mode];
  const tallies = modes.map((mode) => new ModeTally(mode));
  const client = await ServiceClient.start(config);
  try {
    const machine = describeMachine(config, await client.models());
    let servedModel: { id: string; version: string } | undefined;
    for (const [index, listed] of documents.entries()) {
      const document = await loadFunsdDocument(listed);
      const gold = funsdGoldEntities(document.words);
      const progress: string[] = [];
      for (const tally of tallies) {
        const words = tally.mode === 'gold' ? toClientWords(document.words) : undefined;
        const { response, wallMs } = await client.extract(document.image, { words, model: args.model });
        servedModel ??= response.model;
        const page = onlyPage(response.pages, document.id);
        // Gold spans are indices into the words sent: the answer must label exactly those words, in order.
        if (words !== undefined && page.words.length !== words.length) {
          throw new Error(`${document.id}: sent ${words.length} words, the answer labels ${page.words.length}`);
        }
        if (tally.mode === 'gold') tally.counter.addSpans(gold.spans, predictedSpans(page.entities));
        else tally.counter.addBoxes(gold.boxes, predictedBoxes(page.entities));
        tally.add(document, page, wallMs, gold.spans.length);
        progress.push(`${tally.mode}: ${page.entities.length} predicted, ${Math.round(wallMs)} ms`);
      }
      log(`eval [${index + 1}/${documents.length}] ${document.id}: ${gold.spans.length} gold entities; ${progress.join('; ')}`);
    }

    const model = servedModel ? `${servedModel.id}@${servedModel.version}` : 'none';
    const lines = [`FUNSD ${args.split}: ${documents.length} documents, model ${model}`, ...machine];
    const report: Record<string, unknown> = { dataset: args.dataset, split: args.split, funsdDir: args.funsdDir, documents: documents.length, model: servedModel, machine };
    for (const tally of tallies) {
      const summary = tally.summary();
      lines.push('', formatScores(MODE_TITLES[tally.mode], summary.scores));
      const ocr = tally.mode === 'ocr' ? `, median OCR ${formatMs(summary.ocrMs.median)}/page` : '';
      lines.push(`${summary.docsPerSecond.toFixed(3)} docs/s (sequential), median model ${formatMs(summary.modelMs.median)}/page${ocr}`);
      report[tally.mode] = { ...summary, documents: tally.documents };
    }
    return { lines, report };
  } finally {
    await client.close();
  }
}
