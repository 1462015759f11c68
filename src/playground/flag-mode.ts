/**
 * Flag mode answers "why did this user get that?": with an admin or read-only key (kept in
 * sessionStorage only) pick a flag and an environment, and see the gateway's own explanation of the
 * evaluation: which rule matched, each rule's trace, the rollout bucket, the variation served and why.
 */
import {
  ApiError,
  type EnvironmentSummary,
  type Explanation,
  type FlagSummary,
  explainEvaluation,
  listEnvironments,
  listFlags,
} from './api.js';
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
  if (error instanceof ApiError && (error.code === 'UNAUTHENTICATED' || error.status === 401))
    return 'That key was not accepted (unknown or revoked).';
  if (error instanceof ApiError && error.code === 'FORBIDDEN')
    return 'That key may not read flags: use an admin or read-only key.';
  return `Could not load flags: ${error instanceof Error ? error.message : String(error)}`;
}

/** One flag mode: what it was given, what it remembers, its controls, its evaluation requests. */
interface Mode {
  options: FlagModeOptions;
  state: FlagModeState;
  pickers: FlagPickers;
  requests: LatestRequest<Explanation>;
}

/**
 * Flag mode over its state (flag-mode-state.ts), its controls (flag-pickers.ts) and its result panel
 * (flag-explanation-view.ts); the functions below are its behaviour.
 */
export function createFlagMode(options: FlagModeOptions): FlagMode {
  const mode: Mode = {
    options,
    state: initialState(readKey(), options.initialFlag, options.initialEnvironment),
    pickers: findPickers(),
    requests: new LatestRequest<Explanation>(150, options.setBusy),
  };
  mode.pickers.keyInput.value = mode.state.key;
  listen(mode);
  return {
    activate: () => activate(mode),
    deactivate: () => deactivate(mode),
    contextChanged: () => evaluate(mode),
    select: (flag, environment) => select(mode, flag, environment),
  };
}

function activate(mode: Mode): void {
  const { state } = mode;
  state.active = true;
  mode.pickers.section.hidden = false;
  if (!state.key || (state.flags.length === 0 && !state.loading)) void connect(mode);
  else if (state.loading) clearResult(mode, { tone: 'neutral', title: 'Loading flags…' });
  else evaluate(mode, 0);
}

function deactivate(mode: Mode): void {
  mode.state.active = false;
  mode.pickers.section.hidden = true;
  mode.requests.cancel();
  destroyConditionViews(mode.state);
}

function clearResult(mode: Mode, verdict: Verdict, note?: string): void {
  mode.requests.cancel();
  destroyConditionViews(mode.state);
  renderVerdict(mode.options.verdict, verdict);
  mode.options.body.replaceChildren(...(note ? [h('p', { class: 'note' }, note)] : []));
}

/** Loads the flags and environments the key may read; only the latest key's answer is shown. */
function connect(mode: Mode): Promise<void> {
  const { state, pickers } = mode;
  if (!state.key) {
    showNoKey(mode);
    return Promise.resolve();
  }
  setStatus(pickers, 'Loading flags…');
  if (state.active) clearResult(mode, { tone: 'neutral', title: 'Loading flags…' });
  const used = state.key;
  state.loading = Promise.all([listFlags(used), listEnvironments(used)]).then(
    ([flags, environments]) => {
      if (used === state.key) connected(mode, flags, environments);
    },
    (error: unknown) => {
      if (used === state.key) notConnected(mode, error);
    },
  );
  return state.loading;
}

function showNoKey(mode: Mode): void {
  const { state, pickers } = mode;
  state.flags = [];
  state.environments = [];
  fillFlags(pickers, state);
  const { wantedFlag, wantedEnvironment } = state;
  setStatus(
    pickers,
    wantedFlag
      ? `This link shows flag ${wantedFlag}${wantedEnvironment ? ` in ${wantedEnvironment}` : ''}: enter an admin or read-only key to load it.`
      : 'Enter an admin or read-only key to load the flags.',
  );
  if (state.active) {
    clearResult(
      mode,
      { tone: 'neutral', title: 'No key yet', detail: 'flag mode needs an admin or read-only key' },
      'Flag mode evaluates real flags through the gateway, exactly as an SDK would be answered: enter an admin or read-only API key on the left.',
    );
  }
}

function connected(mode: Mode, flags: FlagSummary[], environments: EnvironmentSummary[]): void {
  const { state, pickers } = mode;
  state.loading = null;
  state.flags = flags.filter((flag) => !flag.archived);
  state.environments = environments;
  fillFlags(pickers, state);
  const count = (n: number, noun: string) => `${n} ${noun}${n === 1 ? '' : 's'}`;
  setStatus(pickers, `${count(state.flags.length, 'flag')}, ${count(environments.length, 'environment')}.`);
  const { wantedFlag } = state;
  if (wantedFlag && !state.flags.some((flag) => flag.key === wantedFlag))
    setStatus(pickers, `Flag ${wantedFlag} was not found; showing ${pickers.flagSelect.value || 'nothing'}.`, 'error');
  state.wantedFlag = undefined;
  state.wantedEnvironment = undefined;
  selectionChanged(mode);
}

function notConnected(mode: Mode, error: unknown): void {
  mode.state.loading = null;
  mode.state.flags = [];
  fillFlags(mode.pickers, mode.state);
  const message = connectionError(error);
  setStatus(mode.pickers, message, 'error');
  if (mode.state.active) clearResult(mode, { tone: 'error', title: 'Not connected', detail: message });
}

/** Asks the gateway to explain the picked flag for the context (after `delay` ms; the latest request wins). */
function evaluate(mode: Mode, delay?: number): void {
  const { state, pickers, options } = mode;
  if (!state.active) return;
  const flag = pickers.flagSelect.value;
  const environment = pickers.envSelect.value;
  if (!state.key || !flag || !environment) {
    if (state.key && state.flags.length === 0 && !state.loading)
      clearResult(mode, { tone: 'neutral', title: 'No flags', detail: 'there are no flags to evaluate' });
    return;
  }
  const context = options.context();
  if (!context.ok)
    return clearResult(mode, {
      tone: 'neutral',
      title: 'Waiting for a valid context',
      detail: 'fix the context JSON to evaluate the flag',
    });
  const used = state.key;
  mode.requests.schedule(
    (signal) => explainEvaluation(used, flag, environment, context.value, signal),
    (explanation) => showExplanation(mode, explanation),
    (error) => {
      if (error instanceof DOMException && error.name === 'AbortError') return;
      clearResult(mode, {
        tone: 'error',
        title: 'Evaluation failed',
        detail: error instanceof Error ? error.message : String(error),
      });
    },
    delay,
  );
}

function showExplanation(mode: Mode, explanation: Explanation): void {
  const { state, options } = mode;
  destroyConditionViews(state);
  const flag = state.flags.find((candidate) => candidate.key === explanation.flagKey);
  const config = flag?.environments.find((env) => env.environment === explanation.environment);
  renderVerdict(options.verdict, verdictFor(explanation));
  state.conditionViews = renderExplanation(options.body, explanation, config, options.onEditRule);
}

/** A selection from outside (the URL); kept for later when the flags are not loaded yet. */
function select(mode: Mode, flag: string | undefined, environment: string | undefined): void {
  const { state, pickers } = mode;
  if (state.flags.length === 0) {
    state.wantedFlag = flag;
    state.wantedEnvironment = environment;
    return;
  }
  if (flag && state.flags.some((candidate) => candidate.key === flag)) pickers.flagSelect.value = flag;
  state.wantedEnvironment = environment;
  fillEnvironments(pickers, state);
  state.wantedEnvironment = undefined;
  selectionChanged(mode);
}

/** Tells the page (for the URL) and evaluates the new selection at once. */
function selectionChanged(mode: Mode): void {
  mode.options.onSelection(mode.pickers.flagSelect.value || undefined, mode.pickers.envSelect.value || undefined);
  evaluate(mode, 0);
}

/** The controls' events: a key submitted or forgotten reconnects; a picked flag or environment re-evaluates. */
function listen(mode: Mode): void {
  const { state, pickers } = mode;
  const { form, keyInput, forget, flagSelect, envSelect } = pickers;
  form.addEventListener('submit', (event) => {
    event.preventDefault();
    state.key = keyInput.value.trim();
    storeKey(state.key || null);
    if (flagSelect.value) state.wantedFlag = flagSelect.value;
    if (envSelect.value) state.wantedEnvironment = envSelect.value;
    void connect(mode);
  });
  forget.addEventListener('click', () => {
    state.key = '';
    keyInput.value = '';
    storeKey(null);
    void connect(mode);
    keyInput.focus();
  });
  flagSelect.addEventListener('change', () => {
    fillEnvironments(pickers, state);
    selectionChanged(mode);
  });
  envSelect.addEventListener('change', () => selectionChanged(mode));
}
