import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { addOcrCounts, matchOcrWords, normaliseWordText, OcrWord, ocrWordScores } from './ocr-word-metrics';

const word = (text: string, x: number, y = 0, width = 10): OcrWord => ({ text, box: [x, y, x + width, y + 10] });

describe('OCR word metrics', () => {
  it('normalises by trimming punctuation at the ends and folding case', () => {
    assert.equal(normaliseWordText(' Date: '), 'date');
    assert.equal(normaliseWordText('(336)'), '336');
    assert.equal(normaliseWordText('2/10/98'), '2/10/98');
    assert.equal(normaliseWordText('...'), '');
  });

  it('matches one to one by box IoU ≥ 0.5 and counts text matches among them', () => {
    const gold = [word('DATE:', 0), word('2/10/98', 20), word('FAX', 40)];
    const predicted = [word('date', 1), word('2/1O/98', 21), word('FAX', 70), word('noise', 0, 100)];
    const counts = matchOcrWords(gold, predicted);
    assert.deepEqual({ ...counts, cerSum: undefined }, { gold: 3, predicted: 4, boxMatches: 2, textMatches: 1, cerSum: undefined });
    assert.ok(Math.abs(counts.cerSum - 1 / 7) < 1e-12); // "2/1o/98" vs "2/10/98": one substitution in 7
    const scores = ocrWordScores(counts);
    assert.deepEqual(scores.box, { precision: 0.5, recall: 2 / 3, f1: (2 * 0.5 * (2 / 3)) / (0.5 + 2 / 3) });
    assert.equal(scores.text.precision, 0.25);
    assert.ok(Math.abs((scores.cer ?? 0) - 1 / 14) < 1e-12);
  });

  it('gives a box to the best overlap only, and a merged word matches at most one gold word', () => {
    const gold = [word('FAX', 0), word('NUMBER', 12)];
    const merged = [{ text: 'FAXNUMBER', box: [0, 0, 22, 10] as [number, number, number, number] }];
    assert.equal(matchOcrWords(gold, merged).boxMatches, 0); // IoU 10/22 and 10/22 < 0.5
    const twoCandidates = [word('FAX', 2), word('FAX', 0)];
    const counts = matchOcrWords([word('FAX', 0)], twoCandidates);
    assert.equal(counts.boxMatches, 1);
    assert.equal(counts.predicted, 2);
  });

  it('has no CER without matches and sums counts over pages', () => {
    const empty = matchOcrWords([word('A', 0)], []);
    assert.equal(ocrWordScores(empty).cer, null);
    const total = addOcrCounts(empty, matchOcrWords([word('B', 0)], [word('b', 0)]));
    assert.deepEqual(total, { gold: 2, predicted: 1, boxMatches: 1, textMatches: 1, cerSum: 0 });
  });
});
