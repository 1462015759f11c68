/** Paging of a memory backend's lists, with the cursors the other backends use. */
import type { Flag } from '../../flags/model.js';
import {
  afterFlagKey,
  auditCursor,
  beforePosition,
  flagCursor,
  matchesAuditFilter,
  matchesFlagFilter,
  pageSize,
} from '../paging.js';
import type { AuditFilter, ChangeRecord, FlagFilter, Page, PageRequest } from '../types.js';

export function flagPage(flags: readonly Flag[], filter: FlagFilter, page: PageRequest): Page<Flag> {
  const size = pageSize(page);
  const after = afterFlagKey(page.after);
  const matching = flags.filter((flag) => matchesFlagFilter(flag, filter)).sort((a, b) => (a.key < b.key ? -1 : 1));
  const rest = after === null ? matching : matching.filter((flag) => flag.key > after);
  const items = rest.slice(0, size);
  const last = items.at(-1);
  return {
    items,
    endCursor: last ? flagCursor(last.key) : null,
    hasNextPage: rest.length > size,
    totalCount: matching.length,
  };
}

/** Newest first, like the stores' audit logs. */
export function auditPage(
  records: readonly ChangeRecord[],
  filter: AuditFilter,
  page: PageRequest,
): Page<ChangeRecord> {
  const size = pageSize(page);
  const before = beforePosition(page.after);
  const matching = records.filter((record) => matchesAuditFilter(record, filter)).reverse();
  const rest = before === null ? matching : matching.filter((record) => record.position < before);
  const items = rest.slice(0, size);
  const last = items.at(-1);
  return {
    items,
    endCursor: last ? auditCursor(last.position) : null,
    hasNextPage: rest.length > size,
    totalCount: matching.length,
  };
}
