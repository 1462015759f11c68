/**
 * One commit of the embedded store, inside lmdb-js's write transaction: the version check, the next
 * feed position, the document, its change record (audit + feed), the indexes and retention. If the
 * callback throws, the child transaction is aborted and nothing of it is written.
 */
import type { Database, RootDatabase } from 'lmdb';
import { ValidationError } from '../../flags/errors.js';
import type { Flag } from '../../flags/model.js';
import {
  type ApiKeyRecord,
  type ChangeRecord,
  type DocumentKind,
  NotFound,
  type PendingChange,
  StoreUnavailable,
  VersionConflict,
} from '../types.js';
import { checkChange } from '../validation/pending-change.js';
import {
  auditIndexKey,
  type DatabaseName,
  databaseOf,
  documentKey,
  flagSummary,
  metaKeys,
  normalizeRef,
  type Stored,
} from './keys.js';

export type Databases = Record<DatabaseName, Database>;

export function isKnownError(error: unknown): boolean {
  return (
    error instanceof VersionConflict ||
    error instanceof NotFound ||
    error instanceof ValidationError ||
    error instanceof StoreUnavailable
  );
}

/** Commits `change` if the document is still at its expected version; `maxChangeRecords` null keeps every record. */
export async function commitChange<K extends DocumentKind>(
  root: RootDatabase,
  db: Databases,
  change: PendingChange<K>,
  maxChangeRecords: number | null,
): Promise<ChangeRecord> {
  checkChange(change);
  try {
    return await root.childTransaction(() => writeChange(db, change, maxChangeRecords));
  } catch (error) {
    if (isKnownError(error)) throw error;
    throw new StoreUnavailable(`the embedded store could not commit: ${(error as Error).message}`, { cause: error });
  }
}

function writeChange(db: Databases, change: PendingChange, maxChangeRecords: number | null): ChangeRecord {
  const ref = normalizeRef(change.ref);
  const key = documentKey(ref);
  const store = db[databaseOf(ref.kind)];
  const stored = store.get(key) as Stored<unknown> | undefined;
  const current = stored?.version ?? 0;
  if (current !== change.expectedVersion) throw new VersionConflict(ref, change.expectedVersion, current);
  if (change.after === null && !stored) throw new NotFound(ref);
  if (ref.kind === 'apiKey')
    updateHashIndex(db, ref.key, stored?.doc as ApiKeyRecord | undefined, change.after as ApiKeyRecord | null);
  const position = ((db.meta.get(metaKeys.lastPosition) as number | undefined) ?? 0) + 1;
  const written: ChangeRecord = {
    position,
    ref,
    ...(ref.kind === 'flag' && change.environment ? { environment: change.environment } : {}),
    version: change.expectedVersion + 1,
    action: change.action,
    actor: change.meta.actor,
    comment: change.meta.comment ?? null,
    at: new Date().toISOString(),
    before: stored?.doc ?? null,
    after: change.after,
  };
  if (change.after === null) store.removeSync(key);
  else store.putSync(key, { version: written.version, doc: change.after } satisfies Stored<unknown>);
  if (ref.kind === 'flag') {
    if (change.after === null) db.flagIndex.removeSync(key);
    else db.flagIndex.putSync(key, flagSummary(change.after as Flag));
  }
  db.changes.putSync(position, written);
  db.auditIndex.putSync(auditIndexKey(ref, position), 1);
  db.meta.putSync(metaKeys.lastPosition, position);
  if (maxChangeRecords !== null) prune(db, position, maxChangeRecords);
  return written;
}

function updateHashIndex(
  db: Databases,
  id: string,
  before: ApiKeyRecord | undefined,
  after: ApiKeyRecord | null,
): void {
  if (after) {
    const owner = db.apiKeyHashes.get(after.secretHash) as string | undefined;
    if (owner !== undefined && owner !== id) {
      throw new ValidationError([
        { path: 'secretHash', message: 'another API key has the same secret hash', code: 'VALIDATION' },
      ]);
    }
  }
  if (before && before.secretHash !== after?.secretHash) db.apiKeyHashes.removeSync(before.secretHash);
  if (after) db.apiKeyHashes.putSync(after.secretHash, id);
}

/** Retention: drops the oldest change records beyond `maxChangeRecords`, in the committing transaction. */
function prune(db: Databases, position: number, maxChangeRecords: number): void {
  const prunedThrough = (db.meta.get(metaKeys.prunedThrough) as number | undefined) ?? 0;
  const target = position - maxChangeRecords;
  if (target <= prunedThrough) return;
  for (const { key, value } of db.changes.getRange({ start: prunedThrough + 1, end: target + 1 })) {
    const record = value as ChangeRecord;
    db.auditIndex.removeSync(auditIndexKey(record.ref, record.position));
    db.changes.removeSync(key);
  }
  db.meta.putSync(metaKeys.prunedThrough, target);
}
