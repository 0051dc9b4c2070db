import { AdminView } from './admin-view.js';
import { AnalyseView } from './analyse-view.js';
import { Api } from './api.js';
import { byId } from './dom.js';

/** The Studio page: two views (Analyse, Admin) over one API client. */

const api = new Api();
const analyse = new AnalyseView(api);
const admin = new AdminView(api);

function selectTab(name: 'analyse' | 'admin'): void {
  for (const tab of ['analyse', 'admin'] as const) {
    const button = byId(`tab-${tab}`);
    const selected = tab === name;
    button.setAttribute('aria-selected', String(selected));
    button.tabIndex = selected ? 0 : -1;
    byId(`view-${tab}`).hidden = !selected;
  }
}

byId('tab-analyse').addEventListener('click', () => selectTab('analyse'));
byId('tab-admin').addEventListener('click', () => selectTab('admin'));
// Arrow keys move between tabs (WAI-ARIA tabs pattern).
byId('tab-analyse').parentElement?.addEventListener('keydown', (event) => {
  if (event.key !== 'ArrowRight' && event.key !== 'ArrowLeft') return;
  const next = byId('tab-analyse').getAttribute('aria-selected') === 'true' ? 'admin' : 'analyse';
  selectTab(next);
  byId(`tab-${next}`).focus();
});
byId('api-key-form').addEventListener('submit', (event) => event.preventDefault());
byId<HTMLInputElement>('api-key').addEventListener('input', (event) => (api.apiKey = (event.target as HTMLInputElement).value.trim()));

analyse.mount();
admin.mount();
