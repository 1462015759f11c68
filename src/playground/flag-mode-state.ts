/** Everything flag mode remembers between events, in one place (flag-mode.ts changes it). */
import type { EditorView } from '@codemirror/view';
import type { EnvironmentSummary, FlagSummary } from './api.js';

export interface FlagModeState {
  /** Whether flag mode is the mode shown. */
  active: boolean;
  /** The API key in use; '' for none. */
  key: string;
  /** The flags of the key's gateway, archived ones left out. */
  flags: FlagSummary[];
  environments: EnvironmentSummary[];
  /** A selection asked for (by the URL, or kept across a reconnect) that the pickers cannot show yet. */
  wantedFlag: string | undefined;
  wantedEnvironment: string | undefined;
  /** The flags and environments being loaded, if they are. */
  loading: Promise<void> | null;
  /** The read-only editors of the rule conditions shown, destroyed before anything replaces them. */
  conditionViews: EditorView[];
}

export function initialState(
  key: string,
  wantedFlag: string | undefined,
  wantedEnvironment: string | undefined,
): FlagModeState {
  return {
    active: false,
    key,
    flags: [],
    environments: [],
    wantedFlag,
    wantedEnvironment,
    loading: null,
    conditionViews: [],
  };
}

export function destroyConditionViews(state: FlagModeState): void {
  for (const view of state.conditionViews) view.destroy();
  state.conditionViews = [];
}
