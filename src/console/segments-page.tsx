/** The segments of every environment, read-only here (edited with `vexil segments` or GraphQL). */
import { useSignal } from '@preact/signals';
import { useEffect } from 'preact/hooks';
import { type SegmentsQuery, SegmentsDocument } from '../client/generated/graphql.js';
import { call, explain } from './gql.js';

export function SegmentsPage() {
  const list = useSignal<SegmentsQuery['segments'] | null>(null);
  const error = useSignal<string | null>(null);
  useEffect(() => {
    call(SegmentsDocument, {}).then(
      (data) => void (list.value = data.segments),
      (failure) => void (error.value = explain(failure)),
    );
  }, []);
  return (
    <main>
      <h1>Segments</h1>
      {error.value && (
        <p class="error" role="alert">
          {error.value}
        </p>
      )}
      {list.value?.length === 0 && (
        <p class="empty">
          No segments yet. Create one with <code>vexil segments create</code>.
        </p>
      )}
      <ul class="cards">
        {(list.value ?? []).map((s) => (
          <li key={`${s.environment}/${s.key}`}>
            <strong>{s.name}</strong> <code>{s.key}</code> in {s.environment}
            {s.description && <div>{s.description}</div>}
            {s.condition && (
              <div>
                Condition: <code>{s.condition}</code>
              </div>
            )}
            <div class="sub">
              {s.included.length} included, {s.excluded.length} excluded · version {s.version}
            </div>
          </li>
        ))}
      </ul>
    </main>
  );
}
