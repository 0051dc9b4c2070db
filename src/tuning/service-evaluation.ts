import { readFile } from 'node:fs/promises';
import { basename, join } from 'node:path';
import { DomainError } from '../common/domain-error';
import { KeyValuePairs, StoredDocument } from '../datasets/dataset-types';
import { classificationScores, ClassificationScores } from '../evaluation/classify-metrics';
import { EntityCounter, LabelScore, matchSpans, SpanEntity } from '../evaluation/entity-metrics';
import { LinkCounter, LinkScores, pairLinks } from '../evaluation/link-metrics';
import type { ExtractPageDto } from '../inference/extract.dto';
import { qaScores, QaScores, ScoredAnswer, thresholdSweep, ThresholdPoint } from '../evaluation/qa-metrics';
import { decodeBio } from '../heads/bio-decode';
import type { AskService } from '../inference/ask.service';
import type { ClassifyService } from '../inference/classify.service';
import { newTimings, PreparedDocument } from '../inference/document-pipeline.service';
import type { ExtractService } from '../inference/extract.service';
import { LayoutWord } from '../layout';
import { bundleTasks, ModelTask } from '../registry/bundle-manifest';
import type { RegisteredModel } from '../registry/bundle-loader';

/**
 * Scores a bundle on a dataset's held-out documents through the service's own task runners — the code behind
 * /v1/extract, /v1/classify and /v1/ask, from the model's own tokenization and windows to its answers — with the
 * stored pages and their words going in as a client's words would. The scores are the eval CLI's metrics. Base and
 * tuned go through this one function on the same documents, so their numbers compare.
 */

/** The task runners of the inference module (tuning.module.ts binds the services). */
export interface TaskRunners {
  extract: Pick<ExtractService, 'extractDocument'>;
  classify: Pick<ClassifyService, 'classifyDocument'>;
  ask: Pick<AskService, 'askDocument'>;
}

/** A dataset's held-out split: its stored documents and the dataset's labels (BIO tags or class names). */
export interface HeldOutSplit {
  directory: string;
  labels: string[];
  documents: StoredDocument[];
}

export interface ExtractScores extends Omit<LabelScore, 'predicted' | 'correct'> {
  perLabel: Record<string, LabelScore>;
  documents: number;
  pages: number;
  /** Key → value links of the documents that have them (first pages), from the served entities and pairs. */
  pairs?: LinkScores;
}

export interface AskScores extends QaScores {
  /** The no-answer threshold the scores use (the service's default `minScore`). */
  minScore: number;
  /** What other thresholds would give. */
  thresholds: ThresholdPoint[];
}

export type TaskScores = ExtractScores | ClassificationScores | AskScores;

const SWEPT_THRESHOLDS = [0, 0.1, 0.2, 0.3, 0.5, 0.7];

/** Why a bundle cannot be scored on `task`, or undefined when it can. */
export function unsupportedReason(manifest: RegisteredModel['manifest'], task: ModelTask): string | undefined {
  const tasks = bundleTasks(manifest);
  return tasks.includes(task) ? undefined : `the bundle serves ${tasks.join(', ')}, not ${task}`;
}

/** A stored document as the runners take it: its page images and words, as a client sending words would. */
export async function preparedDocument(split: Pick<HeldOutSplit, 'directory'>, document: StoredDocument): Promise<PreparedDocument> {
  const pages = await Promise.all(
    document.pages.map(async (page, index) => ({
      image: { index, width: page.width, height: page.height, png: await readFile(join(split.directory, page.image)) },
      words: page.words.map(({ text, box, segment }) => ({ text, box, segment, confidence: 1 })),
      wordsSource: 'client' as const,
      ocrMs: 0,
    })),
  );
  // Keys the page cache's image rows: unique per dataset and document.
  return { contentHash: `held-out:${basename(split.directory)}:${document.id}`, pages };
}

/** Pure: a page's gold entities from its words' BIO label indices, decoded by the rule served entities follow. */
export function goldEntities(words: readonly LayoutWord[], labels: readonly string[]): SpanEntity[] {
  const tagged = words.map((word) => ({ text: word.text, box: word.box, confidence: 1, label: labels[word.label ?? 0] ?? 'O' }));
  return decodeBio(tagged).map((entity) => ({ label: entity.label, wordIds: entity.words }));
}

/**
 * A served page's key → value links scored against the document's own (first page): a link counts when both its
 * entities have exactly a linked gold entity's label and words (the FUNSD links evaluation's rule with gold words).
 */
export function addPageLinks(counter: LinkCounter, gold: KeyValuePairs, page: Pick<ExtractPageDto, 'entities' | 'pairs'>): void {
  const goldEntities = gold.pairEntities.map(({ label, firstWord, lastWord }) => ({ label, wordIds: Array.from({ length: lastWord - firstWord + 1 }, (_, i) => firstWord + i) }));
  const matched = matchSpans(goldEntities, page.entities.map((entity) => ({ label: entity.label, wordIds: entity.words })));
  counter.add(gold.pairLinks, pairLinks(page.pairs), (entity) => matched.get(entity));
}

async function scoreExtract(runners: TaskRunners, model: RegisteredModel, split: HeldOutSplit): Promise<ExtractScores> {
  const counter = new EntityCounter();
  const links = new LinkCounter();
  let pages = 0;
  let linked = false;
  for (const document of split.documents) {
    const served = await runners.extract.extractDocument(model, await preparedDocument(split, document), newTimings());
    served.forEach((page, index) => {
      counter.addSpans(goldEntities(document.pages[index].words, split.labels), page.entities.map((entity) => ({ label: entity.label, wordIds: entity.words })));
    });
    if (document.pairs && served.length > 0) {
      addPageLinks(links, document.pairs, served[0]);
      linked = true;
    }
    pages += served.length;
  }
  const { micro, perLabel } = counter.scores();
  return {
    precision: micro.precision, recall: micro.recall, f1: micro.f1, support: micro.support, perLabel, documents: split.documents.length, pages,
    ...(linked ? { pairs: links.scores() } : {}),
  };
}

/**
 * The document's class as /v1/classify decides it; predictions outside the dataset's classes (a base model trained
 * on others) count as wrong and get their own confusion column.
 */
async function scoreClassify(runners: TaskRunners, model: RegisteredModel, split: HeldOutSplit): Promise<ClassificationScores> {
  const pairs: Array<[string, string]> = [];
  for (const document of split.documents) {
    const served = await runners.classify.classifyDocument(model, await preparedDocument(split, document), newTimings());
    pairs.push([split.labels[document.classLabel ?? 0], served.document.label]);
  }
  const predictedOnly = [...new Set(pairs.map(([, predicted]) => predicted))].filter((label) => !split.labels.includes(label));
  return classificationScores(pairs, [...split.labels, ...predictedOnly]);
}

/**
 * One question as /v1/ask answers it: the answer at `minScore` ('' = none) and, for the threshold sweep, the one
 * at threshold 0 with its confidence. A question the model refuses (over its length limit) is "no answer".
 */
async function askOne(runners: TaskRunners, model: RegisteredModel, document: PreparedDocument, question: string, minScore: number) {
  try {
    const [answer] = await runners.ask.askDocument(model, document, { questions: [question], topK: 1, minScore }, newTimings());
    // At threshold 0 the service still says "no answer" when that is likelier than the best span.
    const atZero = answer.topK[0] && answer.noAnswerConfidence <= answer.confidence ? answer.topK[0].answer : '';
    return { answer: answer.answer ?? '', atZero, confidence: answer.confidence };
  } catch (error) {
    if (!(error instanceof DomainError)) throw error;
    return { answer: '', atZero: '', confidence: 0 };
  }
}

/** Every question of every held-out document, asked one at a time at the service's default `minScore`. */
async function scoreAsk(runners: TaskRunners, model: RegisteredModel, split: HeldOutSplit, minScore: number): Promise<AskScores> {
  const predictions: string[] = [];
  const scored: ScoredAnswer[] = [];
  for (const document of split.documents) {
    if (!document.questions?.length) continue;
    const prepared = await preparedDocument(split, document);
    for (const question of document.questions) {
      const { answer, atZero, confidence } = await askOne(runners, model, prepared, question.question, minScore);
      predictions.push(answer);
      scored.push({ predicted: atZero, confidence, answers: question.answers });
    }
  }
  return { ...qaScores(predictions, scored.map((answer) => answer.answers)), minScore, thresholds: thresholdSweep(scored, SWEPT_THRESHOLDS) };
}

export async function scoreOnHeldOut(
  runners: TaskRunners,
  model: RegisteredModel,
  task: ModelTask,
  split: HeldOutSplit,
  options: { askMinScore: number },
): Promise<TaskScores | { note: string }> {
  const reason = unsupportedReason(model.manifest, task);
  if (reason) return { note: reason };
  if (task === 'extract') return scoreExtract(runners, model, split);
  if (task === 'classify') return scoreClassify(runners, model, split);
  return scoreAsk(runners, model, split, options.askMinScore);
}
