import { isTerminal, TuningJob } from './tuning-job';

/**
 * Server-sent events of one job: the current state first, then every change, a heartbeat comment while nothing
 * changes (keeps proxies from closing the stream), and `done` once the job is finished. Changes are read from
 * the job store, so a client sees a job that runs on another replica or worker host the same way.
 */

export type JobEvent = { kind: 'progress'; job: TuningJob } | { kind: 'done'; job: TuningJob } | { kind: 'heartbeat' };

export interface JobEventOptions {
  pollMs: number;
  heartbeatMs: number;
}

export async function* jobEvents(
  read: () => Promise<TuningJob | undefined>,
  options: JobEventOptions,
  closed: AbortSignal,
): AsyncGenerator<JobEvent> {
  let lastSeen = '';
  let lastSentAt = Date.now();
  while (!closed.aborted) {
    const job = await read();
    if (!job) return;
    if (job.updatedAt !== lastSeen) {
      lastSeen = job.updatedAt;
      lastSentAt = Date.now();
      yield { kind: 'progress', job };
    }
    if (isTerminal(job.state)) {
      yield { kind: 'done', job };
      return;
    }
    if (Date.now() - lastSentAt >= options.heartbeatMs) {
      lastSentAt = Date.now();
      yield { kind: 'heartbeat' };
    }
    await new Promise((resolve) => setTimeout(resolve, options.pollMs));
  }
}

/** The wire format of one event (text/event-stream). */
export function formatSse(event: JobEvent): string {
  if (event.kind === 'heartbeat') return ': heartbeat\n\n';
  return `event: ${event.kind}\ndata: ${JSON.stringify(event.job)}\n\n`;
}
