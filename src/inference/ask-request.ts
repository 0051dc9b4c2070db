import { DomainError } from '../common/domain-error';

/**
 * Validation of POST /v1/ask's own fields. They arrive as strings (multipart fields; the JSON reader turns
 * non-string values into JSON text), so each parser takes the raw text.
 */

/** Checked before tokenizing, so a huge string cannot occupy the tokenizer; the token limit is checked after. */
export const MAX_QUESTION_CHARS = 2000;
export const DEFAULT_TOP_K = 3;
export const MAX_TOP_K = 20;

const HOW_TO_ASK = 'send "questions" as a JSON array of strings, e.g. ["What is the date?"]';

/** `questions` → non-empty trimmed strings; INVALID_QUESTIONS, TOO_MANY_QUESTIONS or QUESTION_TOO_LONG otherwise. */
export function parseQuestions(text: string | undefined, maxQuestions: number): string[] {
  if (text === undefined || text.trim() === '') throw new DomainError('INVALID_QUESTIONS', `No questions: ${HOW_TO_ASK}`, { field: 'questions' });
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    throw new DomainError('INVALID_QUESTIONS', `questions: not valid JSON; ${HOW_TO_ASK}`, { field: 'questions' });
  }
  if (!Array.isArray(value)) throw new DomainError('INVALID_QUESTIONS', `questions: expected an array; ${HOW_TO_ASK}`, { field: 'questions' });
  if (value.length === 0) throw new DomainError('INVALID_QUESTIONS', `questions: the list is empty; ${HOW_TO_ASK}`, { field: 'questions' });
  if (value.length > maxQuestions) {
    throw new DomainError('TOO_MANY_QUESTIONS', `${value.length} questions; the limit is ${maxQuestions} per request`, {
      field: 'questions',
      maxQuestions,
    });
  }
  return value.map((question, index) => {
    if (typeof question !== 'string' || question.trim() === '') {
      throw new DomainError('INVALID_QUESTIONS', `questions[${index}]: expected a non-empty string`, { field: 'questions', index });
    }
    if (question.length > MAX_QUESTION_CHARS) throw questionTooLong(index, `${question.length} characters`, `${MAX_QUESTION_CHARS} characters`);
    return question.trim();
  });
}

export function questionTooLong(index: number, size: string, limit: string): DomainError {
  return new DomainError('QUESTION_TOO_LONG', `questions[${index}] has ${size}; the limit is ${limit}`, { field: 'questions', index });
}

/** `topK`: alternatives per answer, 1–20; default 3. */
export function parseTopK(text: string | undefined): number {
  if (text === undefined || text.trim() === '') return DEFAULT_TOP_K;
  const value = Number(text);
  if (!Number.isInteger(value) || value < 1 || value > MAX_TOP_K) {
    throw new DomainError('INVALID_REQUEST', `topK: expected an integer from 1 to ${MAX_TOP_K}`, { field: 'topK' });
  }
  return value;
}

/** `minScore`: the no-answer threshold for this request, 0–1; default from config. */
export function parseMinScore(text: string | undefined, fallback: number): number {
  if (text === undefined || text.trim() === '') return fallback;
  const value = Number(text);
  if (!Number.isFinite(value) || value < 0 || value > 1) {
    throw new DomainError('INVALID_REQUEST', 'minScore: expected a number from 0 to 1', { field: 'minScore' });
  }
  return value;
}
