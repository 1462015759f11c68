/**
 * Flag mode answers "why did this user get that?": with an admin or read-only key (kept in
 * sessionStorage only) pick a flag and an environment, and see the gateway's own explanation of the
 * evaluation: which rule matched, each rule's trace, the rollout bucket, the variation served and why.
 */
import type { EditorView } from '@codemirror/view';
import { ApiError, type EnvironmentSummary, type Explanation, type FlagSummary, explainEvaluation, listEnvironments, listFlags } from './api.js';
import { h, shortJson } from './dom.js';
import { createEditor, showTraceSpan } from './editor.js';
import type { JsonResult } from './json-check.js';
import { LatestRequest } from './latest.js';
import { ruleLanguage } from './rule-language.js';
import { type Verdict, renderVerdict } from './rule-result.js';
import { asTrace, renderTraceTree } from './trace-tree.js';

const keyStorage = 'vexil.playground.apiKey';

type FlagEnvironmentConfig = FlagSummary['environments'][number];
type Serve = FlagEnvironmentConfig['defaultServe'];

export interface FlagModeOptions {
  initialFlag: string | undefined;
  initialEnvironment: string | undefined;
  context: () => JsonResult;
  verdict: HTMLElement;
  body: HTMLElement;
  setBusy: (busy: boolean) => void;
  /** The picked flag or environment changed (for the URL). */
  onSelection: (flag: string | undefined, environment: string | undefined) => void;
  /** "Open in rule editor" on a rule. */
  onEditRule: (condition: string) => void;
}

export interface FlagMode {
  activate(): void;
  deactivate(): void;
  contextChanged(): void;
  select(flag: string | undefined, environment: string | undefined): void;
}

function readKey(): string {
  try {
    return sessionStorage.getItem(keyStorage) ?? '';
  } catch {
    return '';
  }
}

function storeKey(key: string | null): void {
  try {
    if (key) sessionStorage.setItem(keyStorage, key);
    else sessionStorage.removeItem(keyStorage);
  } catch {
    // Storage disabled: the key lives in the input only.
  }
}

function percent(weight: number): string {
  return `${Number((weight / 1000).toFixed(3))}%`;
}

function describeServe(serve: Serve | undefined, fallbackVariation: string | null): string {
  if (serve?.rollout) return `rollout: ${serve.rollout.weights.map((w) => `${w.variation} ${percent(w.weight)}`).join(' / ')} by ${serve.rollout.bucketBy}`;
  const variation = serve?.variation ?? fallbackVariation;
  return variation ? `serves “${variation}”` : 'serves a rollout';
}

function explainReason(explanation: Explanation, config: FlagEnvironmentConfig | undefined): string {
  const { result, rollout } = explanation;
  const ruleName = (index: number | null | undefined) => {
    if (index === null || index === undefined) return 'the default rule';
    const rule = explanation.rules[index];
    return `rule ${index + 1}${rule ? ` (${rule.description ?? rule.id})` : ''}`;
  };
  switch (result.reason) {
    case 'DISABLED':
    case 'OFF': // deprecated alias of DISABLED, from a gateway of the previous release
      return `The flag is off in ${explanation.environment}, so it serves its off variation “${config?.offVariation ?? result.variation ?? '?'}”.`;
    case 'TARGETING_MATCH':
    case 'RULE_MATCH': // deprecated alias of TARGETING_MATCH
      return `${capitalise(ruleName(result.ruleIndex))} matched, and it serves “${result.variation ?? '?'}”.`;
    case 'SPLIT': {
      const where = result.ruleIndex === null || result.ruleIndex === undefined ? 'No rule matched; the default serve is a percentage rollout' : `${capitalise(ruleName(result.ruleIndex))} matched and serves a percentage rollout`;
      return rollout?.bucket !== null && rollout?.bucket !== undefined
        ? `${where}: ${rollout.bucketBy} ${shortJson(rollout.bucketValue)} is in bucket ${rollout.bucket}, which falls in the “${result.variation ?? '?'}” slice.`
        : `${where}.`;
    }
    case 'DEFAULT':
      return `No rule matched, so the default variation “${result.variation ?? '?'}” is served.`;
    case 'ERROR':
      return `${result.errorCode ?? 'ERROR'}: ${result.errorMessage ?? 'the evaluation failed'}.`;
  }
}

function capitalise(text: string): string {
  return text.charAt(0).toUpperCase() + text.slice(1);
}

function verdictFor(explanation: Explanation): Verdict {
  const { result } = explanation;
  if (result.reason === 'ERROR') return { tone: 'error', title: 'Evaluation error', detail: result.errorCode ?? undefined };
  const title = `Serves “${result.variation ?? '?'}”`;
  const detail = `value ${shortJson(result.value)} · reason ${result.reason}`;
  return { tone: result.reason === 'DISABLED' || result.reason === 'OFF' ? 'nomatch' : 'info', title, detail };
}

export function createFlagMode(options: FlagModeOptions): FlagMode {
  const section = document.getElementById('flag-section')!;
  const form = document.getElementById('key-form') as HTMLFormElement;
  const keyInput = document.getElementById('api-key') as HTMLInputElement;
  const forget = document.getElementById('forget-key') as HTMLButtonElement;
  const flagSelect = document.getElementById('flag-select') as HTMLSelectElement;
  const envSelect = document.getElementById('env-select') as HTMLSelectElement;
  const status = document.getElementById('flag-status')!;

  let active = false;
  let key = readKey();
  keyInput.value = key;
  let flags: FlagSummary[] = [];
  let environments: EnvironmentSummary[] = [];
  let wantedFlag = options.initialFlag;
  let wantedEnvironment = options.initialEnvironment;
  let loading: Promise<void> | null = null;
  let conditionViews: EditorView[] = [];
  const requests = new LatestRequest<Explanation>(150, options.setBusy);

  const setStatus = (text: string, tone: 'info' | 'error' = 'info') => {
    status.textContent = text;
    status.className = `status-line status-${tone}`;
  };
  const selectedFlag = () => flags.find((flag) => flag.key === flagSelect.value);

  const fillEnvironments = () => {
    const flag = selectedFlag();
    const keys = flag ? flag.environments.map((env) => env.environment) : environments.map((env) => env.key);
    const current = wantedEnvironment ?? envSelect.value;
    envSelect.replaceChildren(...keys.map((envKey) => h('option', { value: envKey }, envKey)));
    if (current && keys.includes(current)) envSelect.value = current;
    else if (keys.includes('production')) envSelect.value = 'production';
    envSelect.disabled = keys.length === 0;
  };

  const fillFlags = () => {
    flagSelect.replaceChildren(
      ...flags.map((flag) => h('option', { value: flag.key }, flag.name && flag.name !== flag.key ? `${flag.key} — ${flag.name}` : flag.key)),
    );
    if (wantedFlag && flags.some((flag) => flag.key === wantedFlag)) flagSelect.value = wantedFlag;
    flagSelect.disabled = flags.length === 0;
    fillEnvironments();
  };

  const clearResult = (verdict: Verdict, note?: string) => {
    requests.cancel();
    destroyConditionViews();
    renderVerdict(options.verdict, verdict);
    options.body.replaceChildren(...(note ? [h('p', { class: 'note' }, note)] : []));
  };

  const destroyConditionViews = () => {
    for (const view of conditionViews) view.destroy();
    conditionViews = [];
  };

  const connect = (): Promise<void> => {
    if (!key) {
      flags = [];
      environments = [];
      fillFlags();
      setStatus(wantedFlag ? `This link shows flag ${wantedFlag}${wantedEnvironment ? ` in ${wantedEnvironment}` : ''}: enter an admin or read-only key to load it.` : 'Enter an admin or read-only key to load the flags.');
      if (active) {
        clearResult(
          { tone: 'neutral', title: 'No key yet', detail: 'flag mode needs an admin or read-only key' },
          'Flag mode evaluates real flags through the gateway, exactly as an SDK would be answered: enter an admin or read-only API key on the left.',
        );
      }
      return Promise.resolve();
    }
    setStatus('Loading flags…');
    if (active) clearResult({ tone: 'neutral', title: 'Loading flags…' });
    const used = key;
    loading = Promise.all([listFlags(used), listEnvironments(used)]).then(
      ([loadedFlags, loadedEnvironments]) => {
        if (used !== key) return;
        loading = null;
        flags = loadedFlags.filter((flag) => !flag.archived);
        environments = loadedEnvironments;
        fillFlags();
        setStatus(`${flags.length} flag${flags.length === 1 ? '' : 's'}, ${environments.length} environment${environments.length === 1 ? '' : 's'}.`);
        if (wantedFlag && !flags.some((flag) => flag.key === wantedFlag)) setStatus(`Flag ${wantedFlag} was not found; showing ${flagSelect.value || 'nothing'}.`, 'error');
        wantedFlag = undefined;
        wantedEnvironment = undefined;
        options.onSelection(flagSelect.value || undefined, envSelect.value || undefined);
        evaluate(0);
      },
      (error: unknown) => {
        if (used !== key) return;
        loading = null;
        flags = [];
        fillFlags();
        const message = error instanceof ApiError && (error.code === 'UNAUTHENTICATED' || error.status === 401) ? 'That key was not accepted (unknown or revoked).' : error instanceof ApiError && error.code === 'FORBIDDEN' ? 'That key may not read flags: use an admin or read-only key.' : `Could not load flags: ${error instanceof Error ? error.message : String(error)}`;
        setStatus(message, 'error');
        if (active) clearResult({ tone: 'error', title: 'Not connected', detail: message });
      },
    );
    return loading;
  };

  const evaluate = (delay?: number) => {
    if (!active) return;
    const flag = flagSelect.value;
    const environment = envSelect.value;
    if (!key || !flag || !environment) {
      if (key && flags.length === 0 && !loading) clearResult({ tone: 'neutral', title: 'No flags', detail: 'there are no flags to evaluate' });
      return;
    }
    const context = options.context();
    if (!context.ok) return clearResult({ tone: 'neutral', title: 'Waiting for a valid context', detail: 'fix the context JSON to evaluate the flag' });
    const used = key;
    requests.schedule(
      (signal) => explainEvaluation(used, flag, environment, context.value, signal),
      (explanation) => renderExplanation(explanation),
      (error) => {
        if (error instanceof DOMException && error.name === 'AbortError') return;
        clearResult({ tone: 'error', title: 'Evaluation failed', detail: error instanceof Error ? error.message : String(error) });
      },
      delay,
    );
  };

  const renderExplanation = (explanation: Explanation) => {
    destroyConditionViews();
    const flag = flags.find((candidate) => candidate.key === explanation.flagKey);
    const config = flag?.environments.find((env) => env.environment === explanation.environment);
    renderVerdict(options.verdict, verdictFor(explanation));
    const { result, rollout } = explanation;

    const summary = h(
      'section',
      { class: 'result-section' },
      h('h3', {}, 'Why'),
      h('p', { class: 'reason', 'data-reason': result.reason }, explainReason(explanation, config)),
      h(
        'dl',
        { class: 'facts' },
        h('dt', {}, 'Variation'),
        h('dd', {}, h('code', {}, result.variation ?? '—'), ' = ', h('code', {}, shortJson(result.value))),
        h('dt', {}, 'Reason'),
        h('dd', {}, h('code', {}, result.reason), result.errorCode ? ` (${result.errorCode})` : ''),
        h('dt', {}, 'Flag'),
        h('dd', {}, `${explanation.flagKey} is `, h('strong', {}, explanation.on ? 'on' : 'off'), ` in ${explanation.environment} · version ${explanation.flagVersion}`),
      ),
    );

    const ruleCards = explanation.rules.map((rule) => {
      const matched = explanation.matchedRuleIndex === rule.index;
      const state = matched ? 'matched' : rule.evaluated ? 'not matched' : 'not evaluated';
      const stateClass = matched ? 'matched' : rule.evaluated ? 'unmatched' : 'skipped';
      const serve = config?.rules[rule.index]?.serve;
      const conditionHost = h('div', { class: 'condition' });
      const card = h(
        'li',
        { class: `rule-card rule-${stateClass}`, 'data-rule-index': rule.index, 'data-status': stateClass, 'aria-current': matched ? 'true' : null },
        h(
          'div',
          { class: 'rule-head' },
          h('span', { class: 'rule-number' }, `Rule ${rule.index + 1}`),
          h('span', { class: 'rule-title' }, rule.description ?? rule.id, rule.description ? h('span', { class: 'muted' }, ` · ${rule.id}`) : null),
          h('span', { class: `badge badge-${stateClass}` }, state),
        ),
        conditionHost,
        h(
          'div',
          { class: 'rule-foot' },
          h('span', { class: 'serve' }, describeServe(serve, rule.serveVariation)),
          h('button', { type: 'button', class: 'button button-small', onclick: () => options.onEditRule(rule.condition) }, 'Open in rule editor'),
        ),
      );
      const view = createEditor({ parent: conditionHost, doc: rule.condition, language: ruleLanguage, label: `Rule ${rule.index + 1} condition`, readOnly: true });
      conditionViews.push(view);
      const trace = asTrace(rule.trace);
      if (trace) {
        const details = h(
          'details',
          { class: 'rule-trace', open: rule.evaluated },
          h('summary', {}, 'Trace'),
          renderTraceTree(trace, { label: `Rule ${rule.index + 1} trace`, onSpan: (span) => showTraceSpan(view, span) }),
        );
        card.append(details);
      }
      return card;
    });

    const defaultApplies = explanation.on && explanation.matchedRuleIndex === null && result.reason !== 'ERROR';
    const defaultCard = h(
      'li',
      { class: `rule-card rule-default ${defaultApplies ? 'rule-matched' : 'rule-skipped'}`, 'data-status': defaultApplies ? 'matched' : 'skipped', 'aria-current': defaultApplies ? 'true' : null },
      h(
        'div',
        { class: 'rule-head' },
        h('span', { class: 'rule-number' }, 'Default'),
        h('span', { class: 'rule-title' }, 'when no rule matches'),
        h('span', { class: `badge badge-${defaultApplies ? 'matched' : 'skipped'}` }, defaultApplies ? 'applied' : 'not used'),
      ),
      h('div', { class: 'rule-foot' }, h('span', { class: 'serve' }, describeServe(config?.defaultServe, null))),
    );

    const rules = h(
      'section',
      { class: 'result-section' },
      h('h3', {}, 'Rules, in order'),
      explanation.on ? null : h('p', { class: 'note' }, 'The flag is off in this environment: rules are not evaluated.'),
      h('ol', { class: 'rule-list' }, ...ruleCards, defaultCard),
    );

    const parts: HTMLElement[] = [summary];
    if (rollout) parts.push(renderRollout(rollout));
    parts.push(rules);
    options.body.replaceChildren(...parts);
  };

  const select = (flag: string | undefined, environment: string | undefined) => {
    if (flags.length === 0) {
      wantedFlag = flag;
      wantedEnvironment = environment;
      return;
    }
    if (flag && flags.some((candidate) => candidate.key === flag)) flagSelect.value = flag;
    wantedEnvironment = environment;
    fillEnvironments();
    wantedEnvironment = undefined;
    options.onSelection(flagSelect.value || undefined, envSelect.value || undefined);
    evaluate(0);
  };

  form.addEventListener('submit', (event) => {
    event.preventDefault();
    key = keyInput.value.trim();
    storeKey(key || null);
    if (flagSelect.value) wantedFlag = flagSelect.value;
    if (envSelect.value) wantedEnvironment = envSelect.value;
    void connect();
  });
  forget.addEventListener('click', () => {
    key = '';
    keyInput.value = '';
    storeKey(null);
    void connect();
    keyInput.focus();
  });
  flagSelect.addEventListener('change', () => {
    fillEnvironments();
    options.onSelection(flagSelect.value || undefined, envSelect.value || undefined);
    evaluate(0);
  });
  envSelect.addEventListener('change', () => {
    options.onSelection(flagSelect.value || undefined, envSelect.value || undefined);
    evaluate(0);
  });

  return {
    activate() {
      active = true;
      section.hidden = false;
      if (!key || (flags.length === 0 && !loading)) void connect();
      else if (loading) clearResult({ tone: 'neutral', title: 'Loading flags…' });
      else evaluate(0);
    },
    deactivate() {
      active = false;
      section.hidden = true;
      requests.cancel();
      destroyConditionViews();
    },
    contextChanged() {
      evaluate();
    },
    select,
  };
}

function renderRollout(rollout: NonNullable<Explanation['rollout']>): HTMLElement {
  const bucket = rollout.bucket;
  const bar = h(
    'div',
    { class: 'rollout-bar', role: 'img', 'aria-label': `Slices: ${rollout.slices.map((s) => `${s.variation} from ${s.from} to ${s.to}`).join(', ')}${bucket !== null ? `; this context is at ${bucket}` : ''}` },
    ...rollout.slices.map((slice, index) =>
      h(
        'div',
        { class: `rollout-slice slice-${index % 4}${rollout.variation === slice.variation ? ' is-served' : ''}`, style: `flex-grow: ${Math.max(slice.to - slice.from, 0)}` },
        h('span', {}, `${slice.variation} ${percent(slice.weight)}`),
      ),
    ),
    bucket !== null ? h('div', { class: 'rollout-marker', style: `left: ${Math.min(Math.max(bucket, 0), 100)}%` }) : null,
  );
  return h(
    'section',
    { class: 'result-section' },
    h('h3', {}, 'Rollout'),
    bar,
    h(
      'dl',
      { class: 'facts' },
      h('dt', {}, 'Bucketed by'),
      h('dd', {}, h('code', {}, rollout.bucketBy), ' = ', h('code', {}, shortJson(rollout.bucketValue ?? null))),
      h('dt', {}, 'Bucket'),
      h('dd', {}, bucket === null ? 'none (the attribute is missing or not a string or number)' : `${bucket} of [0, 100)`),
      h('dt', {}, 'In rollout'),
      h('dd', { 'data-in-rollout': String(rollout.inRollout) }, rollout.inRollout === null ? '—' : rollout.inRollout ? 'yes' : 'no', rollout.variation ? ` → “${rollout.variation}”` : ''),
    ),
  );
}
