import { BenchEndpoint } from '../evaluation/cli-args';
import { LatencySummary, summarizeLatencies } from '../evaluation/latency-stats';
import { RequestOutcome, runLoad } from './load-runner';
import { DocumentUpload, Endpoint, ServedTimings, ServiceClient } from '../evaluation/service-client';

export type BenchPath = 'model-only' | 'end-to-end';

/** One row of the bench: an endpoint, a path, a batching setting and a concurrency. */
export interface BenchCell {
  batching: 'on' | 'off';
  endpoint: BenchEndpoint;
  path: BenchPath;
  concurrency: number;
  sent: number;
  served: number;
  /** 429/503 answers (back-pressure): counted, never retried. */
  rejected: number;
  failed: number;
  errors: string[];
  capped: boolean;
  pagesPerSecond: number;
  latencyMs: LatencySummary;
  /** The service's own model time per request: `modelMs + imageEncoderMs`. */
  modelMs: LatencySummary;
  ocrMs: LatencySummary;
  /** Per served request: which page (index into the bench pages) and the service's model time. */
  requests: Array<{ page: number; wallMs: number; modelMs: number; ocrMs: number }>;
}

const BACK_PRESSURE = new Set([429, 503]);

/** Sends one request and sorts its answer into served / rejected / failed. */
async function sendOnce(client: ServiceClient, endpoint: Endpoint, upload: DocumentUpload): Promise<RequestOutcome<ServedTimings>> {
  try {
    const reply = await client.post(endpoint, upload);
    if (reply.status === 200) return { kind: 'ok', wallMs: reply.wallMs, value: (reply.body as { timings: ServedTimings }).timings };
    if (BACK_PRESSURE.has(reply.status)) return { kind: 'rejected', wallMs: reply.wallMs };
    return { kind: 'failed', wallMs: reply.wallMs, error: `${reply.status}: ${JSON.stringify(reply.body).slice(0, 300)}` };
  } catch (error) {
    return { kind: 'failed', wallMs: 0, error: (error as Error).message };
  }
}

/** Runs one cell: `requests` requests cycling through the pages (request i → page i mod pages), closed loop. */
export async function runCell(
  client: ServiceClient,
  cell: Pick<BenchCell, 'batching' | 'endpoint' | 'path' | 'concurrency'>,
  uploads: readonly DocumentUpload[],
  bounds: { requests: number; maxMs: number },
): Promise<BenchCell> {
  const result = await runLoad((index) => sendOnce(client, cell.endpoint, uploads[index % uploads.length]), {
    requests: bounds.requests,
    concurrency: cell.concurrency,
    maxMs: bounds.maxMs,
  });
  const requests = result.served.map(({ index, wallMs, value }) => ({
    page: index % uploads.length,
    wallMs,
    modelMs: value.modelMs + value.imageEncoderMs,
    ocrMs: value.ocrMs,
  }));
  return {
    ...cell,
    sent: result.served.length + result.rejected + result.failed,
    served: result.served.length,
    rejected: result.rejected,
    failed: result.failed,
    errors: result.errors,
    capped: result.capped,
    // One page per request: FUNSD pages are single-page documents.
    pagesPerSecond: result.wallMs > 0 ? (1000 * result.served.length) / result.wallMs : 0,
    latencyMs: summarizeLatencies(requests.map((r) => r.wallMs)),
    modelMs: summarizeLatencies(requests.map((r) => r.modelMs)),
    ocrMs: summarizeLatencies(requests.map((r) => r.ocrMs)),
    requests,
  };
}
