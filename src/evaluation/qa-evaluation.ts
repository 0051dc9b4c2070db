import { readFile } from 'node:fs/promises';
import { performance } from 'node:perf_hooks';
import { funsdQaPairs } from '../datasets/funsd-qa';
import { readFunsdForm } from '../datasets/funsd-reader';
import { parseQaManifest } from '../datasets/qa-reader';
import { AppConfig } from '../config/app-config';
import { LayoutTokenizer } from '../layout';
import { askQuestionLimit } from '../registry/bundle-manifest';
import { EvalArgs } from './cli-args';
import { listFunsdDocuments } from './funsd-documents';
import { toClientWords } from './funsd-entities';
import { formatMs, summarizeLatencies } from './latency-stats';
import { describeMachine } from './machine';
import { qaScores, QaScores, thresholdSweep } from './qa-metrics';
import { servedModelFor } from './served-model';
import { ServiceClient } from './service-client';

/**
 * `eval --dataset funsd-qa` (the FUNSD-derived QA pairs, the same `funsdQaPairs` that `prepare --format funsd-qa`
 * writes) and `eval --dataset qa --manifest qa.jsonl` (any QA manifest, e.g. the synthetic documents' questions
 * from `render-documents`): each document once with all its questions through `POST /v1/ask`, scored with ANLS
 * and exact match at the service's no-answer threshold, and the threshold's precision/recall trade-off.
 */

export interface EvaluationReport {
  lines: string[];
  report: Record<string, unknown>;
}

/** A document and its questions, with the words of gold mode (sent as client words). */
interface QaDocument {
  id: string;
  imagePath: string;
  goldWords?: unknown[];
  questions: Array<{ questionId: string; question: string; answers: string[] }>;
}

interface QuestionResult {
  questionId: string;
  question: string;
  answers: string[];
  /** The best answer at threshold 0 ('' = the model prefers no answer) and its confidence. */
  predicted: string;
  confidence: number;
}

/** Thresholds of the trade-off table; the service's default is added. */
const SWEEP = [0, 0.05, 0.1, 0.2, 0.3, 0.5, 0.7, 0.9];

/**
 * The question cut to the model's token limit at a word boundary (as `prepare` cuts questions to
 * maxQuestionTokens), so one long FUNSD key does not fail the whole request with QUESTION_TOO_LONG.
 */
export async function fitQuestion(tokenizer: LayoutTokenizer, question: string, maxTokens: number): Promise<{ text: string; truncated: boolean }> {
  const words = question.split(/\s+/).filter(Boolean);
  const { ids, wordIndex } = await tokenizer.tokenizeWords(words);
  if (ids.length <= maxTokens) return { text: question, truncated: false };
  const keptWords = Math.max(1, wordIndex[maxTokens]);
  return { text: words.slice(0, keptWords).join(' '), truncated: true };
}

function chunks<T>(items: readonly T[], size: number): T[][] {
  const result: T[][] = [];
  for (let first = 0; first < items.length; first += size) result.push(items.slice(first, first + size));
  return result;
}

/** FUNSD-QA: scores by phrasing, the question entity's own text and "What is the <key>?". */
function scoresByPhrasing(results: readonly QuestionResult[], threshold: number): Record<string, QaScores> {
  const byPhrasing: Record<string, QaScores> = {};
  for (const phrasing of ['text', 'plain']) {
    const subset = results.filter((result) => result.questionId.endsWith(`:${phrasing}`));
    byPhrasing[phrasing] = qaScores(subset.map((r) => atThreshold(r, threshold)), subset.map((r) => r.answers));
  }
  return byPhrasing;
}

const atThreshold = (result: QuestionResult, threshold: number) => (result.confidence >= threshold ? result.predicted : '');

function percent(value: number): string {
  return `${(100 * value).toFixed(2)}`;
}

async function funsdQaDocuments(args: EvalArgs): Promise<QaDocument[]> {
  const documents: QaDocument[] = [];
  for (const listed of await listFunsdDocuments(args.funsdDir, args.split, args.limit)) {
    const { words, entities } = await readFunsdForm(listed.annotationPath);
    const pairs = funsdQaPairs(listed.id, words, entities);
    if (pairs.length === 0) continue;
    documents.push({ id: listed.id, imagePath: listed.imagePath, goldWords: toClientWords(words), questions: pairs.map(({ questionId, question, answers }) => ({ questionId, question, answers })) });
  }
  return documents;
}

/** A QA manifest's split, one document per image (its questions in manifest order). */
async function manifestQaDocuments(args: EvalArgs): Promise<QaDocument[]> {
  const path = args.manifest as string;
  const byImage = new Map<string, QaDocument>();
  for (const example of parseQaManifest(await readFile(path, 'utf8'), path)) {
    if (example.split !== args.split) continue;
    const document = byImage.get(example.imagePath) ?? { id: example.docId, imagePath: example.imagePath, goldWords: example.words as unknown[] | undefined, questions: [] };
    document.questions.push({ questionId: example.questionId, question: example.question, answers: example.answer ? [example.answer] : [] });
    byImage.set(example.imagePath, document);
  }
  const documents = [...byImage.values()];
  return args.limit === undefined ? documents : documents.slice(0, args.limit);
}

export function evaluateFunsdQa(args: EvalArgs, config: Readonly<AppConfig>, log: (line: string) => void): Promise<EvaluationReport> {
  return evaluateQuestions(args, config, log, `FUNSD-QA ${args.split}`, funsdQaDocuments);
}

export function evaluateQaManifest(args: EvalArgs, config: Readonly<AppConfig>, log: (line: string) => void): Promise<EvaluationReport> {
  return evaluateQuestions(args, config, log, `${args.manifest} ${args.split}`, manifestQaDocuments);
}

async function evaluateQuestions(
  args: EvalArgs,
  config: Readonly<AppConfig>,
  log: (line: string) => void,
  title: string,
  readDocuments: (args: EvalArgs) => Promise<QaDocument[]>,
): Promise<EvaluationReport> {
  const documents = await readDocuments(args);
  const modes = args.mode === 'both' ? (['gold', 'ocr'] as const) : [args.mode];
  const threshold = config.askMinConfidence;
  const client = await ServiceClient.start(config);
  try {
    const { served, registered } = await servedModelFor(client, 'ask', args.model);
    const maxQuestionTokens = askQuestionLimit(registered.manifest);
    const machine = describeMachine(config, await client.models());
    const questionCount = documents.reduce((sum, document) => sum + document.questions.length, 0);
    const lines = [`${title}: ${documents.length} documents, ${questionCount} questions, model ${served.id}@${served.version}`, ...machine];
    const report: Record<string, unknown> = { dataset: args.dataset, split: args.split, documents: documents.length, model: served, machine, threshold };
    for (const mode of modes) {
      if (mode === 'gold' && documents.some((document) => document.goldWords === undefined)) throw new Error('gold mode needs the words of every document (the manifest has none for some)');
      const results: QuestionResult[] = [];
      const wallMs: number[] = [];
      let truncated = 0;
      const started = performance.now();
      for (const [index, document] of documents.entries()) {
        const image = await readFile(document.imagePath);
        const fitted = await Promise.all(document.questions.map((q) => fitQuestion(registered.tokenizer, q.question, maxQuestionTokens)));
        truncated += fitted.filter((f) => f.truncated).length;
        let documentMs = 0;
        // One request per document unless it has more questions than a request may carry; threshold 0 so each
        // question's best answer and confidence come back for the trade-off (the service's default applies below).
        for (const batch of chunks(document.questions.map((question, i) => ({ question, text: fitted[i].text })), config.askMaxQuestions)) {
          const { response, wallMs: requestMs } = await client.ask({
            file: image,
            fileName: `${document.id}.png`,
            questions: batch.map((item) => item.text),
            minScore: 0,
            ...(mode === 'gold' ? { words: document.goldWords } : {}),
            ...(args.model === undefined ? {} : { model: args.model }),
          });
          documentMs += requestMs;
          if (response.answers.length !== batch.length) throw new Error(`${document.id}: asked ${batch.length} questions, got ${response.answers.length} answers`);
          batch.forEach(({ question }, i) => {
            const answer = response.answers[i];
            results.push({ ...question, predicted: answer.answer ?? '', confidence: answer.answer === null ? 0 : answer.confidence });
          });
        }
        wallMs.push(documentMs);
        log(`eval [${index + 1}/${documents.length}] ${document.id} (${mode}): ${document.questions.length} questions, ${Math.round(documentMs)} ms`);
      }
      const totalSeconds = (performance.now() - started) / 1000;
      const answers = results.map((r) => r.answers);
      const scores = qaScores(results.map((r) => atThreshold(r, threshold)), answers);
      const sweep = thresholdSweep(results, [...new Set([...SWEEP, threshold])].sort((a, b) => a - b));
      const unanswerable = results.filter((r) => r.answers.length === 0).length;
      const latency = summarizeLatencies(wallMs);
      lines.push(
        '',
        mode === 'gold' ? '(a) annotation words sent as client words' : '(b) our OCR (no words sent)',
        `  questions ${scores.questions} (${unanswerable} unanswerable; ${truncated} cut to ${maxQuestionTokens} tokens); at the default no-answer threshold ${threshold}: answered ${scores.answered}, no-answer rate ${percent(scores.noAnswerRate)}%`,
        `  ANLS ${percent(scores.anls)}   exact match ${percent(scores.exactMatch)}`,
      );
      const modeReport: Record<string, unknown> = { scores, thresholdSweep: sweep, truncatedQuestions: truncated, docsPerSecond: wallMs.length / totalSeconds, wallMs: latency, questions: results };
      if (args.dataset === 'funsd-qa') {
        const phrasing = scoresByPhrasing(results, threshold);
        lines.push(`  question text: ANLS ${percent(phrasing.text.anls)}, EM ${percent(phrasing.text.exactMatch)};  "What is the <key>?": ANLS ${percent(phrasing.plain.anls)}, EM ${percent(phrasing.plain.exactMatch)}`);
        modeReport.byPhrasing = phrasing;
      }
      lines.push(
        '  no-answer threshold trade-off (precision = right answers / answered, recall = right answers / answerable; right = ANLS ≥ 0.5):',
        '  | threshold | answered | precision | recall | ANLS |',
        '  | ---: | ---: | ---: | ---: | ---: |',
        ...sweep.map((point) => `  | ${point.threshold}${point.threshold === threshold ? ' (default)' : ''} | ${point.answered} | ${percent(point.precision)} | ${percent(point.recall)} | ${percent(point.anls)} |`),
        `  ${(wallMs.length / totalSeconds).toFixed(3)} docs/s (sequential), median ${formatMs(latency.median)}/document`,
      );
      report[mode] = modeReport;
    }
    return { lines, report };
  } finally {
    await client.close();
  }
}
