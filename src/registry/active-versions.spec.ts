import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import {
  effectiveActive,
  emptyActiveVersions,
  MAX_PREVIOUS_VERSIONS,
  parseActiveVersions,
  VersionCandidate,
  withActivated,
  withForgotten,
  withRolledBack,
} from './active-versions';

const candidates: VersionCandidate[] = [
  { id: 'tuned-b', tasks: ['extract'], shipped: false },
  { id: 'tuned-a', tasks: ['extract'], shipped: false },
  { id: 'shipped', tasks: ['extract'], shipped: true },
  { id: 'cls', tasks: ['classify'], shipped: false },
];

describe('parseActiveVersions', () => {
  it('keeps known tasks and string ids only', () => {
    const state = parseActiveVersions({ active: { extract: 'a', translate: 'x', ask: 3 }, previous: { extract: ['p', 'q'], classify: 'no' } });
    assert.deepEqual(state, { active: { extract: 'a' }, previous: { extract: ['p', 'q'] } });
  });

  it('reads anything else as empty', () => {
    assert.deepEqual(parseActiveVersions(null), emptyActiveVersions());
    assert.deepEqual(parseActiveVersions('x'), emptyActiveVersions());
  });
});

describe('effectiveActive', () => {
  it('prefers a shipped version, then the first by id, without an explicit choice', () => {
    const active = effectiveActive(candidates, emptyActiveVersions());
    assert.equal(active.get('extract'), 'shipped');
    assert.equal(active.get('classify'), 'cls');
    assert.equal(active.get('ask'), undefined);
    assert.equal(effectiveActive(candidates.filter((c) => !c.shipped), emptyActiveVersions()).get('extract'), 'tuned-a');
  });

  it('uses the explicit choice when that version is installed for the task', () => {
    assert.equal(effectiveActive(candidates, { active: { extract: 'tuned-b' }, previous: {} }).get('extract'), 'tuned-b');
    assert.equal(effectiveActive(candidates, { active: { extract: 'gone' }, previous: {} }).get('extract'), 'shipped');
    assert.equal(effectiveActive(candidates, { active: { extract: 'cls' }, previous: {} }).get('extract'), 'shipped');
  });

  it('lets a version with several heads serve each of its tasks, and a single-task choice override one of them', () => {
    const joint = [{ id: 'joint', tasks: ['extract', 'ask', 'classify'] as const, shipped: true }, { id: 'tuned', tasks: ['extract'] as const, shipped: false }];
    const byDefault = effectiveActive(joint, emptyActiveVersions());
    assert.deepEqual([...byDefault], [['extract', 'joint'], ['ask', 'joint'], ['classify', 'joint']]);
    const chosen = effectiveActive(joint, { active: { extract: 'tuned' }, previous: {} });
    assert.deepEqual([chosen.get('extract'), chosen.get('ask'), chosen.get('classify')], ['tuned', 'joint', 'joint']);
  });
});

describe('activation and rollback', () => {
  it('remembers the replaced version and returns to it', () => {
    let state = withActivated(emptyActiveVersions(), 'extract', 'tuned-a', 'shipped');
    state = withActivated(state, 'extract', 'tuned-b', 'tuned-a');
    assert.deepEqual(state.previous.extract, ['shipped', 'tuned-a']);
    const back = withRolledBack(state, 'extract', 'tuned-b', () => true)!;
    assert.equal(back.id, 'tuned-a');
    assert.equal(back.state.active.extract, 'tuned-a');
    const again = withRolledBack(back.state, 'extract', 'tuned-a', () => true)!;
    assert.equal(again.id, 'shipped');
    assert.equal(withRolledBack(again.state, 'extract', 'shipped', () => true), undefined);
  });

  it('activating the active version changes no history', () => {
    const state = withActivated(emptyActiveVersions(), 'extract', 'shipped', 'shipped');
    assert.deepEqual(state, { active: { extract: 'shipped' }, previous: {} });
  });

  it('keeps a version once in the history and bounds its length', () => {
    let state = withActivated(emptyActiveVersions(), 'extract', 'b', 'a');
    state = withActivated(state, 'extract', 'a', 'b');
    assert.deepEqual(state.previous.extract, ['b']);
    for (let i = 0; i < MAX_PREVIOUS_VERSIONS + 5; i++) state = withActivated(state, 'extract', `v${i + 1}`, `v${i}`);
    assert.equal(state.previous.extract!.length, MAX_PREVIOUS_VERSIONS);
  });

  it('skips versions that are no longer installed', () => {
    const state = { active: { extract: 'c' }, previous: { extract: ['a', 'b'] } };
    assert.equal(withRolledBack(state, 'extract', 'c', (id) => id !== 'b')!.id, 'a');
    assert.equal(withRolledBack(state, 'extract', 'c', () => false), undefined);
  });

  it('forgets a removed version everywhere', () => {
    const state = { active: { extract: 'c' }, previous: { extract: ['a', 'b'], classify: ['b'] } };
    assert.deepEqual(withForgotten(state, 'b').previous, { extract: ['a'], classify: [] });
  });
});
