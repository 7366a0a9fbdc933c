// Settings tab: what a dashboard may change (never host, port or the API key).
import { SELECTION_STRATEGIES, type ConfigPatch, type PublicConfig } from '../core/admin/protocol.ts';
import { TRUNCATION_STRATEGIES, TRUNCATION_STRATEGY_INFO } from '../core/admin/truncation-strategy.ts';
import { SELECTION_STRATEGY_INFO } from '../core/admin/account-labels.ts';
import { facts, valueSchema } from '../core/config/schema.ts';
import { h, replace } from './dom.ts';
import type { Store } from './store.ts';
import type { Transport } from './transport.ts';

const cooldownBounds = facts(valueSchema('cooldownSeconds'));

export class SettingsView {
  readonly root: HTMLElement;
  private readonly form: HTMLFormElement;
  private readonly info = h('dl', { class: 'kv' });
  private readonly message = h('p', { class: 'message', role: 'status' });
  private readonly selection = h('select', { id: 'set-selection' });
  private readonly truncation = h('select', { id: 'set-truncation' });
  private readonly cooldown = h('input', { id: 'set-cooldown', type: 'number', min: cooldownBounds.min ?? 0, max: cooldownBounds.max ?? 86_400, step: 1 });
  private readonly logBodies = h('input', { id: 'set-logbodies', type: 'checkbox' });
  private readonly fallback = h('input', { id: 'set-fallback', type: 'text', spellcheck: 'false', placeholder: 'none: unknown names get 404' });
  private readonly modelMap = h('textarea', { id: 'set-modelmap', rows: 4, spellcheck: 'false', placeholder: '{ "gpt-4o": "claude-sonnet-4.5" }' });
  private readonly store: Store;
  private readonly transport: Transport;

  constructor(store: Store, transport: Transport) {
    this.store = store;
    this.transport = transport;
    for (const v of SELECTION_STRATEGIES)
      this.selection.append(h('option', { value: v, title: SELECTION_STRATEGY_INFO[v].detail }, SELECTION_STRATEGY_INFO[v].label));
    for (const v of TRUNCATION_STRATEGIES)
      this.truncation.append(h('option', { value: v, title: TRUNCATION_STRATEGY_INFO[v].detail }, TRUNCATION_STRATEGY_INFO[v].label));
    const field = (label: string, control: HTMLElement, hint?: string) =>
      h('div', { class: 'field' }, h('label', { for: control.id }, label), control, hint ? h('p', { class: 'muted small' }, hint) : null);
    const save = h('button', { type: 'submit' }, 'Save');
    this.form = h(
      'form',
      { class: 'settings' },
      field('Account selection', this.selection, 'Which account serves the next request.'),
      field('Cooldown after rate limit (seconds)', this.cooldown),
      field('Truncation strategy', this.truncation, 'What to do with conversations longer than Kiro accepts.'),
      h(
        'div',
        { class: 'field' },
        h('label', { for: 'set-logbodies', class: 'check' }, this.logBodies, ' Log prompt and response bodies'),
        h('p', { class: 'muted small' }, 'Off by default. When on, request content is kept in memory and shown in Logs.'),
      ),
      field('Model mapping (JSON)', this.modelMap, 'Client model name → Kiro model id, on top of the built-in mapping.'),
      field('Fallback model', this.fallback, 'Serves model names the proxy cannot place (empty: they get 404 model_not_found).'),
      // The answer appears next to the button that was just pressed, not below the fold.
      h('div', { class: 'actions' }, save, this.message),
    );
    this.form.addEventListener('submit', (e) => {
      e.preventDefault();
      void this.save();
    });
    const extra = h('div', { class: 'actions' });
    if (transport.commands) {
      const open = h('button', { type: 'button', class: 'secondary' }, 'All settings…');
      const client = h('button', { type: 'button', class: 'secondary' }, 'Configure a client…');
      open.addEventListener('click', () => transport.command('openSettings'));
      client.addEventListener('click', () => transport.command('configureClient'));
      extra.append(open, client);
    }
    this.root = h(
      'section',
      { class: 'view settings-view', 'aria-label': 'Settings' },
      h('div', { class: 'card' }, h('h3', {}, 'Proxy'), this.info, extra),
      h('div', { class: 'card' }, h('h3', {}, 'Behaviour'), this.form),
    );
    store.on('config', () => this.fill());
    this.fill();
  }

  private fill(): void {
    const c = this.store.config;
    if (!c) return;
    replace(
      this.info,
      ...(
        [
          ['Listens on', `${c.host}:${c.port}`],
          ['API key', c.apiKeyRequired ? 'required' : 'not required'],
          ['Upstream', c.mock ? 'simulated (mock mode)' : 'Kiro'],
          ['SSO cache', c.ssoCache],
        ] as const
      ).flatMap(([k, v]) => [h('dt', {}, k), h('dd', {}, v)]),
    );
    this.selection.value = c.selectionStrategy;
    this.truncation.value = c.truncationStrategy;
    this.cooldown.value = String(c.cooldownSeconds);
    this.logBodies.checked = c.logBodies;
    this.modelMap.value = Object.keys(c.modelMap).length ? JSON.stringify(c.modelMap, null, 2) : '';
    this.fallback.value = c.fallbackModel;
  }

  private async save(): Promise<void> {
    const c = this.store.config;
    if (!c) return;
    const patch: ConfigPatch = {};
    if (this.selection.value !== c.selectionStrategy) patch.selectionStrategy = this.selection.value as PublicConfig['selectionStrategy'];
    if (this.truncation.value !== c.truncationStrategy) patch.truncationStrategy = this.truncation.value as PublicConfig['truncationStrategy'];
    const cd = Number(this.cooldown.value);
    if (Number.isInteger(cd) && cd !== c.cooldownSeconds) patch.cooldownSeconds = cd;
    if (this.logBodies.checked !== c.logBodies) patch.logBodies = this.logBodies.checked;
    const text = this.modelMap.value.trim();
    let map: Record<string, string> = {};
    if (text) {
      try {
        map = JSON.parse(text) as Record<string, string>;
      } catch {
        this.message.textContent = 'Model mapping is not valid JSON.';
        return;
      }
    }
    if (JSON.stringify(map) !== JSON.stringify(c.modelMap)) patch.modelMap = map;
    if (this.fallback.value.trim() !== c.fallbackModel) patch.fallbackModel = this.fallback.value.trim();
    if (Object.keys(patch).length === 0) {
      this.message.textContent = 'Nothing changed.';
      return;
    }
    try {
      this.store.config = await this.transport.call('config.update', patch);
      this.store.emit('config');
      this.message.textContent = 'Saved.';
    } catch (err) {
      this.message.textContent = `Not saved: ${(err as Error).message}`;
    }
  }
}
