/**
 * A flag: its variations, one environment at a time in the editor, "try it", and live updates (a
 * change by someone else reloads the page, or, while there are unsaved edits here, says so).
 */
import { useSignal, useSignalEffect } from '@preact/signals';
import { useEffect } from 'preact/hooks';
import { useRoute } from 'preact-iso';
import { FlagDocument } from '../client/generated/graphql.js';
import { base } from './app.js';
import { type EditorState, EnvironmentEditor, draftsFor, isDirty, rebase } from './environment-editor.js';
import type { FlagData } from './edit-model.js';
import { call, explain } from './gql.js';
import { lastChange } from './live.js';
import { TryIt } from './try-it.js';

function pickEnvironment(flag: FlagData, wanted: string | null): string | null {
  const keys = flag.environments.map((e) => e.environment);
  if (wanted && keys.includes(wanted)) return wanted;
  return keys.includes('production') ? 'production' : (keys[0] ?? null);
}

function Variations({ flag }: { flag: FlagData }) {
  return (
    <table class="variations">
      <caption>Variations ({flag.valueType.toLowerCase()})</caption>
      <thead>
        <tr>
          <th scope="col">Key</th>
          <th scope="col">Value</th>
          <th scope="col">Name</th>
        </tr>
      </thead>
      <tbody>
        {flag.variations.map((v) => (
          <tr key={v.key}>
            <th scope="row">{v.key}</th>
            <td>
              <code>{JSON.stringify(v.value)}</code>
            </td>
            <td>{v.name ?? ''}</td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}

export function FlagPage() {
  const { params } = useRoute();
  const key = decodeURIComponent(params.key ?? '');
  const state = useSignal<EditorState | null>(null);
  const error = useSignal<string | null>(null);
  const notice = useSignal<string | null>(null);

  const load = async (environment: string | null) => {
    try {
      const flag = (await call(FlagDocument, { key })).flag;
      if (!flag)
        return void (error.value = `There is no flag '${key}'. It may have been deleted; go back to the flags.`);
      const chosen = pickEnvironment(flag, environment);
      const drafts = chosen ? draftsFor(flag, chosen) : null;
      state.value = drafts && chosen ? { flag, environment: chosen, ...drafts } : null;
      if (!drafts) error.value = 'This flag is not configured in any environment yet.';
    } catch (failure) {
      error.value = explain(failure);
    }
  };
  useEffect(() => void load(null), [key]);

  useSignalEffect(() => {
    const change = lastChange.value;
    const current = state.peek();
    if (!change || change.key !== key || !current || change.version <= current.flag.version) return;
    const who = change.actor ?? 'someone';
    void call(FlagDocument, { key }).then(({ flag }) => {
      const now = state.peek();
      if (!flag || !now || flag.version <= now.flag.version) return;
      if (isDirty(now)) {
        notice.value = `${who} changed this flag (now version ${flag.version}) while you were editing. Saving will show their change and let you reapply yours.`;
      } else {
        state.value = rebase(now, flag);
        notice.value = `Updated live: ${who} changed this flag (version ${flag.version}).`;
      }
    });
  });

  const current = state.value;
  return (
    <main>
      <p>
        <a href={`${base}/`}>← Flags</a>
      </p>
      <h1>{key}</h1>
      {error.value && (
        <p class="error" role="alert">
          {error.value}
        </p>
      )}
      {notice.value && (
        <p class="notice" role="status">
          {notice.value}
        </p>
      )}
      {current && (
        <>
          <p class="sub">
            {current.flag.name} · {current.flag.kind.toLowerCase()} · owner {current.flag.owner || '—'} · version{' '}
            {current.flag.version}
            {current.flag.expiresAt ? ` · expires ${current.flag.expiresAt.slice(0, 10)}` : ''} ·{' '}
            <a href={`${base}/history?key=${encodeURIComponent(key)}`}>History</a>
          </p>
          <Variations flag={current.flag} />
          <div class="field env-picker">
            <label for="environment">Environment</label>
            <select
              id="environment"
              value={current.environment}
              onChange={(e) => {
                notice.value = null;
                void load(e.currentTarget.value);
              }}
            >
              {current.flag.environments.map((e) => (
                <option key={e.environment}>{e.environment}</option>
              ))}
            </select>
          </div>
          <div class="flag-columns">
            <EnvironmentEditor key={current.environment} state={state} />
            <TryIt
              flag={key}
              environment={current.environment}
              config={current.flag.environments.find((e) => e.environment === current.environment)}
            />
          </div>
        </>
      )}
    </main>
  );
}
