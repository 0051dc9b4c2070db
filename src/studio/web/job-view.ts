/** What the Studio shows of jobs, datasets and reports, as plain data: tested here, drawn by ui/. */

/** "1 h 05 min", "4 min 10 s", "12 s"; undefined → "—". */
export function formatDuration(seconds: number | undefined): string {
  if (seconds === undefined || !Number.isFinite(seconds) || seconds < 0) return '—';
  const total = Math.round(seconds);
  const hours = Math.floor(total / 3600);
  const minutes = Math.floor((total % 3600) / 60);
  const rest = total % 60;
  if (hours > 0) return `${hours} h ${String(minutes).padStart(2, '0')} min`;
  if (minutes > 0) return `${minutes} min ${rest} s`;
  return `${rest} s`;
}

export interface ComparisonRow {
  metric: string;
  base?: number;
  tuned?: number;
}

const isRecord = (value: unknown): value is Record<string, unknown> => typeof value === 'object' && value !== null && !Array.isArray(value);

/** Every numeric leaf of a score object, by dotted path (arrays such as a confusion matrix are left to their own view). */
function numericLeaves(value: unknown, prefix = '', depth = 0, into = new Map<string, number>()): Map<string, number> {
  if (!isRecord(value) || depth > 3) return into;
  for (const [key, child] of Object.entries(value)) {
    const path = prefix ? `${prefix}.${key}` : key;
    if (typeof child === 'number' && Number.isFinite(child)) into.set(path, child);
    else numericLeaves(child, path, depth + 1, into);
  }
  return into;
}

/**
 * Base vs tuned, metric by metric, in the order the tuned scores list them (then any the base alone has). Works for
 * every task's report (extract P/R/F1 per label, classify accuracy per class, ask ANLS and the threshold sweep).
 */
export function comparisonRows(evaluation: Record<string, unknown> | undefined): ComparisonRow[] {
  if (!evaluation) return [];
  const base = numericLeaves(evaluation.base);
  const tuned = numericLeaves(evaluation.tuned);
  const metrics = [...tuned.keys(), ...[...base.keys()].filter((key) => !tuned.has(key))].filter((metric) => !COUNTS.has(metric.split('.').at(-1) as string));
  return metrics.map((metric) => ({ metric, base: base.get(metric), tuned: tuned.get(metric) }));
}

/** Counts behind the scores (how many words, documents, …): the report in the job's JSON keeps them. */
const COUNTS = new Set(['support', 'predicted', 'correct', 'gold', 'documents', 'pages', 'questions', 'count']);

export interface Problem {
  file: string;
  field?: string;
  message: string;
  severity: 'error' | 'warning';
}

/** A dataset report's problems grouped by file (files in first-seen order), errors before warnings within a file. */
export function problemsByFile(problems: readonly Problem[]): Array<{ file: string; problems: Problem[] }> {
  const groups = new Map<string, Problem[]>();
  for (const problem of problems) groups.set(problem.file, [...(groups.get(problem.file) ?? []), problem]);
  const rank = (problem: Problem) => (problem.severity === 'error' ? 0 : 1);
  return [...groups].map(([file, list]) => ({ file, problems: [...list].sort((a, b) => rank(a) - rank(b)) }));
}

/** An API error body `{ error: { code, message } }` → what the page shows; anything else → the HTTP status. */
export function errorSummary(status: number, body: unknown): { code: string; message: string } {
  const error = isRecord(body) && isRecord(body.error) ? body.error : undefined;
  if (error && typeof error.code === 'string') return { code: error.code, message: typeof error.message === 'string' ? error.message : '' };
  return { code: `HTTP_${status}`, message: typeof body === 'string' && body ? body.slice(0, 300) : 'The service answered without an error body' };
}

/** Reconnect delay after the n-th consecutive drop of a job stream: 0.5 s doubling to 8 s. */
export const reconnectDelayMs = (attempt: number): number => Math.min(8000, 500 * 2 ** Math.max(0, attempt));

/** A log as a terminal shows it: a progress bar redrawn with carriage returns keeps only its last state per line. */
export function terminalText(log: string): string {
  return log
    .split('\n')
    .map((line) => line.split('\r').filter((part) => part.trim() !== '').at(-1) ?? '')
    .join('\n');
}
