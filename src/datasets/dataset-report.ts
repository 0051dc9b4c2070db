import { createHash } from 'node:crypto';
import { bioLabels, tagType } from './entity-labels';
import { DatasetProblem, DatasetTask, PlannedDocument, SplitName, StoredDocument } from './dataset-types';

/**
 * Held-out split by a hash of the document id: deterministic, independent of upload order, and stable when
 * documents are added. At least one document on each side once there are two.
 */
export function assignSplits(ids: readonly string[], testFraction: number): Map<string, SplitName> {
  const ranked = [...ids].sort((a, b) => {
    const hash = (id: string) => createHash('sha256').update(id).digest('hex');
    return hash(a).localeCompare(hash(b)) || a.localeCompare(b);
  });
  let testCount = Math.round(ids.length * testFraction);
  if (ids.length >= 2 && testFraction > 0) testCount = Math.min(ids.length - 1, Math.max(1, testCount));
  return new Map(ranked.map((id, rank) => [id, rank < testCount ? 'test' : 'train']));
}

/** The label set of a dataset: BIO labels of its entity types (extract), sorted class names (classify), none (ask). */
export function datasetLabels(task: DatasetTask, documents: readonly PlannedDocument[]): string[] {
  if (task === 'extract') {
    const types = documents.flatMap((document) => (document.wordTags ?? []).map(tagType)).filter((type) => type !== null);
    return bioLabels(types);
  }
  if (task === 'classify') return [...new Set(documents.map((document) => document.classLabel ?? ''))].sort();
  return [];
}

/** extract: words per BIO label; classify: documents per class; ask: questions with and without an answer. */
export function labelCounts(task: DatasetTask, labels: readonly string[], documents: readonly StoredDocument[]): Record<string, number> {
  const counts: Record<string, number> = Object.fromEntries(labels.map((label) => [label, 0]));
  for (const document of documents) {
    if (task === 'extract') {
      for (const word of document.pages.flatMap((page) => page.words)) counts[labels[word.label ?? 0]] += 1;
    } else if (task === 'classify') {
      counts[labels[document.classLabel ?? 0]] += 1;
    } else {
      for (const question of document.questions ?? []) {
        const key = question.answers.length > 0 ? 'answered' : 'unanswered';
        counts[key] = (counts[key] ?? 0) + 1;
      }
    }
  }
  return counts;
}

export function hasErrors(problems: readonly DatasetProblem[]): boolean {
  return problems.some((problem) => problem.severity === 'error');
}

/** `evalSplit` form field: a fraction in [0, 0.9]; absent → 0.2. Returns an error message when invalid. */
export function parseEvalSplit(raw: string | undefined): number | string {
  if (raw === undefined || raw.trim() === '') return 0.2;
  const value = Number(raw);
  if (!Number.isFinite(value) || value < 0 || value > 0.9) return `evalSplit must be a number in [0, 0.9], got "${raw}"`;
  return value;
}
