import { readFile } from 'node:fs/promises';
import { performance } from 'node:perf_hooks';
import { funsdQaPairs, QaPair } from '../cli/funsd-qa';
import { readFunsdForm } from '../cli/funsd-reader';
import { AppConfig } from '../config/app-config';
import { DEFAULT_MAX_QUESTION_TOKENS, LayoutTokenizer } from '../layout';
import { EvalArgs } from './cli-args';
import { listFunsdDocuments } from './funsd-documents';
import { toClientWords } from './funsd-entities';
import { formatMs, summarizeLatencies } from './latency-stats';
import { describeMachine } from './machine';
import { qaScores, QaScores } from './qa-metrics';
import { servedModelFor } from './served-model';
import { ServiceClient } from './service-client';

/**
 * `eval --dataset funsd-qa`: the FUNSD-derived QA pairs (the same `funsdQaPairs` that `prepare --format funsd-qa`
 * writes) asked through `POST /v1/ask`, each document once with all its questions, scored with ANLS and exact match.
 */

export interface EvaluationReport {
  lines: string[];
  report: Record<string, unknown>;
}

interface QuestionResult {
  questionId: string;
  question: string;
  answers: string[];
  predicted: string;
  confidence: number;
}

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

/** The service's question limit for an ask bundle (ask.service.ts): its maxQuestionTokens, within the window. */
export function askQuestionLimit(manifest: { maxQuestionTokens?: number; maxLength: number }): number {
  return Math.min(manifest.maxQuestionTokens ?? DEFAULT_MAX_QUESTION_TOKENS, manifest.maxLength - 4);
}

function chunks<T>(items: readonly T[], size: number): T[][] {
  const result: T[][] = [];
  for (let first = 0; first < items.length; first += size) result.push(items.slice(first, first + size));
  return result;
}

/** Scores by phrasing: the question entity's own text, and "What is the <key>?". */
function scoresByPhrasing(results: readonly QuestionResult[]): Record<string, QaScores> {
  const byPhrasing: Record<string, QaScores> = {};
  for (const phrasing of ['text', 'plain']) {
    const subset = results.filter((result) => result.questionId.endsWith(`:${phrasing}`));
    byPhrasing[phrasing] = qaScores(subset.map((r) => r.predicted), subset.map((r) => r.answers));
  }
  return byPhrasing;
}

function percent(value: number): string {
  return `${(100 * value).toFixed(2)}`;
}

export async function evaluateFunsdQa(args: EvalArgs, config: Readonly<AppConfig>, log: (line: string) => void): Promise<EvaluationReport> {
  const documents = await listFunsdDocuments(args.funsdDir, args.split, args.limit);
  const modes = args.mode === 'both' ? (['gold', 'ocr'] as const) : [args.mode];
  const client = await ServiceClient.start(config);
  try {
    const { served, registered } = await servedModelFor(client, 'ask', args.model);
    const { manifest } = registered;
    const maxQuestionTokens = askQuestionLimit(manifest);
    const machine = describeMachine(config, await client.models());
    const lines = [`FUNSD-QA ${args.split}: ${documents.length} documents, model ${served.id}@${served.version}`, ...machine];
    const report: Record<string, unknown> = { dataset: args.dataset, split: args.split, funsdDir: args.funsdDir, documents: documents.length, model: served, machine };
    for (const mode of modes) {
      const results: QuestionResult[] = [];
      const wallMs: number[] = [];
      let truncated = 0;
      const started = performance.now();
      for (const [index, listed] of documents.entries()) {
        const { words, entities } = await readFunsdForm(listed.annotationPath);
        const pairs: QaPair[] = funsdQaPairs(listed.id, words, entities);
        if (pairs.length === 0) continue;
        const image = await readFile(listed.imagePath);
        const fitted = await Promise.all(pairs.map((pair) => fitQuestion(registered.tokenizer, pair.question, maxQuestionTokens)));
        truncated += fitted.filter((f) => f.truncated).length;
        let documentMs = 0;
        // One request per document unless it has more questions than a request may carry.
        for (const batch of chunks(pairs.map((pair, i) => ({ pair, text: fitted[i].text })), config.askMaxQuestions)) {
          const { response, wallMs: requestMs } = await client.ask({
            file: image,
            fileName: `${listed.id}.png`,
            questions: batch.map((item) => item.text),
            ...(mode === 'gold' ? { words: toClientWords(words) } : {}),
            ...(args.model === undefined ? {} : { model: args.model }),
          });
          documentMs += requestMs;
          if (response.answers.length !== batch.length) throw new Error(`${listed.id}: asked ${batch.length} questions, got ${response.answers.length} answers`);
          batch.forEach(({ pair }, i) => {
            const answer = response.answers[i];
            results.push({ questionId: pair.questionId, question: pair.question, answers: pair.answers, predicted: answer.answer ?? '', confidence: answer.confidence });
          });
        }
        wallMs.push(documentMs);
        log(`eval [${index + 1}/${documents.length}] ${listed.id} (${mode}): ${pairs.length} questions, ${Math.round(documentMs)} ms`);
      }
      const totalSeconds = (performance.now() - started) / 1000;
      const scores = qaScores(results.map((r) => r.predicted), results.map((r) => r.answers));
      const phrasing = scoresByPhrasing(results);
      const latency = summarizeLatencies(wallMs);
      const title = mode === 'gold' ? '(a) annotation words sent as client words' : '(b) our OCR (no words sent)';
      lines.push(
        '',
        title,
        `  questions ${scores.questions} (${truncated} cut to ${maxQuestionTokens} tokens), answered ${scores.answered}, no-answer rate ${percent(scores.noAnswerRate)}%`,
        `  ANLS ${percent(scores.anls)}   exact match ${percent(scores.exactMatch)}`,
        `  question text: ANLS ${percent(phrasing.text.anls)}, EM ${percent(phrasing.text.exactMatch)};  "What is the <key>?": ANLS ${percent(phrasing.plain.anls)}, EM ${percent(phrasing.plain.exactMatch)}`,
        `  ${(wallMs.length / totalSeconds).toFixed(3)} docs/s (sequential), median ${formatMs(latency.median)}/document`,
      );
      report[mode] = { scores, byPhrasing: phrasing, truncatedQuestions: truncated, docsPerSecond: wallMs.length / totalSeconds, wallMs: latency, questions: results };
    }
    return { lines, report };
  } finally {
    await client.close();
  }
}
