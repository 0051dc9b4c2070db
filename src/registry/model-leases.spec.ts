import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { ModelLeases } from './model-leases';

describe('ModelLeases', () => {
  it('runs an idle action at once when nothing uses the model', () => {
    const leases = new ModelLeases();
    let ran = 0;
    leases.whenIdle('a', () => ran++);
    assert.equal(ran, 1);
  });

  it('defers the idle action until the last use is released', () => {
    const leases = new ModelLeases();
    const first = leases.acquire('a');
    const second = leases.acquire('a');
    const other = leases.acquire('b');
    let ran = 0;
    leases.whenIdle('a', () => ran++);
    first();
    first();
    assert.equal(leases.inUse('a'), 1);
    assert.equal(ran, 0);
    second();
    assert.equal(ran, 1);
    assert.equal(leases.inUse('a'), 0);
    assert.equal(leases.inUse('b'), 1);
    other();
    const third = leases.acquire('a');
    third();
    assert.equal(ran, 1, 'an idle action runs once');
  });
});
