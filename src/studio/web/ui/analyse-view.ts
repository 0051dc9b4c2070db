import { curlCommand } from '../curl-command.js';
import { labelColors } from '../label-colors.js';
import { Api, asApiError, reportingTo } from './api.js';
import { byId, clear, h, percent, showError, svg } from './dom.js';

/**
 * Analyse a document: its pages as the service reads them (POST /v1/pages), every entity drawn as a box coloured
 * by label (/v1/extract), the class with its scores (/v1/classify), and questions answered where they stand on
 * the page (/v1/ask). A refused file shows its error next to the file and leaves the rest as it was.
 */

type Box = [number, number, number, number];
interface RenderedPage { page: number; width: number; height: number; image: string }
interface Entity { label: string; text: string; confidence: number; box: Box; words: number[] }
interface Word { text: string; box: Box; label: string; confidence: number }
interface Timings { totalMs: number; decodeMs: number; ocrMs?: number; imageEncoderMs?: number; modelMs?: number; cacheHit?: boolean }
interface Pair { keyIndex: number; valueIndex: number | null; key: Entity; value: Entity | null; confidence: number | null }
interface ExtractResponse { model: { id: string; version: string }; pages: Array<{ page: number; entities: Entity[]; words: Word[]; pairs: Pair[]; pairsFrom: string }>; timings: Timings }
interface ClassScores { label: string; confidence: number; scores: Record<string, number> }
interface ClassifyResponse { model: { id: string; version: string }; document: ClassScores; pages: Array<ClassScores & { page: number }>; timings: Timings }
interface Answer { question: string; answer: string | null; confidence: number; page: number | null; box: Box | null; noAnswer: boolean; topK: Array<{ answer: string; confidence: number; page: number; box: Box }> }
interface AskResponse { model: { id: string; version: string }; answers: Answer[]; timings: Timings }

interface Shown {
  file: File;
  pages: RenderedPage[];
  pagesTimings: Timings;
  extract?: ExtractResponse;
  classify?: ClassifyResponse;
  ask?: AskResponse;
  /** The last request made, repeated as curl. */
  lastRequest: { path: string; fields: Array<[string, string]> };
}

export class AnalyseView {
  private shown: Shown | undefined;
  private readonly hiddenLabels = new Set<string>();
  private readonly overlays = new Map<number, SVGSVGElement>();
  private readonly tooltip = h('div', { class: 'tooltip', role: 'tooltip', hidden: true });
  private busy = false;

  constructor(private readonly api: Api) {}

  mount(): void {
    document.body.append(this.tooltip);
    const input = byId<HTMLInputElement>('document-file');
    input.addEventListener('change', () => {
      const file = input.files?.[0];
      if (file) void this.analyse(file);
      input.value = '';
    });
    const zone = byId('dropzone');
    zone.addEventListener('dragover', (event) => {
      event.preventDefault();
      zone.classList.add('over');
    });
    zone.addEventListener('dragleave', () => zone.classList.remove('over'));
    zone.addEventListener('drop', (event) => {
      event.preventDefault();
      zone.classList.remove('over');
      const file = event.dataTransfer?.files[0];
      if (file) void this.analyse(file);
    });
    byId<HTMLInputElement>('show-words').addEventListener('change', () => this.drawOverlays());
    byId<HTMLInputElement>('show-pairs').addEventListener('change', () => this.drawOverlays());
    byId('ask-form').addEventListener('submit', (event) => {
      event.preventDefault();
      void this.ask(byId<HTMLInputElement>('question').value.trim());
    });
    byId('copy-curl').addEventListener('click', () => void this.copyCurl());
  }

  private status(text: string): void {
    byId('document-status').textContent = text;
  }

  private form(file: File, fields: Array<[string, string]> = []): FormData {
    const form = new FormData();
    form.append('file', file, file.name);
    for (const [name, value] of fields) form.append(name, value);
    return form;
  }

  async analyse(file: File): Promise<void> {
    if (this.busy) return;
    this.busy = true;
    const fileError = byId('document-error');
    try {
      this.status(`Reading ${file.name}…`);
      let rendered: { pages: RenderedPage[]; timings: Timings };
      try {
        rendered = await this.api.post('/v1/pages', this.form(file));
      } catch (error) {
        // Refused: say why next to the file; what is on screen stays.
        byId('document-name').textContent = file.name;
        showError(fileError, asApiError(error));
        this.status('');
        return;
      }
      showError(fileError, undefined);
      byId('document-name').textContent = file.name;
      this.shown = { file, pages: rendered.pages, pagesTimings: rendered.timings, lastRequest: { path: '/v1/pages', fields: [] } };
      this.hiddenLabels.clear();
      for (const id of ['extract-error', 'classify-error', 'ask-error']) showError(byId(id), undefined);
      clear(byId('answers'));
      clear(byId('class-scores'));
      this.drawPages();
      this.renderSide();
      byId<HTMLButtonElement>('ask-button').disabled = false;

      this.status('Extracting entities (OCR when the page has no text layer)…');
      await reportingTo('extract-error', async () => {
        this.shown!.extract = await this.api.post<ExtractResponse>('/v1/extract', this.form(file));
        this.shown!.lastRequest = { path: '/v1/extract', fields: [] };
      });
      this.drawOverlays();
      this.renderSide();
      this.status('Classifying…');
      await reportingTo('classify-error', async () => {
        this.shown!.classify = await this.api.post<ClassifyResponse>('/v1/classify', this.form(file));
      });
      this.renderSide();
      this.status(`${file.name}: ${rendered.pages.length} page(s) read`);
    } finally {
      this.busy = false;
    }
  }

  async ask(question: string): Promise<void> {
    const shown = this.shown;
    if (!shown || !question) return;
    const button = byId<HTMLButtonElement>('ask-button');
    button.disabled = true;
    const fields: Array<[string, string]> = [['questions', JSON.stringify([question])]];
    const minScore = byId<HTMLInputElement>('min-score').value.trim();
    if (minScore !== '') fields.push(['minScore', minScore]);
    await reportingTo('ask-error', async () => {
      shown.ask = await this.api.post<AskResponse>('/v1/ask', this.form(shown.file, fields));
      shown.lastRequest = { path: '/v1/ask', fields };
    });
    button.disabled = false;
    this.drawOverlays();
    this.renderSide();
    const highlighted = document.querySelector('.answer-box');
    highlighted?.scrollIntoView({ block: 'center', behavior: 'smooth' });
  }

  private drawPages(): void {
    const container = byId('pages');
    clear(container);
    this.overlays.clear();
    for (const page of this.shown?.pages ?? []) {
      const overlay = svg('svg', { viewBox: `0 0 ${page.width} ${page.height}`, preserveAspectRatio: 'none', 'aria-hidden': 'true' });
      this.overlays.set(page.page, overlay);
      container.append(
        h('figure', { class: 'page', 'data-page': String(page.page), style: `aspect-ratio: ${page.width} / ${page.height}` },
          h('img', { src: page.image, alt: `Page ${page.page} of ${this.shown?.file.name ?? 'the document'}`, width: String(page.width), height: String(page.height) }),
          overlay,
          h('span', { class: 'page-number' }, `page ${page.page}`)),
      );
    }
  }

  private colours(): Map<string, string> {
    return labelColors(this.shown?.extract?.pages.flatMap((page) => page.entities.map((entity) => entity.label)) ?? []);
  }

  private drawOverlays(): void {
    const shown = this.shown;
    if (!shown) return;
    const colours = this.colours();
    const showWords = byId<HTMLInputElement>('show-words').checked;
    for (const [pageNumber, overlay] of this.overlays) {
      clear(overlay);
      const page = shown.extract?.pages.find((candidate) => candidate.page === pageNumber);
      if (showWords) for (const word of page?.words ?? []) overlay.append(rect(word.box, { class: 'word-box' }));
      page?.entities.forEach((entity, index) => {
        if (this.hiddenLabels.has(entity.label)) return;
        const colour = colours.get(entity.label) ?? '#000';
        const box = rect(entity.box, { class: 'entity-box', fill: colour, stroke: colour, 'data-label': entity.label, 'data-entity': `${pageNumber}:${index}` });
        box.append(svg('title', {}, entityText(entity)));
        box.addEventListener('mouseenter', (event) => this.showTooltip(entityText(entity), event));
        box.addEventListener('mousemove', (event) => this.moveTooltip(event));
        box.addEventListener('mouseleave', () => (this.tooltip.hidden = true));
        overlay.append(box);
      });
      if (byId<HTMLInputElement>('show-pairs').checked) {
        for (const pair of page?.pairs ?? []) {
          if (!pair.value || this.hiddenLabels.has(pair.key.label) || this.hiddenLabels.has(pair.value.label)) continue;
          const [from, to] = [centre(pair.key.box), centre(pair.value.box)];
          overlay.append(svg('line', { class: 'pair-line', x1: from[0], y1: from[1], x2: to[0], y2: to[1], 'data-pair': `${pair.keyIndex}>${pair.valueIndex}` }));
        }
      }
      for (const answer of shown.ask?.answers ?? []) {
        if (answer.noAnswer || answer.page !== pageNumber || !answer.box) continue;
        const box = rect(answer.box, { class: 'answer-box', 'data-question': answer.question });
        box.append(svg('title', {}, `${answer.answer} · ${percent(answer.confidence)}`));
        box.addEventListener('mouseenter', (event) => this.showTooltip(`Answer: ${answer.answer} · ${percent(answer.confidence)}`, event));
        box.addEventListener('mousemove', (event) => this.moveTooltip(event));
        box.addEventListener('mouseleave', () => (this.tooltip.hidden = true));
        overlay.append(box);
      }
    }
  }

  private showTooltip(text: string, event: MouseEvent): void {
    this.tooltip.textContent = text;
    this.tooltip.hidden = false;
    this.moveTooltip(event);
  }

  private moveTooltip(event: MouseEvent): void {
    this.tooltip.style.left = `${event.clientX + 12}px`;
    this.tooltip.style.top = `${event.clientY + 12}px`;
  }

  private renderSide(): void {
    this.renderLegend();
    this.renderEntityList();
    this.renderPairs();
    this.renderClass();
    this.renderAnswers();
    this.renderTimings();
    this.renderRequest();
  }

  private renderLegend(): void {
    const legend = byId('legend');
    legend.querySelectorAll('label').forEach((label) => label.remove());
    const entities = this.shown?.extract?.pages.flatMap((page) => page.entities) ?? [];
    const counts = new Map<string, number>();
    for (const entity of entities) counts.set(entity.label, (counts.get(entity.label) ?? 0) + 1);
    const colours = this.colours();
    for (const [label, count] of [...counts].sort(([a], [b]) => a.localeCompare(b))) {
      const toggle = h('input', { type: 'checkbox', 'data-label': label, checked: !this.hiddenLabels.has(label) });
      toggle.addEventListener('change', () => {
        if (toggle.checked) this.hiddenLabels.delete(label);
        else this.hiddenLabels.add(label);
        this.drawOverlays();
        this.renderEntityList();
      });
      legend.append(h('label', { style: `background: ${colours.get(label)}` }, toggle, `${label} (${count})`));
    }
  }

  private renderEntityList(): void {
    const list = byId('entity-list');
    clear(list);
    const colours = this.colours();
    for (const page of this.shown?.extract?.pages ?? []) {
      page.entities.forEach((entity, index) => {
        if (this.hiddenLabels.has(entity.label)) return;
        const key = `${page.page}:${index}`;
        const item = h('button', { type: 'button', 'data-entity': key },
          h('span', { class: 'swatch', style: `background: ${colours.get(entity.label)}` }), `${entity.label}: ${entity.text} (${percent(entity.confidence)}, p. ${page.page})`);
        const focus = (on: boolean) => document.querySelector(`.entity-box[data-entity="${key}"]`)?.classList.toggle('focused', on);
        item.addEventListener('mouseenter', () => focus(true));
        item.addEventListener('mouseleave', () => focus(false));
        item.addEventListener('focus', () => focus(true));
        item.addEventListener('blur', () => focus(false));
        item.addEventListener('click', () => document.querySelector(`.entity-box[data-entity="${key}"]`)?.scrollIntoView({ block: 'center', behavior: 'smooth' }));
        list.append(h('li', {}, item));
      });
    }
  }

  private renderPairs(): void {
    const list = byId('pair-list');
    clear(list);
    const pages = this.shown?.extract?.pages ?? [];
    byId('pairs-from').textContent = pages.length === 0 ? '' : `made by ${pages[0].pairsFrom === 'model' ? "the model's key-value head" : 'the geometric rule (this model has no key-value head)'}`;
    for (const page of pages) {
      for (const pair of page.pairs) {
        const confidence = pair.confidence === null ? '' : ` (${percent(pair.confidence)})`;
        list.append(h('li', { 'data-pair': `${page.page}:${pair.keyIndex}` }, `${pair.key.text} → ${pair.value ? pair.value.text : '(no value)'}${confidence}`));
      }
    }
  }

  private renderClass(): void {
    const box = byId('class-scores');
    clear(box);
    const result = this.shown?.classify;
    if (!result) return;
    box.append(h('div', { class: 'top-class' }, `${result.document.label} · ${percent(result.document.confidence)}`, h('span', { class: 'status' }, ` (${result.model.id})`)));
    const sorted = Object.entries(result.document.scores).sort(([, a], [, b]) => b - a).slice(0, 8);
    for (const [label, score] of sorted) {
      box.append(h('div', { class: 'bar', 'data-class': label }, h('span', {}, label), h('span', {}, h('i', { style: `width: ${(score * 100).toFixed(1)}%` })), h('span', {}, percent(score))));
    }
  }

  private renderAnswers(): void {
    const list = byId('answers');
    clear(list);
    for (const answer of this.shown?.ask?.answers ?? []) {
      if (answer.noAnswer) {
        list.append(h('li', { class: 'no-answer', 'data-answer': 'none' }, `${answer.question} — no answer (best span ${percent(answer.confidence)})`));
        continue;
      }
      const jump = h('button', { type: 'button' }, answer.answer ?? '');
      jump.addEventListener('click', () => document.querySelector('.answer-box')?.scrollIntoView({ block: 'center', behavior: 'smooth' }));
      list.append(h('li', { 'data-answer': answer.answer ?? '' }, `${answer.question} → `, jump, ` · ${percent(answer.confidence)} · page ${answer.page}`));
    }
  }

  private renderTimings(): void {
    const table = byId('timings');
    table.querySelectorAll('tr').forEach((row) => row.remove());
    const shown = this.shown;
    if (!shown) return;
    const rows: Array<[string, Timings | undefined]> = [['pages', shown.pagesTimings], ['extract', shown.extract?.timings], ['classify', shown.classify?.timings], ['ask', shown.ask?.timings]];
    const ms = (value: number | undefined) => (value === undefined ? '—' : value.toFixed(0));
    table.append(h('tr', {}, h('th', { scope: 'col' }, 'request'), h('th', { scope: 'col' }, 'decode'), h('th', { scope: 'col' }, 'OCR'), h('th', { scope: 'col' }, 'image'), h('th', { scope: 'col' }, 'model'), h('th', { scope: 'col' }, 'total')));
    for (const [name, timings] of rows) {
      if (!timings) continue;
      table.append(h('tr', { 'data-request': name }, h('td', {}, name + (timings.cacheHit ? ' (cached)' : '')), h('td', {}, ms(timings.decodeMs)), h('td', {}, ms(timings.ocrMs)), h('td', {}, ms(timings.imageEncoderMs)), h('td', {}, ms(timings.modelMs)), h('td', {}, ms(timings.totalMs))));
    }
  }

  private curl(): string {
    const shown = this.shown;
    if (!shown) return '';
    return curlCommand({ origin: location.origin, path: shown.lastRequest.path, fileName: shown.file.name, fields: shown.lastRequest.fields, withKey: Boolean(this.api.apiKey || this.api.adminKey) });
  }

  private renderRequest(): void {
    const shown = this.shown;
    const onScreen = shown && {
      pages: shown.pages.map(({ page, width, height }) => ({ page, width, height })),
      extract: shown.extract,
      classify: shown.classify,
      ask: shown.ask,
    };
    byId('json-view').textContent = onScreen ? JSON.stringify(onScreen, null, 2) : '';
    byId('curl-view').textContent = this.curl();
    byId<HTMLButtonElement>('copy-curl').disabled = !shown;
  }

  private async copyCurl(): Promise<void> {
    const status = byId('copy-status');
    try {
      await navigator.clipboard.writeText(this.curl());
      status.textContent = 'copied';
    } catch {
      // No clipboard permission (e.g. plain http on another host): select the text for Ctrl+C instead.
      const range = document.createRange();
      range.selectNodeContents(byId('curl-view'));
      getSelection()?.removeAllRanges();
      getSelection()?.addRange(range);
      status.textContent = 'selected: press Ctrl+C';
    }
  }
}

const centre = (box: Box): [number, number] => [(box[0] + box[2]) / 2, (box[1] + box[3]) / 2];

function rect(box: Box, attributes: Record<string, string>): SVGRectElement {
  const [x0, y0, x1, y1] = box;
  return svg('rect', { x: x0, y: y0, width: Math.max(1, x1 - x0), height: Math.max(1, y1 - y0), ...attributes });
}

const entityText = (entity: Entity) => `${entity.label} · ${percent(entity.confidence)} · ${entity.text}`;

