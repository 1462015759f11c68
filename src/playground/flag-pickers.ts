/** Flag mode's controls on the left: the key form, the flag and environment pickers, the status line. */
import { h } from './dom.js';
import type { FlagModeState } from './flag-mode-state.js';

export interface FlagPickers {
  section: HTMLElement;
  form: HTMLFormElement;
  keyInput: HTMLInputElement;
  forget: HTMLButtonElement;
  flagSelect: HTMLSelectElement;
  envSelect: HTMLSelectElement;
  status: HTMLElement;
}

export function findPickers(): FlagPickers {
  return {
    section: document.getElementById('flag-section')!,
    form: document.getElementById('key-form') as HTMLFormElement,
    keyInput: document.getElementById('api-key') as HTMLInputElement,
    forget: document.getElementById('forget-key') as HTMLButtonElement,
    flagSelect: document.getElementById('flag-select') as HTMLSelectElement,
    envSelect: document.getElementById('env-select') as HTMLSelectElement,
    status: document.getElementById('flag-status')!,
  };
}

export function setStatus(pickers: FlagPickers, text: string, tone: 'info' | 'error' = 'info'): void {
  pickers.status.textContent = text;
  pickers.status.className = `status-line status-${tone}`;
}

/** The environments of the picked flag (all of them when none is picked), keeping the choice where it can. */
export function fillEnvironments(pickers: FlagPickers, state: FlagModeState): void {
  const { flagSelect, envSelect } = pickers;
  const flag = state.flags.find((candidate) => candidate.key === flagSelect.value);
  const keys = flag ? flag.environments.map((env) => env.environment) : state.environments.map((env) => env.key);
  const current = state.wantedEnvironment ?? envSelect.value;
  envSelect.replaceChildren(...keys.map((envKey) => h('option', { value: envKey }, envKey)));
  if (current && keys.includes(current)) envSelect.value = current;
  else if (keys.includes('production')) envSelect.value = 'production';
  envSelect.disabled = keys.length === 0;
}

export function fillFlags(pickers: FlagPickers, state: FlagModeState): void {
  const { flagSelect } = pickers;
  flagSelect.replaceChildren(
    ...state.flags.map((flag) =>
      h('option', { value: flag.key }, flag.name && flag.name !== flag.key ? `${flag.key} — ${flag.name}` : flag.key),
    ),
  );
  if (state.wantedFlag && state.flags.some((flag) => flag.key === state.wantedFlag))
    flagSelect.value = state.wantedFlag;
  flagSelect.disabled = state.flags.length === 0;
  fillEnvironments(pickers, state);
}
