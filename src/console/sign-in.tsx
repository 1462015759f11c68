/** The sign-in form: paste an API key; an evaluation key is refused with the kinds that work. */
import { useSignal } from '@preact/signals';
import { signIn } from './session.js';

export function SignIn() {
  const key = useSignal('');
  const error = useSignal<string | null>(null);
  const busy = useSignal(false);
  const submit = async (event: Event) => {
    event.preventDefault();
    busy.value = true;
    error.value = await signIn(key.value.trim());
    busy.value = false;
  };
  return (
    <main class="sign-in">
      <h1>Vexil console</h1>
      <form onSubmit={submit}>
        <label for="api-key">API key</label>
        <input
          id="api-key"
          type="password"
          autocomplete="off"
          required
          value={key.value}
          onInput={(event) => void (key.value = event.currentTarget.value)}
          aria-describedby="api-key-help"
        />
        <p id="api-key-help" class="hint">
          An admin key (to change flags) or a read-only key (to look). It is kept for this browser tab only.
        </p>
        <button type="submit" disabled={busy.value}>
          Sign in
        </button>
        {error.value && (
          <p class="error" role="alert">
            {error.value}
          </p>
        )}
      </form>
    </main>
  );
}
