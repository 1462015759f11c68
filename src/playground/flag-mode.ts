/**
 * Flag mode answers "why did this user get that?": with an admin or read-only key (kept in
 * sessionStorage only) pick a flag and an environment, and see the gateway's own explanation of the
 * evaluation: which rule matched, each rule's trace, the rollout bucket, the variation served and why.
 */
import type { EditorView } from '@codemirror/view';
import { ApiError, type EnvironmentSummary, type Explanation, type FlagSummary, explainEvaluation, listEnvironments, listFlags } from './api.js';
import { h } from './dom.js';
import { renderExplanation } from './flag-explanation.js';
import { verdictFor } from './flag-reasons.js';
import type { JsonResult } from './json-check.js';
import { LatestRequest } from './latest.js';
import { type Verdict, renderVerdict } from './rule-result.js';

const keyStorage = 'vexil.playground.apiKey';

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
      (explanation) => showExplanation(explanation),
      (error) => {
        if (error instanceof DOMException && error.name === 'AbortError') return;
        clearResult({ tone: 'error', title: 'Evaluation failed', detail: error instanceof Error ? error.message : String(error) });
      },
      delay,
    );
  };

  const showExplanation = (explanation: Explanation) => {
    destroyConditionViews();
    const flag = flags.find((candidate) => candidate.key === explanation.flagKey);
    const config = flag?.environments.find((env) => env.environment === explanation.environment);
    renderVerdict(options.verdict, verdictFor(explanation));
    const { parts, views } = renderExplanation(explanation, config, options.onEditRule);
    conditionViews = views;
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
