/** The flags table: filters, one server page at a time, per environment kill switches, badges. */
import { useSignal, useSignalEffect } from '@preact/signals';
import { useEffect } from 'preact/hooks';
import { EnvironmentsDocument } from '../client/generated/graphql.js';
import { base } from './app.js';
import { FlagFiltersForm } from './flag-filters.js';
import { emptyFilters, type FlagFilters, type FlagRow, fetchFlagPage, relativeDays, shownRows } from './flags-query.js';
import { call, explain } from './gql.js';
import { lastChange } from './live.js';
import { canWrite } from './session.js';
import { KillSwitch, ToggleDialog, type ToggleRequest } from './toggle-dialog.js';

interface Page {
  rows: FlagRow[];
  total: number;
  next: string | null;
}

function Badges({ row }: { row: FlagRow }) {
  return (
    <span class="badges">
      {row.archived && <span class="badge">archived</span>}
      {row.staleReasons.map((reason) => (
        <span
          key={reason.code}
          class={`badge ${reason.severity === 'STALE' ? 'badge-stale' : 'badge-warn'}`}
          title={reason.message}
        >
          {reason.code.toLowerCase().replaceAll('_', ' ')}
        </span>
      ))}
      {row.expiresAt && <span class="badge">expires {relativeDays(row.expiresAt)}</span>}
    </span>
  );
}

function Row(props: { row: FlagRow; environments: string[]; onFlip: (r: ToggleRequest) => void }) {
  const { row } = props;
  return (
    <tr>
      <td>
        <a href={`${base}/flags/${encodeURIComponent(row.key)}`}>{row.key}</a>
        <div class="sub">{row.name !== row.key ? row.name : ''}</div>
        <Badges row={row} />
      </td>
      <td class="col-meta">{row.kind.toLowerCase()}</td>
      <td class="col-meta">{row.owner || '—'}</td>
      <td class="col-meta">{row.tags.join(', ') || '—'}</td>
      {props.environments.map((environment) => {
        const config = row.environments.find((e) => e.environment === environment);
        return (
          <td key={environment} data-label={environment}>
            {config ? (
              <KillSwitch
                flag={row.key}
                environment={environment}
                on={config.on}
                disabled={!canWrite.value || row.archived}
                onFlip={props.onFlip}
              />
            ) : (
              <span class="sub">not set</span>
            )}
          </td>
        );
      })}
      <td class="col-meta" data-label="evaluations, 7 days">
        <span title={row.usage.lastEvaluatedAt ? `last evaluated ${row.usage.lastEvaluatedAt}` : 'never evaluated'}>
          {row.usage.total.toLocaleString('en')}
        </span>
      </td>
    </tr>
  );
}

export function FlagsPage() {
  const filters = useSignal<FlagFilters>(emptyFilters);
  const cursors = useSignal<Array<string | null>>([null]);
  const page = useSignal<Page | null>(null);
  const error = useSignal<string | null>(null);
  const environments = useSignal<string[]>([]);
  const flipping = useSignal<ToggleRequest | null>(null);
  const reload = useSignal(0);

  useEffect(() => {
    call(EnvironmentsDocument, {}).then(
      (data) => void (environments.value = data.environments.map((e) => e.key)),
      (failure) => void (error.value = explain(failure)),
    );
  }, []);
  // A filter change starts again at the first page.
  useSignalEffect(() => {
    filters.value;
    cursors.value = [null];
  });
  useSignalEffect(() => {
    if (lastChange.value) reload.value = reload.peek() + 1;
  });
  useSignalEffect(() => {
    const current = filters.value;
    const after = cursors.value[cursors.value.length - 1] ?? null;
    const usageEnvironment = environments.value.at(-1);
    reload.value;
    if (usageEnvironment === undefined) return; // the environments first: their last one's usage is shown
    let stale = false;
    const timer = setTimeout(() => {
      fetchFlagPage(current, after, usageEnvironment).then(
        (flags) => {
          if (stale) return;
          page.value = { rows: flags.nodes, total: flags.totalCount, next: flags.pageInfo.endCursor };
          if (!flags.pageInfo.hasNextPage) page.value = { ...page.value, next: null };
          error.value = null;
        },
        (failure) => void (stale || (error.value = explain(failure))),
      );
    }, 150);
    return () => {
      stale = true;
      clearTimeout(timer);
    };
  });

  const shown = page.value ? shownRows(page.value.rows, filters.value) : [];
  const pageNumber = cursors.value.length;
  return (
    <main>
      <div class="page-head">
        <h1>Flags</h1>
        {canWrite.value && <a href={`${base}/new`}>New flag</a>}
      </div>
      <FlagFiltersForm filters={filters} />
      {error.value && (
        <p class="error" role="alert">
          {error.value}
        </p>
      )}
      <p class="sub" aria-live="polite">
        {page.value ? `${page.value.total} flag${page.value.total === 1 ? '' : 's'}, page ${pageNumber}` : 'Loading…'}
      </p>
      {page.value && shown.length === 0 ? (
        <p class="empty">No flag matches these filters. Clear the search or pick another filter.</p>
      ) : (
        <div class="table-wrap">
          <table class="flags">
            <thead>
              <tr>
                <th scope="col">Flag</th>
                <th scope="col" class="col-meta">
                  Kind
                </th>
                <th scope="col" class="col-meta">
                  Owner
                </th>
                <th scope="col" class="col-meta">
                  Tags
                </th>
                {environments.value.map((e) => (
                  <th key={e} scope="col">
                    {e}
                  </th>
                ))}
                <th scope="col" class="col-meta">
                  Evaluations, 7 days ({environments.value.at(-1)})
                </th>
              </tr>
            </thead>
            <tbody>
              {shown.map((row) => (
                <Row key={row.key} row={row} environments={environments.value} onFlip={(r) => (flipping.value = r)} />
              ))}
            </tbody>
          </table>
        </div>
      )}
      <nav class="pager" aria-label="Pages">
        <button type="button" disabled={pageNumber === 1} onClick={() => (cursors.value = cursors.value.slice(0, -1))}>
          Previous page
        </button>
        <button
          type="button"
          disabled={!page.value?.next}
          onClick={() => (cursors.value = [...cursors.value, page.value?.next ?? null])}
        >
          Next page
        </button>
      </nav>
      {flipping.value && (
        <ToggleDialog
          request={flipping.value}
          onDone={(changed) => {
            flipping.value = null;
            if (changed) reload.value = reload.peek() + 1;
          }}
        />
      )}
    </main>
  );
}
