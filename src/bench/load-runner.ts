import { performance } from 'node:perf_hooks';

/** What one request of a load run ended in: served, refused by back-pressure (429/503), or failed otherwise. */
export type RequestOutcome<T> = { kind: 'ok'; wallMs: number; value: T } | { kind: 'rejected'; wallMs: number } | { kind: 'failed'; wallMs: number; error: string };

export interface LoadResult<T> {
  served: Array<{ index: number; wallMs: number; value: T }>;
  rejected: number;
  failed: number;
  /** The first few failure messages, for the report. */
  errors: string[];
  /** From the first request sent to the last answer received. */
  wallMs: number;
  /** True when the time cap stopped the run before every request was sent. */
  capped: boolean;
}

export interface LoadOptions {
  requests: number;
  concurrency: number;
  /** No request starts after this many ms; those in flight finish. */
  maxMs: number;
  now?: () => number;
}

const KEPT_ERRORS = 3;

/**
 * Closed-loop load: `concurrency` clients each send their next request as soon as the previous one answers,
 * until `requests` were sent or `maxMs` passed. `send(i)` gets the request's index (to pick its page).
 */
export async function runLoad<T>(send: (index: number) => Promise<RequestOutcome<T>>, options: LoadOptions): Promise<LoadResult<T>> {
  const now = options.now ?? (() => performance.now());
  const result: LoadResult<T> = { served: [], rejected: 0, failed: 0, errors: [], wallMs: 0, capped: false };
  const started = now();
  let next = 0;
  const client = async () => {
    while (next < options.requests) {
      if (now() - started >= options.maxMs) {
        result.capped = true;
        return;
      }
      const index = next++;
      const outcome = await send(index);
      if (outcome.kind === 'ok') result.served.push({ index, wallMs: outcome.wallMs, value: outcome.value });
      else if (outcome.kind === 'rejected') result.rejected += 1;
      else {
        result.failed += 1;
        if (result.errors.length < KEPT_ERRORS) result.errors.push(outcome.error);
      }
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, options.concurrency) }, client));
  result.wallMs = now() - started;
  return result;
}
