/** The flags table's search, filters and sort: a labelled control each. */
import type { Signal } from '@preact/signals';
import type { FlagFilters } from './flags-query.js';

const kinds = ['RELEASE', 'EXPERIMENT', 'OPS', 'PERMISSION'];
const staleCodes = ['EXPIRED', 'EXPIRING_SOON', 'UNUSED', 'ONE_VARIATION', 'NO_CODE_REFERENCES', 'ARCHIVED_BUT_CALLED'];

function Select(props: {
  id: string;
  label: string;
  value: string;
  options: Array<[string, string]>;
  set: (v: string) => void;
}) {
  return (
    <div class="field">
      <label for={props.id}>{props.label}</label>
      <select id={props.id} value={props.value} onChange={(event) => props.set(event.currentTarget.value)}>
        {props.options.map(([value, text]) => (
          <option key={value} value={value}>
            {text}
          </option>
        ))}
      </select>
    </div>
  );
}

function Text(props: { id: string; label: string; value: string; set: (v: string) => void }) {
  return (
    <div class="field">
      <label for={props.id}>{props.label}</label>
      <input id={props.id} value={props.value} onInput={(event) => props.set(event.currentTarget.value)} />
    </div>
  );
}

export function FlagFiltersForm({ filters }: { filters: Signal<FlagFilters> }) {
  const f = filters.value;
  const set = (patch: Partial<FlagFilters>) => void (filters.value = { ...filters.value, ...patch });
  return (
    <form class="filters" onSubmit={(event) => event.preventDefault()}>
      <Text id="flag-search" label="Search" value={f.search} set={(search) => set({ search })} />
      <Select
        id="flag-kind"
        label="Kind"
        value={f.kind}
        options={[['', 'Any kind'], ...kinds.map((k): [string, string] => [k, k.toLowerCase()])]}
        set={(kind) => set({ kind: kind as FlagFilters['kind'] })}
      />
      <Text id="flag-tag" label="Tag" value={f.tag} set={(tag) => set({ tag })} />
      <Text id="flag-owner" label="Owner" value={f.owner} set={(owner) => set({ owner })} />
      <Select
        id="flag-stale"
        label="Stale reason"
        value={f.stale}
        options={[['', 'Any'], ...staleCodes.map((c): [string, string] => [c, c.toLowerCase().replaceAll('_', ' ')])]}
        set={(stale) => set({ stale })}
      />
      <Select
        id="flag-archived"
        label="Archived"
        value={f.archived}
        options={[
          ['active', 'Active flags'],
          ['archived', 'Archived flags'],
          ['all', 'All flags'],
        ]}
        set={(archived) => set({ archived: archived as FlagFilters['archived'] })}
      />
      <Select
        id="flag-sort"
        label="Sort by"
        value={f.sort}
        options={[
          ['key', 'Key'],
          ['name', 'Name'],
          ['updated', 'Recently changed'],
          ['expires', 'Expiry'],
        ]}
        set={(sort) => set({ sort: sort as FlagFilters['sort'] })}
      />
    </form>
  );
}
