import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { RequestOutcome, runLoad } from './load-runner';

describe('runLoad', () => {
  it('sends every request once with at most `concurrency` in flight and sorts outcomes', async () => {
    let inFlight = 0;
    let peak = 0;
    const seen: number[] = [];
    const result = await runLoad(
      async (index): Promise<RequestOutcome<number>> => {
        seen.push(index);
        inFlight += 1;
        peak = Math.max(peak, inFlight);
        await new Promise((resolve) => setTimeout(resolve, 2));
        inFlight -= 1;
        if (index === 3) return { kind: 'rejected', wallMs: 1 };
        if (index === 5) return { kind: 'failed', wallMs: 1, error: 'boom' };
        return { kind: 'ok', wallMs: 2, value: index * 10 };
      },
      { requests: 8, concurrency: 3, maxMs: 60_000 },
    );
    assert.deepEqual([...seen].sort((a, b) => a - b), [0, 1, 2, 3, 4, 5, 6, 7]);
    assert.equal(peak, 3);
    assert.equal(result.served.length, 6);
    assert.equal(result.rejected, 1);
    assert.equal(result.failed, 1);
    assert.deepEqual(result.errors, ['boom']);
    assert.equal(result.capped, false);
    assert.ok(result.served.every((served) => served.value === served.index * 10));
  });

  it('stops starting requests once the time cap has passed', async () => {
    let clock = 0;
    const result = await runLoad(
      async (): Promise<RequestOutcome<null>> => {
        clock += 10;
        return { kind: 'ok', wallMs: 10, value: null };
      },
      { requests: 100, concurrency: 1, maxMs: 25, now: () => clock },
    );
    assert.equal(result.served.length, 3);
    assert.equal(result.capped, true);
    assert.equal(result.wallMs, 30);
  });
});
