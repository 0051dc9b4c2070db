/** Latency summaries for eval and bench: order statistics over per-page milliseconds. */
export interface LatencySummary {
  count: number;
  median: number;
  p95: number;
  p99: number;
  mean: number;
}

/**
 * The p-th percentile (0–100) with linear interpolation between closest ranks (numpy's default), so small
 * samples give stable, reproducible numbers. NaN for an empty sample.
 */
export function percentile(values: readonly number[], p: number): number {
  if (!(p >= 0 && p <= 100)) throw new RangeError(`percentile must be within 0–100, got ${p}`);
  if (values.length === 0) return Number.NaN;
  const sorted = [...values].sort((a, b) => a - b);
  const rank = (p / 100) * (sorted.length - 1);
  const below = Math.floor(rank);
  const above = Math.ceil(rank);
  return sorted[below] + (sorted[above] - sorted[below]) * (rank - below);
}

export function summarizeLatencies(values: readonly number[]): LatencySummary {
  const mean = values.length === 0 ? Number.NaN : values.reduce((sum, v) => sum + v, 0) / values.length;
  return { count: values.length, median: percentile(values, 50), p95: percentile(values, 95), p99: percentile(values, 99), mean };
}

/** Milliseconds for tables: one decimal, "n/a" when there was nothing to measure. */
export function formatMs(ms: number): string {
  return Number.isFinite(ms) ? `${ms.toFixed(1)} ms` : 'n/a';
}
