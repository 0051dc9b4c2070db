import { LayoutWord, WordSpan } from '../layout';
import { FunsdEntity } from './funsd-reader';

/** One question about one page with every acceptable answer and where each answer's words are. */
export interface QaPair {
  questionId: string;
  question: string;
  answers: string[];
  /** Word spans of the answers on the page, in the page's reading order; empty when unanswerable. */
  answerSpans: WordSpan[];
}

function spanText(words: readonly LayoutWord[], span: WordSpan): string {
  return words.slice(span.firstWord, span.lastWord + 1).map((word) => word.text).join(' ');
}

/**
 * FUNSD linking → QA pairs: every `question` entity linked to one or more `answer` entities is asked twice, with
 * its own text ("DATE:") and as "What is the <key>?" (key = the text without its trailing colon); the answers
 * are the linked answer entities' words. Questions whose key is empty (a lone ":") are skipped.
 */
export function funsdQaPairs(docId: string, words: readonly LayoutWord[], entities: readonly FunsdEntity[]): QaPair[] {
  const byId = new Map(entities.map((entity) => [entity.id, entity]));
  const pairs: QaPair[] = [];
  for (const entity of entities) {
    if (entity.label !== 'question' || !entity.wordSpan) continue;
    const linkedIds = new Set(entity.linking.flatMap(([from, to]) => [from, to]).filter((id) => id !== entity.id));
    const answerSpans = [...linkedIds]
      .map((id) => byId.get(id))
      .filter((linked): linked is FunsdEntity & { wordSpan: WordSpan } => linked?.label === 'answer' && linked.wordSpan !== undefined)
      .map((linked) => linked.wordSpan)
      .sort((a, b) => a.firstWord - b.firstWord);
    if (answerSpans.length === 0) continue;
    const questionText = spanText(words, entity.wordSpan).replace(/\s+/g, ' ').trim();
    const key = questionText.replace(/[\s:]+$/, '');
    if (key === '') continue;
    const answers = answerSpans.map((span) => spanText(words, span));
    pairs.push(
      { questionId: `${docId}:${entity.id}:text`, question: questionText, answers, answerSpans },
      { questionId: `${docId}:${entity.id}:plain`, question: `What is the ${key}?`, answers, answerSpans },
    );
  }
  return pairs;
}
