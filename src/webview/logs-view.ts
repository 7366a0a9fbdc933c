// Logs tab: one row per proxied request; filter by text and errors. Prompt bodies appear only
// when the host sends them (the user opted in to body logging).
import type { RequestLogEntry } from '../core/proxy-types.ts';
import { formatDuration, formatTime, h, replace } from './dom.ts';
import { CLIENT_CLOSED_STATUS, isErrorStatus } from '../core/observe/request-outcome.ts';
import type { Store } from './store.ts';
import type { UiState } from './transport.ts';

const SHOWN = 500;

export class LogsView {
  readonly root: HTMLElement;
  private readonly body: HTMLTableSectionElement;
  private readonly count: HTMLElement;
  private readonly filterInput: HTMLInputElement;
  private readonly errorsOnly: HTMLInputElement;
  private expanded: string | undefined;
  private scheduled = false;
  private readonly store: Store;

  constructor(store: Store, state: UiState, onState: (s: Partial<UiState>) => void) {
    this.store = store;
    this.filterInput = h('input', { type: 'search', placeholder: 'Filter: path, model, account, status…', 'aria-label': 'Filter logs', class: 'filter' });
    this.filterInput.value = state.filter ?? '';
    this.errorsOnly = h('input', { type: 'checkbox', id: 'errors-only' });
    this.errorsOnly.checked = state.errorsOnly ?? false;
    this.count = h('span', { class: 'muted count' });
    this.body = h('tbody');
    const table = h(
      'table',
      { class: 'logs', 'aria-label': 'Request log' },
      h('thead', {}, h('tr', {}, ...['Time', 'Path', 'Model', 'Account', 'Status', 'Duration', 'Tokens'].map((t) => h('th', { scope: 'col' }, t)))),
      this.body,
    );
    this.root = h(
      'section',
      { class: 'view logs-view', 'aria-label': 'Logs' },
      h('div', { class: 'toolbar' }, this.filterInput, h('label', { for: 'errors-only', class: 'check' }, this.errorsOnly, ' Errors only'), this.count),
      h('div', { class: 'table-wrap' }, table),
    );
    // Listeners once, here; rendering only rebuilds rows.
    this.filterInput.addEventListener('input', () => {
      onState({ filter: this.filterInput.value });
      this.render();
    });
    this.errorsOnly.addEventListener('change', () => {
      onState({ errorsOnly: this.errorsOnly.checked });
      this.render();
    });
    this.body.addEventListener('click', (e) => {
      const row = (e.target as Element).closest<HTMLElement>('tr[data-id]');
      if (!row) return;
      this.expanded = this.expanded === row.dataset['id'] ? undefined : row.dataset['id'];
      this.render();
    });
    this.body.addEventListener('keydown', (e) => {
      if (e.key !== 'Enter' && e.key !== ' ') return;
      const row = (e.target as Element).closest<HTMLElement>('tr[data-id]');
      if (!row) return;
      e.preventDefault();
      this.expanded = this.expanded === row.dataset['id'] ? undefined : row.dataset['id'];
      this.render();
    });
    store.on('logs', () => this.schedule());
    store.on('accounts', () => this.schedule());
    this.render();
  }

  private schedule(): void {
    if (this.scheduled) return;
    this.scheduled = true;
    requestAnimationFrame(() => {
      this.scheduled = false;
      this.render();
    });
  }

  private matches(e: RequestLogEntry, q: string): boolean {
    if (this.errorsOnly.checked && !isErrorStatus(e.status)) return false;
    if (!q) return true;
    const hay = [
      e.route,
      e.method,
      e.modelRequested,
      e.modelSent,
      this.store.accountLabel(e.accountId),
      String(e.status),
      e.status === CLIENT_CLOSED_STATUS ? 'aborted' : '',
      e.errorClass,
      e.errorMessage,
      e.dialect,
    ]
      .filter(Boolean)
      .join(' ')
      .toLowerCase();
    return q.split(/\s+/).every((t) => hay.includes(t));
  }

  render(): void {
    const q = this.filterInput.value.trim().toLowerCase();
    const all = this.store.logs;
    const rows = all
      .filter((e) => this.matches(e, q))
      .reverse()
      .slice(0, SHOWN);
    this.count.textContent = `${rows.length} of ${all.length}`;
    if (rows.length === 0) {
      replace(
        this.body,
        h(
          'tr',
          {},
          h(
            'td',
            { colspan: 7, class: 'empty' },
            all.length ? 'No request matches the filter.' : 'No requests yet. Point a client at the proxy and they appear here.',
          ),
        ),
      );
      return;
    }
    const out: HTMLTableRowElement[] = [];
    for (const e of rows) {
      const model =
        e.modelRequested && e.modelSent && e.modelRequested !== e.modelSent ? `${e.modelRequested} → ${e.modelSent}` : (e.modelRequested ?? e.modelSent ?? '—');
      const tokens = e.inputTokens !== undefined || e.outputTokens !== undefined ? `${e.inputTokens ?? 0} / ${e.outputTokens ?? 0}` : '—';
      const open = this.expanded === e.id;
      out.push(
        h(
          'tr',
          {
            'data-id': e.id,
            class: `row ${isErrorStatus(e.status) ? 'err' : e.status === CLIENT_CLOSED_STATUS ? 'aborted' : ''}`,
            tabindex: 0,
            'aria-expanded': open ? 'true' : 'false',
          },
          h('td', { class: 'mono' }, formatTime(e.time)),
          h('td', { class: 'mono' }, `${e.route}${e.stream ? ' ⇣' : ''}`),
          h('td', {}, model),
          h('td', {}, this.store.accountLabel(e.accountId)),
          statusCell(e.status),
          h('td', { class: 'num' }, formatDuration(e.durationMs)),
          h('td', { class: 'num' }, tokens),
        ),
      );
      if (open) out.push(h('tr', { class: 'detail' }, h('td', { colspan: 7 }, this.detail(e))));
    }
    replace(this.body, ...out);
  }

  private detail(e: RequestLogEntry): HTMLElement {
    const dl = h('dl', { class: 'kv' });
    const add = (k: string, v: string | number | undefined | boolean) => {
      if (v === undefined || v === '') return;
      dl.append(h('dt', {}, k), h('dd', {}, String(v)));
    };
    add('Request id', e.id);
    // Also here because the narrow side bar hides their columns.
    add(
      'Model',
      e.modelRequested && e.modelSent && e.modelRequested !== e.modelSent ? `${e.modelRequested} → ${e.modelSent}` : (e.modelRequested ?? e.modelSent),
    );
    add('Account', e.accountId ? this.store.accountLabel(e.accountId) : undefined);
    add('Tokens in / out', e.inputTokens !== undefined || e.outputTokens !== undefined ? `${e.inputTokens ?? 0} / ${e.outputTokens ?? 0}` : undefined);
    add('Dialect', e.dialect);
    add('Model', e.modelRequested && e.modelSent && e.modelRequested !== e.modelSent ? `${e.modelRequested} (asked) → ${e.modelSent} (served)` : undefined);
    add('First token', e.firstTokenMs !== undefined ? formatDuration(e.firstTokenMs) : undefined);
    add('Credits', e.credits);
    add('Truncated turns', e.truncatedTurns);
    add('Repairs', e.rules?.join(', '));
    add('Dropped tools (cannot run here)', e.ignoredTools?.join(', '));
    add('Cached', e.cached ? 'yes' : undefined);
    add('Error', e.errorClass ? `${e.errorClass}: ${e.errorMessage ?? ''}` : e.errorMessage);
    const box = h('div', {}, dl);
    if (e.requestBody) box.append(h('h4', {}, 'Request body'), h('pre', {}, e.requestBody));
    if (e.responseBody) box.append(h('h4', {}, 'Response body'), h('pre', {}, e.responseBody));
    return box;
  }
}

/** 499 reads "499 aborted": the client gave up, which is not an error. */
function statusCell(status: number): HTMLTableCellElement {
  if (status === CLIENT_CLOSED_STATUS)
    return h('td', { class: 'status aborted', title: 'Client closed the request before the answer was complete' }, '499 aborted');
  return h('td', { class: `status s${Math.floor(status / 100)}` }, String(status));
}
