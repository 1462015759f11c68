/**
 * The flags table's data: one server page (50 rows) of the flags connection at a time, so 10,000 flags
 * never become 10,000 rows; filters the server knows (search, kind, tag, owner, archived) go to it,
 * the stale reason and the sort apply to the page shown.
 */
import { type ConsoleFlagsQuery, ConsoleFlagsDocument, type FlagKind } from '../client/generated/graphql.js';
import { call } from './gql.js';

export type FlagRow = ConsoleFlagsQuery['flags']['nodes'][number];
export type SortKey = 'key' | 'name' | 'updated' | 'expires';

export interface FlagFilters {
  search: string;
  kind: FlagKind | '';
  tag: string;
  owner: string;
  stale: string;
  archived: 'active' | 'archived' | 'all';
  sort: SortKey;
}

export const emptyFilters: FlagFilters = {
  search: '',
  kind: '',
  tag: '',
  owner: '',
  stale: '',
  archived: 'active',
  sort: 'key',
};

export const pageSize = 50;

/** @param usageEnvironment whose evaluations of the last 7 days the table shows (the last environment: production) */
export async function fetchFlagPage(filters: FlagFilters, after: string | null, usageEnvironment: string) {
  const data = await call(ConsoleFlagsDocument, {
    first: pageSize,
    after,
    usageEnvironment,
    search: filters.search.trim() || null,
    kind: filters.kind || null,
    tag: filters.tag.trim() || null,
    owner: filters.owner.trim() || null,
    archived: filters.archived === 'all' ? null : filters.archived === 'archived',
  });
  return data.flags;
}

const compare: Record<SortKey, (a: FlagRow, b: FlagRow) => number> = {
  key: (a, b) => a.key.localeCompare(b.key),
  name: (a, b) => a.name.localeCompare(b.name),
  updated: (a, b) => b.updatedAt.localeCompare(a.updatedAt),
  expires: (a, b) => (a.expiresAt ?? '9999').localeCompare(b.expiresAt ?? '9999'),
};

export function shownRows(rows: FlagRow[], filters: FlagFilters): FlagRow[] {
  const kept = filters.stale ? rows.filter((row) => row.staleReasons.some((r) => r.code === filters.stale)) : rows;
  return [...kept].sort(compare[filters.sort]);
}

/** "in 3 days", "2 days ago": expiry badges. */
export function relativeDays(iso: string, now = Date.now()): string {
  const days = Math.round((Date.parse(iso) - now) / 86_400_000);
  if (days === 0) return 'today';
  return days > 0 ? `in ${days} day${days === 1 ? '' : 's'}` : `${-days} day${days === -1 ? '' : 's'} ago`;
}
