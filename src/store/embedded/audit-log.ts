/** The embedded store's audit log query: newest first, by the per-document index when the filter names one document. */
import { auditCursor, beforePosition, matchesAuditFilter, pageSize } from '../paging.js';
import type { AuditFilter, ChangeRecord, DocumentRef, Page, PageRequest } from '../types.js';
import type { Databases } from './commit.js';
import { auditIndexKey, maxPosition } from './keys.js';

interface Positions {
  positions: number[];
  totalCount: number;
  hasNextPage: boolean;
}

/** Newest first. A filter naming one document (kind and key, and environment for segments) uses the index. */
export function readAuditLog(db: Databases, filter: AuditFilter, page: PageRequest): Page<ChangeRecord> {
  const size = pageSize(page);
  const before = beforePosition(page.after);
  const ref = filter?.ref;
  const indexed =
    ref?.kind &&
    ref.key &&
    (ref.kind === 'segment' ? Boolean(ref.environment) : ref.environment === undefined || ref.environment === null);
  const timed = filter?.since !== undefined || filter?.until !== undefined;
  let found: Positions;
  if (timed) found = scan(db, filter, before, size);
  else if (indexed)
    found = byDocument(db, { kind: ref.kind!, key: ref.key!, environment: ref.environment }, before, size);
  else if (!ref || (ref.kind == null && ref.key == null && ref.environment == null))
    found = everything(db, before, size);
  else found = scan(db, filter, before, size);
  const items = found.positions.map((position) => db.changes.get(position) as ChangeRecord);
  return {
    items,
    endCursor: items.length > 0 ? auditCursor(items[items.length - 1]!.position) : null,
    hasNextPage: found.hasNextPage,
    totalCount: found.totalCount,
  };
}

function byDocument(db: Databases, ref: DocumentRef, before: number | null, size: number): Positions {
  const prefix = auditIndexKey(ref, 0).slice(0, 3);
  const totalCount = db.auditIndex.getCount({ start: [...prefix, 0], end: [...prefix, maxPosition] });
  const keys = [
    ...db.auditIndex.getKeys({
      start: [...prefix, before ?? maxPosition],
      end: [...prefix, 0],
      reverse: true,
      exclusiveStart: before !== null,
      limit: size + 1,
    }),
  ];
  const positions = keys.map((key) => (key as unknown[])[3] as number);
  return { positions: positions.slice(0, size), totalCount, hasNextPage: positions.length > size };
}

function everything(db: Databases, before: number | null, size: number): Positions {
  const positions = [
    ...db.changes.getKeys({
      start: before ?? maxPosition,
      reverse: true,
      exclusiveStart: before !== null,
      limit: size + 1,
    }),
  ] as number[];
  return {
    positions: positions.slice(0, size),
    totalCount: db.changes.getCount(),
    hasNextPage: positions.length > size,
  };
}

/** Any other filter (a kind, a key across kinds, an environment): a scan of the change records. */
function scan(db: Databases, filter: AuditFilter, before: number | null, size: number): Positions {
  const found: Positions = { positions: [], totalCount: 0, hasNextPage: false };
  for (const { key, value } of db.changes.getRange({ reverse: true })) {
    if (!matchesAuditFilter(value as ChangeRecord, filter)) continue;
    found.totalCount++;
    if (before !== null && (key as number) >= before) continue;
    if (found.positions.length < size) found.positions.push(key as number);
    else found.hasNextPage = true;
  }
  return found;
}
