import { CurvePoint, seriesOf, withProgress } from '../curves.js';
import { comparisonRows, formatDuration, Problem, problemsByFile, reconnectDelayMs, terminalText } from '../job-view.js';
import { Api, asApiError, reportingTo } from './api.js';
import { drawChart } from './chart.js';
import { byId, clear, h, showError, sleep } from './dom.js';

/**
 * Admin: datasets (upload, validation report), tuning jobs (form, live curves over the job stream, ETA, logs,
 * cancel, base vs tuned), model versions (activate, roll back). The admin key stays in this tab's memory.
 */

interface Dataset { id: string; name: string; task: string; format: string; createdAt: string; evalSplit: number | 'funsd'; labels: string[]; report: { documents: number; pages: number; labels: Record<string, number>; splits: Record<string, number>; ocrDocuments: number; problems: Problem[] } }
interface Progress { percent: number; epoch: number; step: number; totalSteps: number; etaSeconds?: number; learningRate?: number; terms: Record<string, number> }
interface Job { id: string; state: string; stage?: string; spec: { datasetId: string; task: string; baseModel: string; preset: string; schedule?: string }; createdAt: string; progress: Progress; estimate?: { seconds: number }; evaluation?: Record<string, unknown>; modelId?: string; error?: { reason: string }; cancelRequested?: boolean }
interface ModelVersion { id: string; version: string; task: string; active: boolean; source: string; createdAt: string; metrics: Record<string, unknown> }
interface ModelList { tasks: Array<{ task: string; active: string | null; versions: ModelVersion[] }> }

const TERMINAL = ['succeeded', 'failed', 'cancelled'];
const LOG_REFRESH_MS = 3000;

export class AdminView {
  private datasets: Dataset[] = [];
  private models: ModelList = { tasks: [] };
  private followed: { id: string; stop: AbortController } | undefined;
  private points: CurvePoint[] = [];
  private logsFetchedAt = 0;

  constructor(private readonly api: Api) {}

  mount(): void {
    byId('admin-key-form').addEventListener('submit', (event) => {
      event.preventDefault();
      void this.unlock(byId<HTMLInputElement>('admin-key').value);
    });
    byId('dataset-form').addEventListener('submit', (event) => {
      event.preventDefault();
      void this.uploadDataset();
    });
    byId('job-form').addEventListener('submit', (event) => {
      event.preventDefault();
      void this.startJob();
    });
    byId('job-dataset').addEventListener('change', () => this.fillBaseModels());
    byId('job-cancel').addEventListener('click', () => void this.cancelJob());
  }

  /** One check of the key; a refusal is shown and nothing retries it. */
  async unlock(key: string): Promise<void> {
    const box = byId('admin-key-error');
    this.api.adminKey = key;
    try {
      this.models = await this.api.get<ModelList>('/admin/models');
    } catch (error) {
      this.api.adminKey = '';
      byId('admin-panels').hidden = true;
      const apiError = asApiError(error);
      showError(box, apiError.isAuth ? { code: apiError.code, message: `${apiError.message}. Enter the service's AETNET_ADMIN_KEY.` } : apiError);
      return;
    }
    showError(box, undefined);
    byId('admin-panels').hidden = false;
    await Promise.all([this.refreshDatasets(), this.refreshJobs()]);
    this.renderModels();
  }

  // ---- datasets ----------------------------------------------------------------------------------

  private async uploadDataset(): Promise<void> {
    const file = byId<HTMLInputElement>('dataset-file').files?.[0];
    if (!file) return;
    const form = new FormData();
    form.append('file', file, file.name);
    form.append('format', byId<HTMLSelectElement>('dataset-format').value);
    form.append('task', byId<HTMLSelectElement>('dataset-task').value);
    const name = byId<HTMLInputElement>('dataset-name').value.trim();
    if (name) form.append('name', name);
    form.append('evalSplit', byId<HTMLInputElement>('dataset-eval-split').value);
    const button = byId<HTMLButtonElement>('dataset-upload');
    button.disabled = true;
    byId('dataset-report').textContent = `Uploading and validating ${file.name}…`;
    try {
      const dataset = await this.api.post<Dataset>('/admin/datasets', form);
      showError(byId('dataset-error'), undefined);
      this.renderReport(dataset.name, dataset.report);
      await this.refreshDatasets();
      byId<HTMLSelectElement>('job-dataset').value = dataset.id;
      this.fillBaseModels();
    } catch (error) {
      const apiError = asApiError(error);
      showError(byId('dataset-error'), apiError);
      const report = apiError.details?.report as Dataset['report'] | undefined;
      if (report) this.renderReport(file.name, report);
      else clear(byId('dataset-report'));
    } finally {
      button.disabled = false;
    }
  }

  private renderReport(name: string, report: Dataset['report']): void {
    const box = byId('dataset-report');
    clear(box);
    const labels = Object.entries(report.labels).map(([label, count]) => `${label} ${count}`).join(', ');
    box.append(h('p', {}, h('strong', {}, name), `: ${report.documents} documents, ${report.pages} pages (train ${report.splits.train ?? 0}, held out ${report.splits.test ?? 0}); words by OCR in ${report.ocrDocuments}.`));
    if (labels) box.append(h('p', { class: 'status' }, `Counts per label: ${labels}`));
    const groups = problemsByFile(report.problems);
    if (groups.length === 0) {
      box.append(h('p', { class: 'status' }, 'No problems found.'));
      return;
    }
    const list = h('ul', { 'aria-label': 'Problems by file' });
    for (const group of groups) {
      list.append(h('li', {}, h('code', {}, group.file), h('ul', {}, ...group.problems.map((problem) =>
        h('li', { class: `${problem.severity}-item` }, `${problem.severity}${problem.field ? ` in ${problem.field}` : ''}: ${problem.message}`)))));
    }
    box.append(list);
  }

  private async refreshDatasets(): Promise<void> {
    const { datasets } = await this.api.get<{ datasets: Dataset[] }>('/admin/datasets');
    this.datasets = datasets;
    const table = byId('datasets-table');
    table.querySelectorAll('tr').forEach((row) => row.remove());
    table.append(h('tr', {}, ...['name', 'id', 'task', 'format', 'documents', 'labels', 'problems'].map((name) => h('th', { scope: 'col' }, name))));
    for (const dataset of datasets) {
      const report = h('button', { type: 'button', class: 'secondary' }, String(dataset.report.problems.length));
      report.addEventListener('click', () => this.renderReport(dataset.name, dataset.report));
      table.append(h('tr', { 'data-dataset': dataset.id }, h('td', {}, dataset.name), h('td', {}, h('code', {}, dataset.id)), h('td', {}, dataset.task), h('td', {}, dataset.format),
        h('td', { class: 'number' }, String(dataset.report.documents)), h('td', {}, dataset.labels.join(' ')), h('td', {}, report)));
    }
    const select = byId<HTMLSelectElement>('job-dataset');
    const previous = select.value;
    select.replaceChildren(...datasets.map((dataset) => h('option', { value: dataset.id }, `${dataset.name} (${dataset.task}, ${dataset.report.documents} docs)`)));
    if (datasets.some((dataset) => dataset.id === previous)) select.value = previous;
    this.fillBaseModels();
  }

  private fillBaseModels(): void {
    const dataset = this.datasets.find((candidate) => candidate.id === byId<HTMLSelectElement>('job-dataset').value);
    const select = byId<HTMLSelectElement>('job-base');
    const versions = this.models.tasks.find((task) => task.task === dataset?.task)?.versions ?? [];
    select.replaceChildren(...versions.map((version) => h('option', { value: version.id, selected: version.active }, `${version.id}${version.active ? ' (active)' : ''}`)));
  }

  // ---- tuning jobs -------------------------------------------------------------------------------

  private async startJob(): Promise<void> {
    const dataset = this.datasets.find((candidate) => candidate.id === byId<HTMLSelectElement>('job-dataset').value);
    if (!dataset) {
      showError(byId('job-error'), { code: 'NO_DATASET', message: 'Upload a dataset first' });
      return;
    }
    const number = (id: string) => {
      const raw = byId<HTMLInputElement>(id).value.trim();
      return raw === '' ? undefined : Number(raw);
    };
    const hyperparameters = Object.fromEntries(
      Object.entries({ epochs: number('job-epochs'), maxSteps: number('job-max-steps'), batchSize: number('job-batch'), learningRate: number('job-lr') }).filter(([, value]) => value !== undefined),
    );
    const alignment = byId<HTMLSelectElement>('job-alignment').value;
    const body = {
      datasetId: dataset.id,
      task: dataset.task,
      baseModel: byId<HTMLSelectElement>('job-base').value || undefined,
      preset: byId<HTMLSelectElement>('job-preset').value,
      schedule: byId<HTMLSelectElement>('job-schedule').value,
      start: byId<HTMLSelectElement>('job-start').value,
      hyperparameters,
      alignment: alignment === 'plain' ? { plain: true } : { preset: alignment },
    };
    await reportingTo('job-error', async () => {
      const job = await this.api.post<Job>('/admin/tuning-jobs', body);
      await this.refreshJobs();
      this.follow(job.id);
    });
  }

  private async refreshJobs(): Promise<void> {
    const { jobs } = await this.api.get<{ jobs: Job[] }>('/admin/tuning-jobs');
    const table = byId('jobs-table');
    table.querySelectorAll('tr').forEach((row) => row.remove());
    table.append(h('tr', {}, ...['job', 'state', 'task', 'preset', 'progress', 'model', 'created'].map((name) => h('th', { scope: 'col' }, name))));
    for (const job of jobs) table.append(this.jobRow(job));
  }

  private jobRow(job: Job): HTMLTableRowElement {
    const open = h('button', { type: 'button', class: 'secondary' }, job.id);
    open.addEventListener('click', () => this.follow(job.id));
    return h('tr', { 'data-job': job.id, class: this.followed?.id === job.id ? 'selected' : undefined },
      h('td', {}, open), h('td', {}, h('span', { class: `badge ${job.state}` }, job.state)), h('td', {}, job.spec.task), h('td', {}, `${job.spec.preset} ${job.spec.schedule ?? 'full'}`),
      h('td', { class: 'number' }, `${job.progress.percent} %`), h('td', {}, job.modelId ?? ''), h('td', {}, new Date(job.createdAt).toLocaleString()));
  }

  /**
   * Follows one job: its state and curves so far, then the SSE stream. A dropped stream is reopened (with backoff)
   * from the job's current state; a refused key stops following.
   */
  follow(id: string): void {
    this.followed?.stop.abort();
    const stop = new AbortController();
    this.followed = { id, stop };
    this.points = [];
    byId('job-detail').hidden = false;
    byId('job-title').textContent = id;
    clear(byId('job-logs'));
    void this.followLoop(id, stop.signal);
  }

  private async followLoop(id: string, signal: AbortSignal): Promise<void> {
    const connection = byId('job-connection');
    let drops = 0;
    while (!signal.aborted) {
      try {
        const job = await this.api.get<Job>(`/admin/tuning-jobs/${id}`);
        this.points = (await this.api.get<{ points: CurvePoint[] }>(`/admin/tuning-jobs/${id}/curves`)).points;
        this.renderJob(job);
        if (TERMINAL.includes(job.state)) return this.finished(job);
        let done: Job | undefined;
        connection.textContent = drops > 0 ? 'reconnected' : 'live';
        await this.api.stream(`/admin/tuning-jobs/${id}/events`, (event) => {
          drops = 0;
          const update = JSON.parse(event.data) as Job;
          this.points = withProgress(this.points, update.progress);
          this.renderJob(update);
          if (event.event === 'done') done = update;
        }, signal);
        if (done) return this.finished(done);
      } catch (error) {
        if (signal.aborted || (error as Error).name === 'AbortError') return;
        const apiError = asApiError(error);
        if (apiError.isAuth || apiError.status === 404) {
          connection.textContent = '';
          showError(byId('job-error'), apiError);
          return;
        }
      }
      if (signal.aborted) return;
      const wait = reconnectDelayMs(drops++);
      connection.textContent = `connection lost: reconnecting in ${(wait / 1000).toFixed(1)} s`;
      await sleep(wait);
    }
  }

  private async finished(job: Job): Promise<void> {
    byId('job-connection').textContent = '';
    this.renderJob(job);
    await this.refreshLogs(job.id, true);
    await this.refreshJobs();
    this.models = await this.api.get<ModelList>('/admin/models');
    this.renderModels();
    this.fillBaseModels();
  }

  private renderJob(job: Job): void {
    const badge = byId('job-state');
    badge.textContent = job.state;
    badge.className = `badge ${job.state}`;
    byId('job-stage').textContent = job.stage ? `stage: ${job.stage}` : job.error ? `error: ${job.error.reason}` : job.modelId ? `model: ${job.modelId}` : '';
    byId<HTMLProgressElement>('job-progress').value = job.progress.percent;
    byId('job-percent').textContent = `${job.progress.percent} % · step ${job.progress.step}/${job.progress.totalSteps || '?'} · epoch ${job.progress.epoch}`;
    byId('job-eta').textContent = TERMINAL.includes(job.state) ? '' : `ETA ${formatDuration(job.progress.etaSeconds ?? job.estimate?.seconds)}`;
    byId<HTMLButtonElement>('job-cancel').disabled = TERMINAL.includes(job.state) || Boolean(job.cancelRequested);
    const { losses, learningRate } = seriesOf(this.points);
    drawChart(byId('loss-chart') as unknown as SVGSVGElement, losses, byId('loss-legend'));
    drawChart(byId('lr-chart') as unknown as SVGSVGElement, [learningRate], undefined, (value) => value.toExponential(1));
    this.renderComparison(job.evaluation);
    document.querySelector(`#jobs-table tr[data-job="${job.id}"]`)?.replaceWith(this.jobRow(job));
    void this.refreshLogs(job.id, false);
  }

  private renderComparison(evaluation: Record<string, unknown> | undefined): void {
    const table = byId('job-report');
    table.querySelectorAll('tr').forEach((row) => row.remove());
    const rows = comparisonRows(evaluation);
    if (rows.length === 0) {
      table.append(h('tr', {}, h('td', { class: 'status' }, 'Appears once the tuned model has been scored on the held-out documents.')));
      return;
    }
    const fixed = (value: number | undefined) => (value === undefined ? '—' : value.toFixed(4));
    table.append(h('tr', {}, h('th', { scope: 'col' }, 'metric'), h('th', { scope: 'col' }, `base (${String(evaluation?.baseModel ?? '')})`), h('th', { scope: 'col' }, 'tuned'), h('th', { scope: 'col' }, 'change')));
    for (const row of rows) {
      const change = row.base !== undefined && row.tuned !== undefined ? row.tuned - row.base : undefined;
      const tone = change === undefined || change === 0 ? undefined : change > 0 ? 'better' : 'worse';
      table.append(h('tr', { 'data-metric': row.metric }, h('td', {}, row.metric), h('td', { class: 'number' }, fixed(row.base)), h('td', { class: 'number' }, fixed(row.tuned)),
        h('td', { class: `number ${tone ?? ''}` }, change === undefined ? '' : `${change > 0 ? '+' : ''}${change.toFixed(4)}`)));
    }
  }

  private async refreshLogs(id: string, force: boolean): Promise<void> {
    if (!force && Date.now() - this.logsFetchedAt < LOG_REFRESH_MS) return;
    this.logsFetchedAt = Date.now();
    try {
      const text = await this.api.get<string>(`/admin/tuning-jobs/${id}/logs?tail=200`);
      if (this.followed?.id === id) byId('job-logs').textContent = terminalText(text);
    } catch {
      // The log is informative; the job view shows the job's own state and errors.
    }
  }

  private async cancelJob(): Promise<void> {
    const id = this.followed?.id;
    if (!id) return;
    await reportingTo('job-error', async () => {
      const job = await this.api.post<Job>(`/admin/tuning-jobs/${id}/cancel`);
      this.renderJob(job);
    });
  }

  // ---- model versions ----------------------------------------------------------------------------

  private renderModels(): void {
    const box = byId('models');
    clear(box);
    for (const task of this.models.tasks) {
      const rollback = h('button', { type: 'button', class: 'secondary', 'data-rollback': task.task }, `Roll back ${task.task}`);
      rollback.addEventListener('click', () => void this.modelAction(`/admin/models/${task.task}/rollback`));
      const table = h('table', { class: 'table', 'data-task': task.task }, h('caption', {}, `${task.task}: active ${task.active ?? 'none'}`),
        h('tr', {}, ...['version', 'source', 'created', 'metrics', ''].map((name) => h('th', { scope: 'col' }, name))));
      for (const version of task.versions) {
        const activate = h('button', { type: 'button', disabled: version.active, 'data-activate': `${task.task}:${version.id}` }, version.active ? 'active' : 'Activate');
        activate.addEventListener('click', () => void this.modelAction(`/admin/models/${encodeURIComponent(version.id)}/activate?task=${task.task}`));
        table.append(h('tr', { 'data-model': version.id, class: version.active ? 'selected' : undefined }, h('td', {}, `${version.id} v${version.version}`), h('td', {}, version.source),
          h('td', {}, new Date(version.createdAt).toLocaleString()), h('td', {}, headline(version.metrics)), h('td', {}, activate)));
      }
      box.append(table, rollback);
    }
  }

  private async modelAction(path: string): Promise<void> {
    await reportingTo('models-error', async () => {
      await this.api.post(path);
      this.models = await this.api.get<ModelList>('/admin/models');
      this.renderModels();
      this.fillBaseModels();
    });
  }
}

/** The one or two numbers that say how good a version is. */
function headline(metrics: Record<string, unknown>): string {
  const parts = ['f1', 'accuracy', 'anls'].filter((key) => typeof metrics[key] === 'number').map((key) => `${key} ${(metrics[key] as number).toFixed(3)}`);
  return parts.join(', ');
}

