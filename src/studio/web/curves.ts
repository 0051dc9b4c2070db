/**
 * A tuning job's curves: points from GET …/curves, extended by each progress event of the job stream, then
 * scaled into an SVG chart. Pure, so the arithmetic is tested without a browser.
 */

/** One step of a run (the same fields as GET /admin/tuning-jobs/:id/curves). */
export interface CurvePoint {
  step: number;
  epoch: number;
  lr?: number;
  terms: Record<string, number>;
}

/** The job fields a progress event carries that a curve needs. */
export interface ProgressLike {
  epoch: number;
  step: number;
  learningRate?: number;
  terms: Record<string, number>;
}

/** Terms in the order the trainer names them (docs/method.md); any other term follows. */
export const TERM_ORDER = ['total', 'task', 'ditc', 'imc', 'glitc', 'pita'];

/** Adds the job's latest step; a step already drawn is replaced, and a resumed run's earlier step cuts the tail. */
export function withProgress(points: readonly CurvePoint[], progress: ProgressLike): CurvePoint[] {
  if (progress.step <= 0 || Object.keys(progress.terms).length === 0) return [...points];
  const kept = points.filter((point) => point.step < progress.step);
  const point: CurvePoint = { step: progress.step, epoch: progress.epoch, terms: { ...progress.terms } };
  if (progress.learningRate !== undefined) point.lr = progress.learningRate;
  return [...kept, point];
}

export interface Series {
  name: string;
  points: Array<[number, number]>;
}

/** One series per loss term (in TERM_ORDER), and the learning rate apart: it has its own scale. */
export function seriesOf(points: readonly CurvePoint[]): { losses: Series[]; learningRate: Series } {
  const names = new Set(points.flatMap((point) => Object.keys(point.terms)));
  const ordered = [...TERM_ORDER.filter((name) => names.has(name)), ...[...names].filter((name) => !TERM_ORDER.includes(name)).sort()];
  const losses = ordered.map((name) => ({
    name,
    points: points.filter((point) => Number.isFinite(point.terms[name])).map((point): [number, number] => [point.step, point.terms[name]]),
  }));
  const learningRate = { name: 'lr', points: points.filter((point) => point.lr !== undefined).map((point): [number, number] => [point.step, point.lr as number]) };
  return { losses, learningRate };
}

export interface Extent {
  x: [number, number];
  y: [number, number];
}

/** Steps from the first to the last drawn (at least one step wide); values from 0 (or the least, if negative) to the greatest. */
export function extentOf(series: readonly Series[]): Extent | undefined {
  const all = series.flatMap((one) => one.points);
  if (all.length === 0) return undefined;
  const xs = all.map(([x]) => x);
  const ys = all.map(([, y]) => y);
  const [x0, x1] = [Math.min(...xs), Math.max(...xs)];
  const [y0, y1] = [Math.min(0, ...ys), Math.max(...ys)];
  return { x: [x0, x1 > x0 ? x1 : x0 + 1], y: [y0, y1 > y0 ? y1 : y0 + 1] };
}

/** SVG polyline `points` for a series in a width×height plot (y grows downwards), to 1 decimal. */
export function polylinePoints(series: Series, extent: Extent, width: number, height: number): string {
  const sx = (x: number) => ((x - extent.x[0]) / (extent.x[1] - extent.x[0])) * width;
  const sy = (y: number) => height - ((y - extent.y[0]) / (extent.y[1] - extent.y[0])) * height;
  return series.points.map(([x, y]) => `${sx(x).toFixed(1)},${sy(y).toFixed(1)}`).join(' ');
}
