/**
 * API keys: metadata of every key; admin keys create one (the secret is shown once, with a copy
 * button) and revoke one (after confirming).
 */
import { useSignal } from '@preact/signals';
import { useEffect } from 'preact/hooks';
import {
  type ApiKeyKind,
  type ApiKeysQuery,
  ApiKeysDocument,
  CreateApiKeyDocument,
  RevokeApiKeyDocument,
} from '../client/generated/graphql.js';
import { Dialog } from './dialog.js';
import { call, explain } from './gql.js';
import { canWrite } from './session.js';

type Key = ApiKeysQuery['apiKeys'][number];

function CreateForm({ onCreated }: { onCreated: (secret: string) => void }) {
  const name = useSignal('');
  const kind = useSignal<ApiKeyKind>('EVALUATION');
  const environment = useSignal('production');
  const error = useSignal<string | null>(null);
  const submit = async (event: Event) => {
    event.preventDefault();
    try {
      const env = kind.value === 'EVALUATION' ? environment.value.trim() : null;
      const created = await call(CreateApiKeyDocument, { name: name.value.trim(), kind: kind.value, environment: env });
      name.value = '';
      error.value = null;
      onCreated(created.createApiKey.secret);
    } catch (failure) {
      error.value = explain(failure);
    }
  };
  return (
    <form class="inline-form" onSubmit={submit} aria-labelledby="create-key-title">
      <h2 id="create-key-title">Create a key</h2>
      <div class="field">
        <label for="key-name">Name</label>
        <input id="key-name" required value={name.value} onInput={(e) => (name.value = e.currentTarget.value)} />
      </div>
      <div class="field">
        <label for="key-kind">Kind</label>
        <select id="key-kind" value={kind.value} onChange={(e) => (kind.value = e.currentTarget.value as ApiKeyKind)}>
          <option value="EVALUATION">evaluation (one environment)</option>
          <option value="READ_ONLY">read-only</option>
          <option value="ADMIN">admin</option>
        </select>
      </div>
      {kind.value === 'EVALUATION' && (
        <div class="field">
          <label for="key-environment">Environment</label>
          <input
            id="key-environment"
            required
            value={environment.value}
            onInput={(e) => (environment.value = e.currentTarget.value)}
          />
        </div>
      )}
      <button type="submit">Create key</button>
      {error.value && (
        <p class="error" role="alert">
          {error.value}
        </p>
      )}
    </form>
  );
}

function Secret({ secret }: { secret: string }) {
  const copied = useSignal(false);
  return (
    <div class="secret" role="status">
      <p>
        <strong>Copy this secret now: it is shown only once.</strong>
      </p>
      <code id="new-secret">{secret}</code>{' '}
      <button
        type="button"
        onClick={() =>
          navigator.clipboard?.writeText(secret).then(
            () => (copied.value = true),
            () => {},
          )
        }
      >
        {copied.value ? 'Copied' : 'Copy'}
      </button>
    </div>
  );
}

export function KeysPage() {
  const keys = useSignal<Key[] | null>(null);
  const error = useSignal<string | null>(null);
  const secret = useSignal<string | null>(null);
  const revoking = useSignal<Key | null>(null);
  const load = () =>
    call(ApiKeysDocument, {}).then(
      (data) => void (keys.value = data.apiKeys),
      (failure) => void (error.value = explain(failure)),
    );
  useEffect(() => void load(), []);
  const revoke = async () => {
    try {
      await call(RevokeApiKeyDocument, { id: revoking.value!.id });
      revoking.value = null;
      await load();
    } catch (failure) {
      error.value = explain(failure);
      revoking.value = null;
    }
  };
  return (
    <main>
      <h1>API keys</h1>
      {error.value && (
        <p class="error" role="alert">
          {error.value}
        </p>
      )}
      {secret.value && <Secret secret={secret.value} />}
      <div class="table-wrap">
        <table>
          <thead>
            <tr>
              <th scope="col">Name</th>
              <th scope="col">Kind</th>
              <th scope="col">Environment</th>
              <th scope="col">Prefix</th>
              <th scope="col">State</th>
            </tr>
          </thead>
          <tbody>
            {(keys.value ?? []).map((key) => (
              <tr key={key.id}>
                <td>{key.name}</td>
                <td>{key.kind.toLowerCase().replace('_', '-')}</td>
                <td>{key.environment ?? '—'}</td>
                <td>
                  <code>{key.prefix}</code>
                </td>
                <td>
                  {key.revokedAt ? (
                    `revoked ${key.revokedAt.slice(0, 10)}`
                  ) : canWrite.value ? (
                    <button type="button" onClick={() => (revoking.value = key)}>
                      Revoke<span class="visually-hidden"> {key.name}</span>
                    </button>
                  ) : (
                    'active'
                  )}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
      {canWrite.value && (
        <CreateForm
          onCreated={(s) => {
            secret.value = s;
            void load();
          }}
        />
      )}
      {revoking.value && (
        <Dialog
          title={`Revoke the key '${revoking.value.name}'?`}
          confirmLabel="Revoke"
          onConfirm={revoke}
          onCancel={() => (revoking.value = null)}
        >
          <p>Every client using it is refused from now on. This cannot be undone.</p>
        </Dialog>
      )}
    </main>
  );
}
