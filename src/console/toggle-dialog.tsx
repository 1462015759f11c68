/** Flipping an environment's kill switch: confirm, optional comment, then `toggleFlag` at once. */
import { useSignal } from '@preact/signals';
import { ToggleFlagDocument } from '../client/generated/graphql.js';
import { Dialog } from './dialog.js';
import { call, explain } from './gql.js';

export interface ToggleRequest {
  flag: string;
  environment: string;
  on: boolean;
}

export function ToggleDialog({ request, onDone }: { request: ToggleRequest; onDone: (changed: boolean) => void }) {
  const comment = useSignal('');
  const busy = useSignal(false);
  const error = useSignal<string | null>(null);
  const verb = request.on ? 'on' : 'off';
  const confirm = async () => {
    busy.value = true;
    try {
      await call(ToggleFlagDocument, {
        key: request.flag,
        environment: request.environment,
        on: request.on,
        comment: comment.value.trim() || null,
      });
      onDone(true);
    } catch (failure) {
      error.value = explain(failure);
      busy.value = false;
    }
  };
  return (
    <Dialog
      title={`Turn ${request.flag} ${verb} in ${request.environment}?`}
      confirmLabel={`Turn ${verb}`}
      onConfirm={confirm}
      onCancel={() => onDone(false)}
      busy={busy.value}
      error={error.value}
    >
      <p>
        {request.on
          ? 'The flag will serve its rules and default again.'
          : 'Everyone will get the off variation, right away.'}
      </p>
      <label for="toggle-comment">Comment (optional, e.g. an incident number)</label>
      <input
        id="toggle-comment"
        value={comment.value}
        onInput={(event) => void (comment.value = event.currentTarget.value)}
      />
    </Dialog>
  );
}

/** An environment's on/off switch; opens the dialog instead of changing anything itself. */
export function KillSwitch(props: {
  flag: string;
  environment: string;
  on: boolean;
  disabled: boolean;
  onFlip: (request: ToggleRequest) => void;
}) {
  return (
    <button
      type="button"
      role="switch"
      class={`switch ${props.on ? 'is-on' : 'is-off'}`}
      aria-checked={props.on}
      aria-label={`${props.flag} in ${props.environment}`}
      title={props.disabled ? 'Read-only key: sign in with an admin key to change this' : undefined}
      disabled={props.disabled}
      onClick={() => props.onFlip({ flag: props.flag, environment: props.environment, on: !props.on })}
    >
      <span aria-hidden="true">{props.on ? 'On' : 'Off'}</span>
    </button>
  );
}
