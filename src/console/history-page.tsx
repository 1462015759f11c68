/** The audit log, global or for one flag (?key=), newest first, with a before/after diff per change. */
import { useSignal, useSignalEffect } from '@preact/signals';
import { useLocation } from 'preact-iso';
import { type AuditLogQuery, AuditLogDocument } from '../client/generated/graphql.js';
import { base } from './app.js';
import { DiffTable } from './diff-table.js';
import { diff } from './diff.js';
import { call, explain } from './gql.js';
import { lastChange } from './live.js';

type Entry = AuditLogQuery['auditLog']['entries'][number];

function EntryView({ entry }: { entry: Entry }) {
  const where = entry.environment ? ` in ${entry.environment}` : '';
  return (
    <li class="audit-entry">
      <p>
        <strong>{entry.action}</strong> {entry.kind}{' '}
        {entry.kind === 'flag' ? (
          <a href={`${base}/flags/${encodeURIComponent(entry.key)}`}>{entry.key}</a>
        ) : (
          <code>{entry.key}</code>
        )}
        {where} · version {entry.version}
      </p>
      <p class="sub">
        <time dateTime={entry.at}>{new Date(entry.at).toLocaleString()}</time> by {entry.actor}
        {entry.comment ? (
          <>
            {' '}
            · comment: <q>{entry.comment}</q>
          </>
        ) : null}
      </p>
      <DiffTable rows={diff(entry.before ?? null, entry.after ?? null)} caption={`Change ${entry.position}`} />
    </li>
  );
}

export function HistoryPage() {
  const { query } = useLocation();
  const key = useSignal(query.key ?? '');
  const entries = useSignal<Entry[] | null>(null);
  const more = useSignal<string | null>(null);
  const error = useSignal<string | null>(null);

  const fetchPage = (after: string | null) =>
    call(AuditLogDocument, { key: key.peek().trim() || null, first: 25, after }).then(
      (data) => {
        entries.value = [...(after ? (entries.peek() ?? []) : []), ...data.auditLog.entries];
        more.value = data.auditLog.hasNextPage ? data.auditLog.endCursor : null;
        error.value = null;
      },
      (failure) => void (error.value = explain(failure)),
    );
  useSignalEffect(() => {
    key.value;
    lastChange.value;
    const timer = setTimeout(() => void fetchPage(null), 150);
    return () => clearTimeout(timer);
  });

  return (
    <main>
      <h1>History</h1>
      <form class="filters" onSubmit={(e) => e.preventDefault()}>
        <div class="field">
          <label for="history-key">Flag, segment or environment key (empty: everything)</label>
          <input id="history-key" value={key.value} onInput={(e) => (key.value = e.currentTarget.value)} />
        </div>
      </form>
      {error.value && (
        <p class="error" role="alert">
          {error.value}
        </p>
      )}
      {entries.value && entries.value.length === 0 && (
        <p class="empty">No changes recorded{key.value ? ` for '${key.value}'` : ''}.</p>
      )}
      <ol class="audit">
        {(entries.value ?? []).map((entry) => (
          <EntryView key={entry.position} entry={entry} />
        ))}
      </ol>
      {more.value && (
        <button type="button" onClick={() => void fetchPage(more.value)}>
          Older changes
        </button>
      )}
    </main>
  );
}
