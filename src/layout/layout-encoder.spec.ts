import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { encodePage, IGNORED_LABEL, LayoutWord, windowStarts } from './layout-encoder';

const page = { width: 100, height: 200 };
const special = { clsId: 101, sepId: 102 };

/** Segment 1 = words 0–1, segment 2 = word 3; word 2 is blank. */
const words: LayoutWord[] = [
  { text: 'Date', box: [10, 20, 30, 40], segment: 1, label: 3 },
  { text: 'received:', box: [35, 22, 60, 44], segment: 1, label: 4 },
  { text: ' ', box: [0, 0, 1, 1], segment: 9, label: 0 },
  { text: 'today', box: [70, 20, 90, 40], segment: 2, label: 5 },
];
/** "date" | "received" ":" | (blank) | "to" "##day" */
const tokens = { ids: [11, 12, 13, 14, 15], wordIndex: [0, 1, 1, 3, 3] };

describe('windowStarts', () => {
  it('uses one window when the page fits', () => {
    assert.deepEqual(windowStarts(10, { maxLength: 12, stride: 5 }), [0]);
    assert.deepEqual(windowStarts(0, { maxLength: 12, stride: 5 }), [0]);
  });

  it('starts every stride and ends the last window at the last token', () => {
    assert.deepEqual(windowStarts(11, { maxLength: 6, stride: 2 }), [0, 2, 4, 6, 7]);
    assert.deepEqual(windowStarts(600, { maxLength: 512, stride: 256 }), [0, 90]);
    assert.deepEqual(windowStarts(1000, { maxLength: 512, stride: 256 }), [0, 256, 490]);
    assert.deepEqual(windowStarts(8, { maxLength: 6, stride: 4 }), [0, 4]);
  });

  it('rejects impossible options', () => {
    assert.throws(() => windowStarts(5, { maxLength: 2, stride: 1 }), /maxLength/);
    assert.throws(() => windowStarts(5, { maxLength: 6, stride: 5 }), /stride/);
    assert.throws(() => windowStarts(5, { maxLength: 6, stride: 0 }), /stride/);
  });
});

describe('encodePage', () => {
  it('builds one framed window with segment and word boxes, first-sub-token labels and word ids', () => {
    const encoded = encodePage(tokens, words, page, special, { maxLength: 16, stride: 8 });
    assert.equal(encoded.tokenCount, 5);
    assert.deepEqual(encoded.tokenWordIds, [0, 1, 1, 3, 3]);
    assert.deepEqual(encoded.firstSubtoken, [true, true, false, true, false]);
    assert.equal(encoded.windows.length, 1);
    const [window] = encoded.windows;
    const segment1: [number, number, number, number] = [100, 100, 600, 220];
    const segment2: [number, number, number, number] = [700, 100, 900, 200];
    assert.deepEqual(window, {
      tokenStart: 0,
      inputIds: [101, 11, 12, 13, 14, 15, 102],
      bbox: [[0, 0, 0, 0], segment1, segment1, segment1, segment2, segment2, [0, 0, 0, 0]],
      wordBbox: [[0, 0, 0, 0], [100, 100, 300, 200], [350, 110, 600, 220], [350, 110, 600, 220], segment2, segment2, [0, 0, 0, 0]],
      labels: [IGNORED_LABEL, 3, 4, IGNORED_LABEL, 5, IGNORED_LABEL, IGNORED_LABEL],
      wordIds: [-1, 0, 1, 1, 3, 3, -1],
    });
  });

  it('cuts overlapping windows on the token sequence; continuations keep -100 in later windows', () => {
    const encoded = encodePage(tokens, words, page, special, { maxLength: 4, stride: 1 });
    assert.deepEqual(encoded.windows.map((w) => w.tokenStart), [0, 1, 2, 3]);
    assert.deepEqual(encoded.windows.map((w) => w.inputIds), [
      [101, 11, 12, 102],
      [101, 12, 13, 102],
      [101, 13, 14, 102],
      [101, 14, 15, 102],
    ]);
    assert.deepEqual(encoded.windows[2].labels, [IGNORED_LABEL, IGNORED_LABEL, 5, IGNORED_LABEL]);
    assert.deepEqual(encoded.windows[3].wordIds, [-1, 3, 3, -1]);
    for (const window of encoded.windows) {
      assert.ok(window.inputIds.length <= 4);
      assert.equal(window.bbox.length, window.inputIds.length);
      assert.equal(window.wordBbox.length, window.inputIds.length);
    }
  });

  it('puts -100 everywhere when words carry no labels (serving)', () => {
    const unlabelled = words.map(({ label: _label, ...word }) => word);
    const [window] = encodePage(tokens, unlabelled, page, special, { maxLength: 16, stride: 8 }).windows;
    assert.ok(window.labels.every((label) => label === IGNORED_LABEL));
  });

  it('gives an empty page a single [CLS] [SEP] window', () => {
    const encoded = encodePage({ ids: [], wordIndex: [] }, [], page, special, { maxLength: 16, stride: 8 });
    assert.equal(encoded.tokenCount, 0);
    assert.deepEqual(encoded.windows, [
      { tokenStart: 0, inputIds: [101, 102], bbox: [[0, 0, 0, 0], [0, 0, 0, 0]], wordBbox: [[0, 0, 0, 0], [0, 0, 0, 0]], labels: [-100, -100], wordIds: [-1, -1] },
    ]);
  });

  it('names the word with a bad box, and rejects tokens pointing at no word', () => {
    const broken: LayoutWord[] = [words[0], { ...words[1], box: [60, 0, 35, 10] }];
    assert.throws(() => encodePage({ ids: [1], wordIndex: [0] }, broken, page, special, { maxLength: 8, stride: 4 }), /words\[1\]\.box/);
    assert.throws(() => encodePage({ ids: [1], wordIndex: [7] }, words, page, special, { maxLength: 8, stride: 4 }), /word 7/);
  });
});
