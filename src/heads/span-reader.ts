import type { Box } from '../layout/boxes';
import type { TensorData } from '../model/onnx-session';
import { keyText, keyTextSimilarity } from './key-lookup';
import { firstTokens } from './key-value-pairs';
import { SpanWindow } from './span-decode';

/**
 * Asking by key lookup with a span head (manifest tasks.ask.keyLookup.reader, trainer aetnet_trainer.ask_reader): the
 * question's key is found among the page's words, and a small graph reads the answer's first and last word from the
 * backbone's outputs of the words around it. Its start/end logits (position 0: no answer, then the window's words)
 * are decoded by the extractive span decoder, so they mean what any span head's mean.
 */

/** Words of a key a question names, found on a page: first and last word (inclusive) and the match. */
export interface KeySpan {
  firstWord: number;
  lastWord: number;
  similarity: number;
}

/** Keys kept per question: the best match and those within this of it (a key printed twice is read twice). */
const KEY_SIMILARITY_MARGIN = 0.1;
/** A key is at most this many words longer than the question's key words (a trailing ":" word, a "No."). */
const EXTRA_KEY_WORDS = 3;

/**
 * The runs of page words that read as the key the question names (keySimilarity ≥ `minKeySimilarity`), best first,
 * not overlapping: the best match and any within KEY_SIMILARITY_MARGIN of it.
 */
export function locateKeys(question: string, words: ReadonlyArray<{ text: string }>, minKeySimilarity: number): KeySpan[] {
  const asked = keyText(question);
  if (asked === '') return [];
  const longest = asked.split(' ').length + EXTRA_KEY_WORDS;
  const found: KeySpan[] = [];
  for (let first = 0; first < words.length; first++) {
    let best: KeySpan | undefined;
    let text = '';
    for (let last = first; last < Math.min(words.length, first + longest); last++) {
      text = text === '' ? words[last].text : `${text} ${words[last].text}`;
      const printed = keyText(text);
      // 1 − |length difference| / longer length bounds the similarity from above: skip what cannot reach it.
      if (printed === '' || 1 - Math.abs(printed.length - asked.length) / Math.max(printed.length, asked.length) < minKeySimilarity) continue;
      const similarity = keyTextSimilarity(asked, printed);
      if (similarity >= minKeySimilarity && (best === undefined || similarity > best.similarity)) best = { firstWord: first, lastWord: last, similarity };
    }
    if (best) found.push(best);
  }
  found.sort((a, b) => b.similarity - a.similarity || a.lastWord - a.firstWord - (b.lastWord - b.firstWord) || a.firstWord - b.firstWord);
  const kept: KeySpan[] = [];
  for (const span of found) {
    if (span.similarity < found[0].similarity - KEY_SIMILARITY_MARGIN) break;
    if (kept.every((other) => span.lastWord < other.firstWord || span.firstWord > other.lastWord)) kept.push(span);
  }
  return kept;
}

/** Each word of a window with the position of its first token there, in window order (trainer ask_reader.window_words). */
export function windowWords(wordIds: readonly number[]): Array<{ word: number; token: number }> {
  return [...firstTokens(wordIds)].map(([word, token]) => ({ word, token }));
}

/** One window's per-token outputs the reader reads, each with its width (`from` of the manifest, in order). */
export interface ReaderSource {
  data: Float32Array;
  width: number;
}

/** The reader's inputs for the keys of one window, a row per key: the window's words are shared by every row. */
export interface ReaderBatch {
  /** The graph's inputs (manifest SPAN_READER_INPUTS), a row per key. */
  feeds: Record<string, TensorData>;
  keys: number;
  words: number;
  /** Page word index of each of the window's words. */
  wordIds: number[];
}

/**
 * The reader's inputs for `keys` in one window (each key's words all in it): per word its outputs at its first
 * token, concatenated in `from` order, its box and its model-input (segment) box, 0–1000; per key a mask of its words.
 */
export function readerBatch(window: { wordIds: readonly number[]; wordBbox: readonly Box[]; bbox: readonly Box[] }, sources: readonly ReaderSource[], keys: readonly KeySpan[]): ReaderBatch {
  const words = windowWords(window.wordIds);
  const width = sources.reduce((sum, source) => sum + source.width, 0);
  const features = new Float32Array(words.length * width);
  const wordBoxes = new Float32Array(words.length * 4);
  const segmentBoxes = new Float32Array(words.length * 4);
  words.forEach(({ token }, row) => {
    let offset = row * width;
    for (const source of sources) {
      features.set(source.data.subarray(token * source.width, (token + 1) * source.width), offset);
      offset += source.width;
    }
    wordBoxes.set(window.wordBbox[token], row * 4);
    segmentBoxes.set(window.bbox[token], row * 4);
  });
  const keyMask = new Float32Array(keys.length * words.length);
  keys.forEach((key, row) => words.forEach(({ word }, position) => (keyMask[row * words.length + position] = word >= key.firstWord && word <= key.lastWord ? 1 : 0)));
  const repeat = (data: Float32Array) => {
    const all = new Float32Array(data.length * keys.length);
    for (let row = 0; row < keys.length; row++) all.set(data, row * data.length);
    return all;
  };
  const rows = keys.length;
  const perWord = (data: Float32Array, width: number): TensorData => ({ dtype: 'float32', data, dims: width === 1 ? [rows, words.length] : [rows, words.length, width] });
  return {
    feeds: {
      word_features: perWord(repeat(features), width),
      word_boxes: perWord(repeat(wordBoxes), 4),
      segment_boxes: perWord(repeat(segmentBoxes), 4),
      key_mask: perWord(keyMask, 1),
      // Every word is a word here; dynamic batching pads shorter windows with 0 (no word) when it merges requests.
      word_mask: perWord(new Float32Array(rows * words.length).fill(1), 1),
    },
    keys: keys.length,
    words: words.length,
    wordIds: words.map(({ word }) => word),
  };
}

/** Whether every word of `key` is among a window's words (`present`: the set of its wordIds). */
export function holdsKey(present: ReadonlySet<number>, key: KeySpan): boolean {
  for (let word = key.firstWord; word <= key.lastWord; word++) if (!present.has(word)) return false;
  return true;
}

/**
 * One key's row of the reader's outputs (start and end logits (keys, words), no-answer (keys, 2)) as a span-decoder
 * window over the page's words: position 0 is no answer, then the window's words.
 */
export function readerSpanWindow(page: number, batch: Pick<ReaderBatch, 'words' | 'wordIds'>, row: number, outputs: { start: Float32Array; end: Float32Array; none: Float32Array }): SpanWindow {
  const words = batch.words;
  const withNone = (logits: Float32Array, none: number) => {
    const positions = new Float32Array(words + 1);
    positions[0] = none;
    positions.set(logits.subarray(row * words, (row + 1) * words), 1);
    return positions;
  };
  return {
    page,
    startLogits: withNone(outputs.start, outputs.none[row * 2]),
    endLogits: withNone(outputs.end, outputs.none[row * 2 + 1]),
    contextStart: 1,
    contextWordIds: batch.wordIds,
  };
}
