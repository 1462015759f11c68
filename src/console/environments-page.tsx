/** The environments: a list, and (admin keys) a form to add one. */
import { useSignal } from '@preact/signals';
import { useEffect } from 'preact/hooks';
import {
  CreateEnvironmentDocument,
  type EnvironmentsQuery,
  EnvironmentsDocument,
} from '../client/generated/graphql.js';
import { call, explain } from './gql.js';
import { canWrite } from './session.js';

export function EnvironmentsPage() {
  const list = useSignal<EnvironmentsQuery['environments'] | null>(null);
  const error = useSignal<string | null>(null);
  const newKey = useSignal('');
  const load = () =>
    call(EnvironmentsDocument, {}).then(
      (data) => void (list.value = data.environments),
      (failure) => void (error.value = explain(failure)),
    );
  useEffect(() => void load(), []);
  const create = async (event: Event) => {
    event.preventDefault();
    try {
      await call(CreateEnvironmentDocument, { key: newKey.value.trim() });
      newKey.value = '';
      error.value = null;
      await load();
    } catch (failure) {
      error.value = explain(failure);
    }
  };
  return (
    <main>
      <h1>Environments</h1>
      {error.value && (
        <p class="error" role="alert">
          {error.value}
        </p>
      )}
      {list.value?.length === 0 && <p class="empty">No environments yet.</p>}
      <ul class="cards">
        {(list.value ?? []).map((e) => (
          <li key={e.key}>
            <strong>{e.name}</strong> <code>{e.key}</code>
            <div class="sub">created {e.createdAt.slice(0, 10)}</div>
          </li>
        ))}
      </ul>
      {canWrite.value && (
        <form class="inline-form" onSubmit={create}>
          <div class="field">
            <label for="environment-key">New environment key</label>
            <input
              id="environment-key"
              required
              value={newKey.value}
              onInput={(e) => (newKey.value = e.currentTarget.value)}
            />
          </div>
          <button type="submit">Add environment</button>
        </form>
      )}
    </main>
  );
}
