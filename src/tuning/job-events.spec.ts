import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { formatSse, JobEvent, jobEvents } from './job-events';
import { INITIAL_PROGRESS } from './training-log';
import { JobState, TuningJob } from './tuning-job';

const job = (state: JobState, updatedAt: string): TuningJob => ({
  id: 'tj-abcdef',
  state,
  spec: { datasetId: 'd', task: 'extract', baseModel: 'm', preset: 'tiny', hyperparameters: {}, alignment: { plain: true } },
  createdAt: 't0',
  updatedAt,
  progress: INITIAL_PROGRESS,
  interruptions: 0,
});

async function collect(records: Array<TuningJob | undefined>, heartbeatMs = 60_000): Promise<JobEvent[]> {
  const events: JobEvent[] = [];
  let index = 0;
  const read = async () => records[Math.min(index++, records.length - 1)];
  for await (const event of jobEvents(read, { pollMs: 1, heartbeatMs }, new AbortController().signal)) events.push(event);
  return events;
}

describe('jobEvents', () => {
  it('replays the current state, sends each change once and ends with done', async () => {
    const events = await collect([job('queued', 't1'), job('queued', 't1'), job('running', 't2'), job('succeeded', 't3')]);
    assert.deepEqual(
      events.map((event) => (event.kind === 'heartbeat' ? 'heartbeat' : `${event.kind}:${event.job.state}`)),
      ['progress:queued', 'progress:running', 'progress:succeeded', 'done:succeeded'],
    );
  });

  it('sends heartbeats while nothing changes and stops when the client goes away', async () => {
    const closed = new AbortController();
    const kinds: string[] = [];
    for await (const event of jobEvents(async () => job('running', 't1'), { pollMs: 2, heartbeatMs: 0 }, closed.signal)) {
      kinds.push(event.kind);
      if (kinds.length === 3) closed.abort();
    }
    assert.deepEqual(kinds, ['progress', 'heartbeat', 'heartbeat']);
  });

  it('ends quietly when the job disappears', async () => {
    assert.deepEqual(await collect([undefined]), []);
  });
});

describe('formatSse', () => {
  it('writes named events with JSON data and heartbeats as comments', () => {
    assert.equal(formatSse({ kind: 'heartbeat' }), ': heartbeat\n\n');
    assert.match(formatSse({ kind: 'done', job: job('failed', 't') }), /^event: done\ndata: \{"id":"tj-abcdef".*\}\n\n$/);
  });
});
