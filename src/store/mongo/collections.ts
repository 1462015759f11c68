/**
 * The MongoDB store's collections, the shape of their documents, and their indexes.
 *
 * Everything is created at start-up by `ensureCollections`, idempotently (an existing collection or
 * an identical index is left alone), so any number of gateway processes may open the same database.
 *
 *   changes        One document per committed write: at once the audit entry, the change-feed entry
 *                  and the carrier of the document's new version. Also holds tombstones, which fill
 *                  a feed position that was reserved but never written.
 *                    _id                         the feed position (number; unique by nature)
 *                    one_change_per_doc_seq      { doc: 1, seq: 1 }, unique: the commit point and the
 *                                                optimistic-concurrency check (see commit.ts).
 *                                                doc = "<kind>:<_id in its collection>"; seq = the
 *                                                document's change count (its version, except that a
 *                                                deleted and re-created document restarts at version
 *                                                1 while seq goes on)
 *                    audit_by_ref                { 'ref.kind': 1, 'ref.key': 1, _id: -1 }: audit log of
 *                                                one document, newest first
 *   counters       Small bookkeeping documents:
 *                    { _id: 'feed', position }          the last feed position handed out
 *                    { _id: 'materialised', position }  every change up to here is materialised
 *                                                       and its positions settled (repair.ts)
 *                    { _id: 'pruned', position }        changes up to here were pruned (retention)
 *   flags          The current flags, derived from `changes`.   _id: flag key
 *                  (each materialised doc: the document as JSON text in `body`, native copies of
 *                  the fields lists filter on, `_seq` and `_v`: see materialise.ts)
 *                    materialised_cas            { _id: 1, _seq: 1 }, unique (all four collections)
 *                    flags_by_tag                { tags: 1 }
 *                    flags_by_owner              { owner: 1 }
 *   segments       The current segments.        _id: "<environment>/<key>" (each part URI-encoded)
 *                    materialised_cas            { _id: 1, _seq: 1 }, unique
 *                    segments_by_environment     { environment: 1, key: 1 }
 *   environments   The current environments.    _id: environment key
 *                    materialised_cas            { _id: 1, _seq: 1 }, unique
 *   apiKeys        The current API keys.        _id: key id
 *                    materialised_cas            { _id: 1, _seq: 1 }, unique
 *                    api_keys_by_hash            { secretHash: 1 } (not unique: see below)
 *   feedCursors    Per gateway instance, the change stream's last resume token and feed position.
 *                  _id: instance id
 *   usage          Evaluation counts per environment, flag and variation, summed over instances:
 *                  totals, _id "<environment>/<flag>/<variation>" (each part URI-encoded; "<environment>/<flag>"
 *                  with variation null for FLAG_NOT_FOUND requests), `hour` null; and hourly buckets of the
 *                  last 30 days, _id "<hour>/<environment>/<flag>[/<variation>]", `hour` the start of the hour.
 *                  One collection, so that one bulkWrite adds a flush to both (usage.ts).
 *                    usage_by_hour               { hour: 1 } (all totals; buckets since an hour; dropping old ones)
 *                    usage_by_flag               { flagKey: 1, hour: 1 }
 *   codeReferences The latest code-reference report of each repository. _id: repository
 *
 * `materialised_cas` serves the compare-and-set that applies a change to its materialised document
 * (`{ _id, _seq: <previous> }`, materialise.ts). On MongoDB the `_id` index alone would do, and this
 * one costs a small entry per write; mongo-java-server, the test server, only uses an index whose
 * key set equals the query's, and would otherwise scan the collection on every write.
 *
 * The materialised collections (flags, segments, environments, apiKeys) keep a deleted document as
 * a marker `{ _id, _seq, _v: 0, _deleted: true }`, so that replaying an older change can never bring
 * it back. `secretHash` is deliberately not a unique index: the commit point is the insert into
 * `changes`, and a constraint that could only fail later, while materialising, would leave a
 * committed change that can never be applied. A duplicate hash is refused before committing (best
 * effort, like FlagStore's own check); secrets are 256 random bits, so only a caller bug makes one.
 */
import type { Collection, Db } from 'mongodb';
import type { CodeReferenceReport } from '../code-references.js';
import type { ChangeAction, DocumentKind, DocumentRef } from '../types.js';

export const collectionNames = {
  changes: 'changes',
  counters: 'counters',
  flags: 'flags',
  segments: 'segments',
  environments: 'environments',
  apiKeys: 'apiKeys',
  feedCursors: 'feedCursors',
  usage: 'usage',
  codeReferences: 'codeReferences',
} as const;

/** A committed change, as stored. */
export interface RecordDoc {
  /** Feed position. */
  _id: number;
  /** Identity of the changed document across kinds (`docKey`). */
  doc: string;
  /**
   * The document's change count: 1 for its first change, +1 for every change after, never reset.
   * Equal to `version` except after a delete and a re-create (a re-created document starts again at
   * version 1, but its `seq` goes on, so the unique index still admits exactly one writer).
   */
  seq: number;
  ref: DocumentRef;
  /** `ChangeRecord.environment`: set for environment-scoped changes of flags only. */
  environment?: string;
  version: number;
  action: ChangeAction;
  actor: string;
  comment: string | null;
  at: string;
  /** The document before and after the change, as JSON text (materialise.ts says why). */
  before: string | null;
  after: string | null;
  tombstone?: undefined;
}

/** Fills a feed position whose writer never wrote it (crashed, or lost to a slow-writer race). */
export interface TombstoneDoc {
  _id: number;
  /** Unique per position, so tombstones never collide on the (doc, seq) index. */
  doc: string;
  seq: 0;
  tombstone: true;
  at: string;
}

export type ChangeDoc = RecordDoc | TombstoneDoc;

export interface CounterDoc {
  _id: 'feed' | 'materialised' | 'pruned';
  position: number;
}

/** A current document in a materialised collection, with the change that produced it. */
export interface MaterialisedDoc extends MaterialisedState {
  _id: string;
}

/** A materialised document without its `_id`: the replacement a change record produces. */
export interface MaterialisedState {
  /** `seq` of the change record this state comes from. */
  _seq: number;
  /** The document's version (0 once deleted); kept apart because environments carry no version. */
  _v: number;
  _deleted?: true;
  /** The document as JSON text; absent once deleted. */
  body?: string;
  /** Native copies of the top-level fields lists filter on (materialise.ts). */
  [field: string]: unknown;
}

export interface FeedCursorDoc {
  _id: string;
  resumeToken: unknown;
  position: number;
  updatedAt: string;
}

export interface UsageDoc {
  _id: string;
  environment: string;
  flagKey: string;
  variation: string | null;
  count: number;
  /** Totals: null (or absent in documents written before buckets existed). Buckets: the start of the hour, ISO-8601. */
  hour?: string | null;
  /** Totals only. */
  lastEvaluatedAt?: string;
}

export interface CodeReferencesDoc extends CodeReferenceReport {
  _id: string;
}

export interface StoreCollections {
  changes: Collection<ChangeDoc>;
  counters: Collection<CounterDoc>;
  feedCursors: Collection<FeedCursorDoc>;
  usage: Collection<UsageDoc>;
  codeReferences: Collection<CodeReferencesDoc>;
  /** The materialised collection of each document kind. */
  documents: Record<DocumentKind, Collection<MaterialisedDoc>>;
}

export function storeCollections(db: Db): StoreCollections {
  return {
    changes: db.collection<ChangeDoc>(collectionNames.changes),
    counters: db.collection<CounterDoc>(collectionNames.counters),
    feedCursors: db.collection<FeedCursorDoc>(collectionNames.feedCursors),
    usage: db.collection<UsageDoc>(collectionNames.usage),
    codeReferences: db.collection<CodeReferencesDoc>(collectionNames.codeReferences),
    documents: {
      flag: db.collection<MaterialisedDoc>(collectionNames.flags),
      segment: db.collection<MaterialisedDoc>(collectionNames.segments),
      environment: db.collection<MaterialisedDoc>(collectionNames.environments),
      apiKey: db.collection<MaterialisedDoc>(collectionNames.apiKeys),
    },
  };
}

/** `_id` of a document in its materialised collection. */
export function materialisedId(ref: DocumentRef): string {
  if (ref.kind !== 'segment') return ref.key;
  return `${encodeURIComponent(ref.environment ?? '')}/${encodeURIComponent(ref.key)}`;
}

/** Identity of a document across kinds, as stored in change records' `doc`. */
export function docKey(ref: DocumentRef): string {
  return `${ref.kind}:${materialisedId(ref)}`;
}

export function tombstoneKey(position: number): string {
  return `tombstone:${position}`;
}

/** Serves the materialised collections' compare-and-set on (`_id`, `_seq`); see the header. */
const casIndex = { key: { _id: 1, _seq: 1 }, name: 'materialised_cas', unique: true } as const;

/** Creates every collection and index the store uses; safe to run concurrently and repeatedly. */
export async function ensureCollections(db: Db, collections: StoreCollections): Promise<void> {
  await createMissingCollections(db);
  await Promise.all([
    collections.changes.createIndexes([
      { key: { doc: 1, seq: 1 }, name: 'one_change_per_doc_seq', unique: true },
      { key: { 'ref.kind': 1, 'ref.key': 1, _id: -1 }, name: 'audit_by_ref' },
    ]),
    collections.documents.flag.createIndexes([
      casIndex,
      { key: { tags: 1 }, name: 'flags_by_tag' },
      { key: { owner: 1 }, name: 'flags_by_owner' },
    ]),
    collections.documents.segment.createIndexes([
      casIndex,
      { key: { environment: 1, key: 1 }, name: 'segments_by_environment' },
    ]),
    collections.documents.environment.createIndexes([casIndex]),
    collections.documents.apiKey.createIndexes([casIndex, { key: { secretHash: 1 }, name: 'api_keys_by_hash' }]),
    collections.usage.createIndexes([
      { key: { hour: 1 }, name: 'usage_by_hour' },
      { key: { flagKey: 1, hour: 1 }, name: 'usage_by_flag' },
    ]),
  ]);
  await ensureFeedCounter(collections);
}

async function createMissingCollections(db: Db): Promise<void> {
  const existing = new Set((await db.listCollections({}, { nameOnly: true }).toArray()).map((c) => c.name));
  for (const name of Object.values(collectionNames)) {
    if (existing.has(name)) continue;
    // Another process may create it between our list and create: NamespaceExists (48) is fine.
    await db.createCollection(name).catch((error: { code?: number }) => {
      if (error.code !== 48) throw error;
    });
  }
}

/** Creates the feed counter up front, so that concurrent first reservations never race an upsert. */
async function ensureFeedCounter(collections: StoreCollections): Promise<void> {
  await collections.counters
    .updateOne({ _id: 'feed' }, { $setOnInsert: { position: 0 } }, { upsert: true })
    .catch((error: { code?: number }) => {
      if (error.code !== 11000) throw error;
    });
}
