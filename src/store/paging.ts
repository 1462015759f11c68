/**
 * Helpers both backends can share: page sizes, opaque cursors and the flag-filter predicate, so that
 * listing and filtering mean exactly the same thing whichever store is behind `FlagStore`.
 */
import { ValidationError } from '../flags/errors.js';
import type { Flag } from '../flags/model.js';
import { type AuditFilter, type ChangeRecord, environmentOf, type FlagFilter, type PageRequest } from './types.js';

export const defaultPageSize = 50;
export const maxPageSize = 500;

/** The number of items a page asks for: 50 by default, clamped to 1..500; a non-integer is rejected. */
export function pageSize(page: PageRequest = {}): number {
  const first = page.first;
  if (first === undefined || first === null) return defaultPageSize;
  if (typeof first !== 'number' || !Number.isInteger(first) || first < 1) {
    throw new ValidationError([{ path: 'first', message: 'must be a positive integer', code: 'VALIDATION' }]);
  }
  return Math.min(first, maxPageSize);
}

/** An opaque cursor: base64url of a small JSON value. */
export function encodeCursor(value: unknown): string {
  return Buffer.from(JSON.stringify(value), 'utf8').toString('base64url');
}

/** Decodes a cursor made by `encodeCursor`, or throws a ValidationError on `after`. */
export function decodeCursor<T>(cursor: string, check: (value: unknown) => value is T): T {
  let value: unknown;
  try {
    value = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
  } catch {
    value = undefined;
  }
  if (!check(value))
    throw new ValidationError([{ path: 'after', message: 'is not a cursor from a previous page', code: 'VALIDATION' }]);
  return value;
}

/** True when the flag passes every given criterion of the filter (absent criteria match everything). */
export function matchesFlagFilter(
  flag: Pick<Flag, 'key' | 'name' | 'description' | 'kind' | 'tags' | 'owner' | 'archived'>,
  filter: FlagFilter,
): boolean {
  if (filter.kind !== undefined && filter.kind !== null && flag.kind !== filter.kind) return false;
  if (filter.tag !== undefined && filter.tag !== null && !flag.tags.includes(filter.tag)) return false;
  if (filter.owner !== undefined && filter.owner !== null && flag.owner !== filter.owner) return false;
  if (filter.archived !== undefined && filter.archived !== null && flag.archived !== filter.archived) return false;
  if (filter.search !== undefined && filter.search !== null && filter.search !== '') {
    const needle = filter.search.toLowerCase();
    if (
      !flag.key.toLowerCase().includes(needle) &&
      !flag.name.toLowerCase().includes(needle) &&
      !flag.description.toLowerCase().includes(needle)
    )
      return false;
  }
  return true;
}

/** True when the change record's document matches every given field of the audit filter's ref. */
export function matchesAuditFilter(record: ChangeRecord, filter: AuditFilter): boolean {
  // ISO-8601 instants of one format compare as strings.
  if (filter.since !== undefined && record.at < filter.since) return false;
  if (filter.until !== undefined && record.at >= filter.until) return false;
  const ref = filter.ref;
  if (!ref) return true;
  if (ref.kind !== undefined && ref.kind !== null && record.ref.kind !== ref.kind) return false;
  if (ref.key !== undefined && ref.key !== null && record.ref.key !== ref.key) return false;
  if (ref.environment !== undefined && ref.environment !== null && environmentOf(record) !== ref.environment)
    return false;
  return true;
}

function isFlagCursor(value: unknown): value is { k: string } {
  return typeof value === 'object' && value !== null && typeof (value as { k?: unknown }).k === 'string';
}

function isAuditCursor(value: unknown): value is { p: number } {
  const p = (value as { p?: unknown } | null)?.p;
  return typeof value === 'object' && value !== null && typeof p === 'number' && Number.isSafeInteger(p) && p >= 0;
}

/** Flags are listed by key: the cursor of a flag, valid as `after` (also for a GraphQL edge). */
export function flagCursor(key: string): string {
  return encodeCursor({ k: key });
}

/** The key after which a flag page starts, or null for the first page. */
export function afterFlagKey(after: string | null | undefined): string | null {
  return after ? decodeCursor(after, isFlagCursor).k : null;
}

/** The audit log is listed newest first, by feed position. */
export function auditCursor(position: number): string {
  return encodeCursor({ p: position });
}

/** The position before which an audit page starts, or null for the first page. */
export function beforePosition(after: string | null | undefined): number | null {
  return after ? decodeCursor(after, isAuditCursor).p : null;
}
