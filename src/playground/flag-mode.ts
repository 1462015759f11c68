/**
 * Flag mode answers "why did this user get that?": with an admin or read-only key (kept in
 * sessionStorage only) pick a flag and an environment, and see the gateway's own explanation of the
 * evaluation: which rule matched, each rule's trace, the rollout bucket, the variation served and why.
 */
import { ApiError, type Explanation, explainEvaluation, listEnvironments, listFlags } from './api.js';
import { h } from './dom.js';
import { verdictFor } from './flag-explanation-text.js';
import { renderExplanation } from './flag-explanation-view.js';
import { readKey, storeKey } from './flag-key-storage.js';
import { destroyConditionViews, type FlagModeState, initialState } from './flag-mode-state.js';
import { fillEnvironments, fillFlags, findPickers, type FlagPickers, setStatus } from './flag-pickers.js';
import type { JsonResult } from './json-check.js';
import { LatestRequest } from './latest.js';
import { type Verdict, renderVerdict } from './rule-result.js';

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

/** Why flags could not be loaded, in words a user can act on. */
function connectionError(error: unknown): string {
  if (error instanceof ApiError && (error.code === 'UNAUTHENTICATED' || error.status === 401)) return 'That key was not accepted (unknown or revoked).';
  if (error instanceof ApiError && error.code === 'FORBIDDEN') return 'That key may not read flags: use an admin or read-only key.';
  return `Could not load flags: ${error instanceof Error ? error.message : String(error)}`;
}

/** Flag mode over its state (flag-mode-state.ts), its controls (flag-pickers.ts) and its result panel (flag-explanation-view.ts). */
export function createFlagMode(options: FlagModeOptions): FlagMode {
  const pickers: FlagPickers = findPickers();
  const { flagSelect, envSelect } = pickers;
  const state: FlagModeState = initialState(readKey(), options.initialFlag, options.initialEnvironment);
  pickers.keyInput.value = state.key;
  const requests = new LatestRequest<Explanation>(150, options.setBusy);

  const clearResult = (verdict: Verdict, note?: string) => {
    requests.cancel();
    destroyConditionViews(state);
    renderVerdict(options.verdict, verdict);
    options.body.replaceChildren(...(note ? [h('p', { class: 'note' }, note)] : []));
  };

  const showNoKey = () => {
    state.flags = [];
    state.environments = [];
    fillFlags(pickers, state);
    const { wantedFlag, wantedEnvironment } = state;
    setStatus(pickers, wantedFlag ? `This link shows flag ${wantedFlag}${wantedEnvironment ? ` in ${wantedEnvironment}` : ''}: enter an admin or read-only key to load it.` : 'Enter an admin or read-only key to load the flags.');
    if (state.active) {
      clearResult(
        { tone: 'neutral', title: 'No key yet', detail: 'flag mode needs an admin or read-only key' },
        'Flag mode evaluates real flags through the gateway, exactly as an SDK would be answered: enter an admin or read-only API key on the left.',
      );
    }
  };

  const connected = (loadedFlags: typeof state.flags, loadedEnvironments: typeof state.environments) => {
    state.loading = null;
    state.flags = loadedFlags.filter((flag) => !flag.archived);
    state.environments = loadedEnvironments;
    fillFlags(pickers, state);
    const { flags, environments, wantedFlag } = state;
    setStatus(pickers, `${flags.length} flag${flags.length === 1 ? '' : 's'}, ${environments.length} environment${environments.length === 1 ? '' : 's'}.`);
    if (wantedFlag && !flags.some((flag) => flag.key === wantedFlag)) setStatus(pickers, `Flag ${wantedFlag} was not found; showing ${flagSelect.value || 'nothing'}.`, 'error');
    state.wantedFlag = undefined;
    state.wantedEnvironment = undefined;
    options.onSelection(flagSelect.value || undefined, envSelect.value || undefined);
    evaluate(0);
  };

  const notConnected = (error: unknown) => {
    state.loading = null;
    state.flags = [];
    fillFlags(pickers, state);
    const message = connectionError(error);
    setStatus(pickers, message, 'error');
    if (state.active) clearResult({ tone: 'error', title: 'Not connected', detail: message });
  };

  const connect = (): Promise<void> => {
    if (!state.key) {
      showNoKey();
      return Promise.resolve();
    }
    setStatus(pickers, 'Loading flags…');
    if (state.active) clearResult({ tone: 'neutral', title: 'Loading flags…' });
    const used = state.key;
    // A key changed meanwhile makes this answer stale: only the latest key's answer is shown.
    state.loading = Promise.all([listFlags(used), listEnvironments(used)]).then(
      ([loadedFlags, loadedEnvironments]) => {
        if (used === state.key) connected(loadedFlags, loadedEnvironments);
      },
      (error: unknown) => {
        if (used === state.key) notConnected(error);
      },
    );
    return state.loading;
  };

  const showExplanation = (explanation: Explanation) => {
    destroyConditionViews(state);
    const flag = state.flags.find((candidate) => candidate.key === explanation.flagKey);
    const config = flag?.environments.find((env) => env.environment === explanation.environment);
    renderVerdict(options.verdict, verdictFor(explanation));
    state.conditionViews = renderExplanation(options.body, explanation, config, options.onEditRule);
  };

  const evaluate = (delay?: number) => {
    if (!state.active) return;
    const flag = flagSelect.value;
    const environment = envSelect.value;
    if (!state.key || !flag || !environment) {
      if (state.key && state.flags.length === 0 && !state.loading) clearResult({ tone: 'neutral', title: 'No flags', detail: 'there are no flags to evaluate' });
      return;
    }
    const context = options.context();
    if (!context.ok) return clearResult({ tone: 'neutral', title: 'Waiting for a valid context', detail: 'fix the context JSON to evaluate the flag' });
    const used = state.key;
    requests.schedule(
      (signal) => explainEvaluation(used, flag, environment, context.value, signal),
      showExplanation,
      (error) => {
        if (error instanceof DOMException && error.name === 'AbortError') return;
        clearResult({ tone: 'error', title: 'Evaluation failed', detail: error instanceof Error ? error.message : String(error) });
      },
      delay,
    );
  };

  const select = (flag: string | undefined, environment: string | undefined) => {
    if (state.flags.length === 0) {
      state.wantedFlag = flag;
      state.wantedEnvironment = environment;
      return;
    }
    if (flag && state.flags.some((candidate) => candidate.key === flag)) flagSelect.value = flag;
    state.wantedEnvironment = environment;
    fillEnvironments(pickers, state);
    state.wantedEnvironment = undefined;
    options.onSelection(flagSelect.value || undefined, envSelect.value || undefined);
    evaluate(0);
  };

  listen(pickers, state, connect, () => {
    options.onSelection(flagSelect.value || undefined, envSelect.value || undefined);
    evaluate(0);
  });

  return {
    activate() {
      state.active = true;
      pickers.section.hidden = false;
      if (!state.key || (state.flags.length === 0 && !state.loading)) void connect();
      else if (state.loading) clearResult({ tone: 'neutral', title: 'Loading flags…' });
      else evaluate(0);
    },
    deactivate() {
      state.active = false;
      pickers.section.hidden = true;
      requests.cancel();
      destroyConditionViews(state);
    },
    contextChanged() {
      evaluate();
    },
    select,
  };
}

/** The controls' events: a key submitted or forgotten reconnects; a picked flag or environment re-evaluates. */
function listen(pickers: FlagPickers, state: FlagModeState, connect: () => Promise<void>, selectionChanged: () => void): void {
  const { form, keyInput, forget, flagSelect, envSelect } = pickers;
  form.addEventListener('submit', (event) => {
    event.preventDefault();
    state.key = keyInput.value.trim();
    storeKey(state.key || null);
    if (flagSelect.value) state.wantedFlag = flagSelect.value;
    if (envSelect.value) state.wantedEnvironment = envSelect.value;
    void connect();
  });
  forget.addEventListener('click', () => {
    state.key = '';
    keyInput.value = '';
    storeKey(null);
    void connect();
    keyInput.focus();
  });
  flagSelect.addEventListener('change', () => {
    fillEnvironments(pickers, state);
    selectionChanged();
  });
  envSelect.addEventListener('change', selectionChanged);
}
