import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { contrastRatio, labelColors, PALETTE } from './label-colors';

describe('labelColors', () => {
  it('gives FUNSD labels fixed colours and every other label a distinct one, independent of order', () => {
    const one = labelColors(['ANSWER', 'VENDOR', 'QUESTION', 'TOTAL', 'DATE']);
    const two = labelColors(['DATE', 'TOTAL', 'QUESTION', 'VENDOR', 'ANSWER']);
    assert.deepEqual([...one].sort(), [...two].sort());
    assert.equal(one.get('QUESTION'), labelColors(['QUESTION']).get('QUESTION'));
    assert.equal(new Set(one.values()).size, 5);
  });

  it('uses colours with AA contrast against white', () => {
    for (const colour of PALETTE) assert.ok(contrastRatio(colour, '#ffffff') >= 4.5, `${colour}: ${contrastRatio(colour, '#ffffff')}`);
    assert.equal(Math.round(contrastRatio('#000000', '#ffffff')), 21);
  });
});
