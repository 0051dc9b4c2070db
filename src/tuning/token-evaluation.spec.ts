import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { chunkTags, evaluateTokenWindows, mergePageWindows, ScoredWindow } from './token-evaluation';

describe('chunkTags', () => {
  it('chunks IOB2 with seqeval semantics', () => {
    assert.deepEqual(chunkTags(['B-Q', 'I-Q', 'O', 'B-A', 'B-A', 'I-A']), [['Q', 0, 1], ['A', 3, 3], ['A', 4, 5]]);
  });

  it('opens an entity on an I- without a matching B-', () => {
    assert.deepEqual(chunkTags(['O', 'I-A', 'I-Q']), [['A', 1, 1], ['Q', 2, 2]]);
  });
});

describe('mergePageWindows', () => {
  it('takes each token from the window where it is most central and skips unscored positions', () => {
    const windows: ScoredWindow[] = [
      { docId: 'd', page: 0, tokenStart: 0, gold: [null, 'B-Q', 'I-Q', null, 'O', null], predicted: ['O', 'B-Q', 'O', 'O', 'O', 'O'] },
      { docId: 'd', page: 0, tokenStart: 2, gold: [null, null, 'O', 'B-A', 'I-A', null], predicted: ['O', 'O', 'B-A', 'B-A', 'I-A', 'O'] },
    ];
    const page = mergePageWindows(windows).get('d\u00000');
    // Token 3 (gold O) is offset 1 in window 2 (centrality 1) vs offset 3 in window 1 (centrality 0): window 2 wins.
    assert.deepEqual(page, { gold: ['B-Q', 'I-Q', 'O', 'B-A', 'I-A'], predicted: ['B-Q', 'O', 'B-A', 'B-A', 'I-A'] });
  });
});

describe('evaluateTokenWindows', () => {
  it('scores entities per label and overall', () => {
    const result = evaluateTokenWindows([
      { docId: 'a', page: 0, tokenStart: 0, gold: [null, 'B-Q', 'I-Q', 'B-A', null], predicted: ['O', 'B-Q', 'I-Q', 'O', 'O'] },
      { docId: 'b', page: 0, tokenStart: 0, gold: [null, 'B-A', 'O', null], predicted: ['O', 'B-A', 'B-Q', 'O'] },
    ]);
    assert.equal(result.pages, 2);
    assert.equal(result.support, 3);
    assert.equal(result.precision, 2 / 3);
    assert.equal(result.recall, 2 / 3);
    assert.deepEqual(result.perLabel.A, { precision: 1, recall: 0.5, f1: 2 / 3, support: 2 });
    assert.deepEqual(result.perLabel.Q, { precision: 0.5, recall: 1, f1: 2 / 3, support: 1 });
    assert.equal(result.tokenAccuracy, 3 / 5);
  });
});
