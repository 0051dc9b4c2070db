import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { decodeSpans } from './span-decode';
import { holdsKey, locateKeys, readerBatch, readerSpanWindow, windowWords } from './span-reader';

const words = (text: string) => text.split(' ').map((word) => ({ text: word }));

describe('span reader', () => {
  it('finds the words a question names as a key, the best match first, a key printed twice twice', () => {
    const page = words('R.J. REYNOLDS DATE : 12/10/98 FAX NO. : (336) 335-7392 DATE : 1/1/99');
    assert.deepEqual(locateKeys('What is the fax no.?', page, 0.6), [{ firstWord: 5, lastWord: 6, similarity: 1 }]);
    // "DATE :" twice: both, in page order at equal similarity; the shortest run that matches ("DATE", not "DATE :").
    assert.deepEqual(
      locateKeys('DATE:', page, 0.6).map(({ firstWord, lastWord }) => [firstWord, lastWord]),
      [
        [2, 2],
        [10, 10],
      ],
    );
    // A fuzzy match is kept only when nothing matches much better.
    assert.deepEqual(locateKeys('What is the fax number?', page, 0.5), [{ firstWord: 5, lastWord: 6, similarity: 0.5 }]);
    assert.deepEqual(locateKeys('Who signed the letter?', page, 0.6), []);
    assert.deepEqual(locateKeys('What is the?', page, 0), []);
    assert.deepEqual(locateKeys('DATE:', [], 0.6), []);
  });

  it('reads each word of a window at its first token, in window order', () => {
    assert.deepEqual(windowWords([-1, 4, 4, 5, 7, 7, -1]), [
      { word: 4, token: 1 },
      { word: 5, token: 3 },
      { word: 7, token: 4 },
    ]);
    assert.equal(holdsKey(new Set([-1, 4, 5, -1]), { firstWord: 4, lastWord: 5, similarity: 1 }), true);
    assert.equal(holdsKey(new Set([-1, 5, 6, -1]), { firstWord: 4, lastWord: 5, similarity: 1 }), false);
  });

  it('feeds every key of a window one row: the words’ outputs in `from` order, their boxes and the key’s mask', () => {
    // Tokens: [CLS] w3 w3 w4 [SEP]; two outputs of widths 1 and 2.
    const window = {
      wordIds: [-1, 3, 3, 4, -1],
      wordBbox: [[0, 0, 0, 0], [1, 1, 2, 2], [1, 1, 2, 2], [3, 3, 4, 4], [0, 0, 0, 0]] as Array<[number, number, number, number]>,
      bbox: [[0, 0, 0, 0], [1, 1, 4, 4], [1, 1, 4, 4], [1, 1, 4, 4], [0, 0, 0, 0]] as Array<[number, number, number, number]>,
    };
    const sources = [
      { data: Float32Array.from([0, 10, 11, 12, 0]), width: 1 },
      { data: Float32Array.from([0, 0, 20, 21, 22, 23, 24, 25, 0, 0]), width: 2 },
    ];
    const batch = readerBatch(window, sources, [
      { firstWord: 3, lastWord: 3, similarity: 1 },
      { firstWord: 4, lastWord: 4, similarity: 0.8 },
    ]);
    assert.deepEqual([batch.keys, batch.words, batch.wordIds], [2, 2, [3, 4]]);
    assert.deepEqual(batch.feeds.word_features.dims, [2, 2, 3]);
    assert.deepEqual([...batch.feeds.word_features.data], [10, 20, 21, 12, 24, 25, 10, 20, 21, 12, 24, 25]);
    assert.deepEqual([...batch.feeds.word_boxes.data.subarray(0, 8)], [1, 1, 2, 2, 3, 3, 4, 4]);
    assert.deepEqual([...batch.feeds.segment_boxes.data.subarray(0, 8)], [1, 1, 4, 4, 1, 1, 4, 4]);
    assert.deepEqual(batch.feeds.key_mask.dims, [2, 2]);
    assert.deepEqual([...batch.feeds.key_mask.data], [1, 0, 0, 1]);
    assert.deepEqual([...batch.feeds.word_mask.data], [1, 1, 1, 1]);
  });

  it('turns a key’s row of outputs into a span-decoder window over the page’s words, position 0 no answer', () => {
    const batch = { words: 3, wordIds: [7, 8, 9] };
    const outputs = { start: Float32Array.from([0, 0, 0, 5, 0, 0]), end: Float32Array.from([0, 0, 0, 0, 0, 6]), none: Float32Array.from([9, 9, 1, 1]) };
    const first = readerSpanWindow(2, batch, 0, outputs);
    assert.deepEqual([...first.startLogits], [9, 0, 0, 0]);
    const second = readerSpanWindow(2, batch, 1, outputs);
    assert.deepEqual([...second.startLogits], [1, 5, 0, 0]);
    assert.deepEqual([...second.endLogits], [1, 0, 0, 6]);
    const decoded = decodeSpans([second], { maxAnswerTokens: 5, topK: 1 });
    assert.deepEqual(decoded.candidates.map(({ page, firstWord, lastWord }) => [page, firstWord, lastWord]), [[2, 7, 9]]);
    // The first row is sure there is no answer; the document's no-answer score is the window most sure there is one.
    assert.equal(decodeSpans([first, second], { maxAnswerTokens: 5, topK: 1 }).noAnswerScore, 2);
  });
});
