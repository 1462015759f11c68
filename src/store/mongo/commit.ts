/**
 * Committing one change without multi-document transactions.
 *
 *   1. read the document's current state (latest change record or materialised doc, rolled forward);
 *      a version other than the expected one is a VersionConflict, before anything is written;
 *      deleting nothing is NotFound;
 *   2. reserve a feed position: `$inc` on the `feed` counter;
 *   3. insert the change record `{ _id: position, doc, seq: current + 1, ... }`. This single-document
 *      insert is the commit point. The unique (doc, seq) index admits one record per document change,
 *      so of two writers that read the same state only one gets in: the other sees a duplicate key and
 *      reports a VersionConflict, having made nothing visible;
 *   4. materialise: replace the document in its collection if the stored one is older (idempotent);
 *   5. acknowledge.
 *
 * A writer that dies after 2 leaves a hole at its position, which readers tombstone after a grace
 * period (gaps.ts); after 3 a committed but unmaterialised change, which readers roll forward
 * (materialise.ts, repair.ts); after 4 an applied but unacknowledged change. Nothing half-visible.
 */
import {
  StoreUnavailable,
  VersionConflict,
  type ChangeRecord,
  type DocumentKind,
  type PendingChange,
} from '../types.js';
import { docKey, type RecordDoc, type StoreCollections } from './collections.js';
import { describeError, isDuplicateKey } from './errors.js';
import type { Failpoint } from './failpoints.js';
import { fillHole } from './gaps.js';
import { applyRecord, readCurrent, toChangeRecord, type CurrentState } from './materialise.js';
import type { StoreLogger } from './options.js';

export interface CommitContext {
  collections: StoreCollections;
  failpoint: Failpoint;
  /** Test hook: runs between reserving a position and inserting the record (slow-writer tests). */
  afterReserve?: (position: number) => Promise<void> | void;
  /** Further checks against the current state (NotFound, unique API-key hashes), before anything is written. */
  check: (change: PendingChange, current: CurrentState) => Promise<void>;
  /** How many times to retry with a new position when a reader tombstoned ours. */
  positionRetries: number;
  logger: StoreLogger;
}

type InsertOutcome = 'inserted' | 'position-lost' | 'version-taken';

export async function commitChange<K extends DocumentKind>(
  context: CommitContext,
  change: PendingChange<K>,
): Promise<ChangeRecord> {
  for (let attempt = 0; ; attempt += 1) {
    const committed = await attemptCommit(context, change);
    if (committed !== 'position-lost') return committed;
    if (attempt >= context.positionRetries) {
      throw new StoreUnavailable(
        `could not commit a change to ${describe(change)}: its feed position was tombstoned ${attempt + 1} times by readers (a very slow writer); nothing was written`,
      );
    }
  }
}

async function attemptCommit(context: CommitContext, change: PendingChange): Promise<ChangeRecord | 'position-lost'> {
  const { collections } = context;
  const current = await readCurrent(collections, change.ref);
  if (current.version !== change.expectedVersion) throw conflict(change, current.version);
  await context.check(change, current);
  const position = await reservePosition(collections);
  context.failpoint('after-reserve');
  await context.afterReserve?.(position);
  const record = buildRecord(position, current, change);
  const outcome = await insertRecord(collections, record);
  if (outcome === 'position-lost') return outcome;
  if (outcome === 'version-taken') return loseRace(collections, change, position);
  context.failpoint('after-record');
  await materialiseCommitted(context, record);
  context.failpoint('after-materialise');
  return toChangeRecord(record);
}

/**
 * Step 2: the next feed position. Asks for the counter as it was *before* the increment: on MongoDB
 * both are atomic, but mongo-java-server (the test server) reads the 'after' image separately, so
 * concurrent reservations there could be handed the same position (and another never handed out).
 */
async function reservePosition(collections: StoreCollections): Promise<number> {
  const before = await collections.counters.findOneAndUpdate(
    { _id: 'feed' },
    { $inc: { position: 1 } },
    { upsert: true, returnDocument: 'before' },
  );
  return (before?.position ?? 0) + 1;
}

function buildRecord(position: number, current: CurrentState, change: PendingChange): RecordDoc {
  return {
    _id: position,
    doc: docKey(change.ref),
    seq: current.seq + 1,
    ref:
      change.ref.kind === 'segment'
        ? { kind: 'segment', environment: change.ref.environment ?? '', key: change.ref.key }
        : { kind: change.ref.kind, key: change.ref.key },
    ...(change.ref.kind === 'flag' && change.environment ? { environment: change.environment } : {}),
    version: change.expectedVersion + 1,
    action: change.action,
    actor: change.meta.actor,
    comment: change.meta.comment ?? null,
    at: new Date().toISOString(),
    before: current.body,
    after: change.after === null ? null : JSON.stringify(change.after),
  };
}

/** Step 3, the commit point. On a duplicate key, finds out which unique key was taken. */
async function insertRecord(collections: StoreCollections, record: RecordDoc): Promise<InsertOutcome> {
  try {
    await collections.changes.insertOne(record);
    return 'inserted';
  } catch (error) {
    if (!isDuplicateKey(error)) {
      // Unreachable, or an unknown outcome: fill our position quickly if it is still empty.
      await fillHole(collections.changes, record._id).catch(() => {});
      throw error;
    }
    const holder = await collections.changes.findOne({ _id: record._id }, { projection: { _id: 1 } });
    return holder ? 'position-lost' : 'version-taken';
  }
}

/** Another writer committed this document first: free our position at once, then report the conflict. */
async function loseRace(collections: StoreCollections, change: PendingChange, position: number): Promise<never> {
  await fillHole(collections.changes, position);
  const now = await readCurrent(collections, change.ref);
  throw conflict(change, now.version);
}

/**
 * Step 4. The change is committed whatever happens here, so it is acknowledged even if materialising
 * fails (e.g. the connection dropped just now): any reader rolls it forward.
 */
async function materialiseCommitted(context: CommitContext, record: RecordDoc): Promise<void> {
  try {
    await applyRecord(context.collections, record);
  } catch (error) {
    context.logger.warn(
      { position: record._id, doc: record.doc, err: describeError(error) },
      'mongodb store: a committed change is not materialised yet; readers will roll it forward',
    );
  }
}

function conflict(change: PendingChange, currentVersion: number): VersionConflict {
  return new VersionConflict(change.ref, change.expectedVersion, currentVersion);
}

function describe(change: PendingChange): string {
  return `${change.ref.kind} '${change.ref.environment ? `${change.ref.environment}/` : ''}${change.ref.key}'`;
}
