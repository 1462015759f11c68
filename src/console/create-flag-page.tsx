/** The short create-flag form: key (checked as you type), kind (with its expiry default), value type, variations, owner. */
import { useSignal } from '@preact/signals';
import { useLocation } from 'preact-iso';
import {
  CreateFlagDocument,
  EnvironmentsDocument,
  type FlagKind,
  type ValueType,
} from '../client/generated/graphql.js';
import { base } from './app.js';
import { createInput, expiryDefaults, keyProblem, parseVariations } from './create-flag.js';
import { call, explain } from './gql.js';
import { canWrite } from './session.js';

const kinds: FlagKind[] = ['RELEASE', 'EXPERIMENT', 'OPS', 'PERMISSION'];
const valueTypes: ValueType[] = ['BOOLEAN', 'STRING', 'NUMBER', 'JSON'];

export function CreateFlagPage() {
  const { route } = useLocation();
  const key = useSignal('');
  const touched = useSignal(false);
  const kind = useSignal<FlagKind>('RELEASE');
  const valueType = useSignal<ValueType>('BOOLEAN');
  const variations = useSignal('a = "control"\nb = "treatment"');
  const owner = useSignal('');
  const error = useSignal<string | null>(null);
  const problem = keyProblem(key.value);
  const parsed = parseVariations(variations.value, valueType.value);

  const submit = async (event: Event) => {
    event.preventDefault();
    touched.value = true;
    if (problem || typeof parsed === 'string') return;
    try {
      const environments = (await call(EnvironmentsDocument, {})).environments.map((e) => e.key);
      const fields = { key: key.value, kind: kind.value, valueType: valueType.value, owner: owner.value };
      await call(CreateFlagDocument, { input: createInput(fields, parsed, environments) });
      route(`${base}/flags/${encodeURIComponent(key.value)}`);
    } catch (failure) {
      error.value = explain(failure);
    }
  };
  if (!canWrite.value)
    return (
      <main>
        <h1>New flag</h1>
        <p class="empty">Creating a flag needs an admin key.</p>
      </main>
    );
  return (
    <main>
      <h1>New flag</h1>
      <form class="create-flag" onSubmit={submit} noValidate>
        <div class="field">
          <label for="new-key">Key</label>
          <input
            id="new-key"
            value={key.value}
            aria-invalid={touched.value && problem ? 'true' : 'false'}
            aria-describedby="new-key-problem"
            onInput={(e) => {
              key.value = e.currentTarget.value;
              touched.value = true;
            }}
          />
          <p id="new-key-problem" class={touched.value && problem ? 'error' : 'sub'}>
            {touched.value && problem ? problem : 'Lower-case letters, digits, ".", "_" and "-".'}
          </p>
        </div>
        <div class="field">
          <label for="new-kind">Kind</label>
          <select
            id="new-kind"
            value={kind.value}
            aria-describedby="new-kind-expiry"
            onChange={(e) => (kind.value = e.currentTarget.value as FlagKind)}
          >
            {kinds.map((k) => (
              <option key={k} value={k}>
                {k.toLowerCase()}
              </option>
            ))}
          </select>
          <p id="new-kind-expiry" class="sub">
            {expiryDefaults[kind.value]}
          </p>
        </div>
        <div class="field">
          <label for="new-type">Value type</label>
          <select
            id="new-type"
            value={valueType.value}
            onChange={(e) => (valueType.value = e.currentTarget.value as ValueType)}
          >
            {valueTypes.map((t) => (
              <option key={t} value={t}>
                {t.toLowerCase()}
              </option>
            ))}
          </select>
        </div>
        {valueType.value === 'BOOLEAN' ? (
          <p class="sub">Variations: on (true) and off (false).</p>
        ) : (
          <div class="field">
            <label for="new-variations">Variations, one per line as key = value</label>
            <textarea
              id="new-variations"
              rows={4}
              value={variations.value}
              aria-describedby="new-variations-problem"
              onInput={(e) => (variations.value = e.currentTarget.value)}
            />
            <p id="new-variations-problem" class={typeof parsed === 'string' ? 'error' : 'sub'}>
              {typeof parsed === 'string' ? parsed : `${parsed.length} variations.`}
            </p>
          </div>
        )}
        <div class="field">
          <label for="new-owner">Owner</label>
          <input id="new-owner" value={owner.value} onInput={(e) => (owner.value = e.currentTarget.value)} />
        </div>
        <p class="sub">The flag starts off in every environment.</p>
        <button type="submit" class="primary" disabled={!!problem || typeof parsed === 'string'}>
          Create flag
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
