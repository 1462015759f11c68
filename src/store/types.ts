/**
 * The storage contract that the embedded store and the MongoDB store both implement, and that one
 * contract test suite checks on both.
 *
 * Every write is one *change record*: at once the audit entry, the change-feed entry and the carrier
 * of the document's new version. A write is conditional on the document's expected version and either
 * commits whole (document, audit, feed) or not at all.
 */
import type { StickyPersistence } from './sticky/model.js';
import type { Environment, Flag, Segment } from '../flags/model.js';
import type { UsageEntry } from '../flags/usage.js';
import type { CodeReferenceReport } from './code-references.js';
import type { UsageBucket, UsageFilter } from './usage-series.js';
import type { WebhookPersistence } from './webhooks/model.js';

export type DocumentKind = 'environment' | 'flag' | 'segment' | 'apiKey';

/** What a change did, as shown in the audit log and in `flagChanged` events. */
export type ChangeAction = 'create' | 'update' | 'delete' | 'archive' | 'restore' | 'toggle' | 'revoke';

/**
 * `server` keys (`vxl_srv_`) are for back ends evaluating in-process: bound to one environment like
 * evaluation keys, they may also download that environment's flag set and follow `flagChanged`.
 */
export type ApiKeyKind = 'evaluation' | 'admin' | 'read-only' | 'server';

/** Kinds bound to exactly one environment. */
export function isEnvironmentBound(kind: ApiKeyKind): boolean {
  return kind === 'evaluation' || kind === 'server';
}

/** An API key as stored: metadata and a hash of the secret, never the secret itself. */
export interface ApiKeyRecord {
  id: string;
  name: string;
  kind: ApiKeyKind;
  /** Required for evaluation keys: the one environment they may evaluate in. */
  environment: string | null;
  /** Keyed hash of the secret (see server/api-keys); unique. */
  secretHash: string;
  /** The first characters of the secret (e.g. `vxl_eval_AbC1`), to recognise a key in lists. */
  prefix: string;
  createdAt: string;
  revokedAt: string | null;
  version: number;
}

export type DocumentOf<K extends DocumentKind> = K extends 'flag'
  ? Flag
  : K extends 'segment'
    ? Segment
    : K extends 'environment'
      ? Environment
      : ApiKeyRecord;

/** Identifies a document: flags and environments by key, segments by environment and key, API keys by id. */
export interface DocumentRef {
  kind: DocumentKind;
  key: string;
  /** Only for segments. */
  environment?: string;
}

export interface WriteMeta {
  /** Who made the change: an API key's name and id, or `system`. */
  actor: string;
  comment?: string;
}

/** One committed change: the audit entry and the change-feed entry. */
export interface ChangeRecord {
  /** Position in the change feed: strictly increasing in commit order, dense (no gaps once settled). */
  position: number;
  ref: DocumentRef;
  /**
   * The environment an environment-scoped change of a flag is about (toggleFlag, setFlagEnvironment);
   * absent for flag-wide changes. Segments name their environment in `ref`.
   */
  environment?: string;
  /** The document's version after this change (deletes too: previous version + 1). */
  version: number;
  action: ChangeAction;
  actor: string;
  comment: string | null;
  /** ISO-8601 commit time. */
  at: string;
  before: unknown | null;
  after: unknown | null;
}

/** Raised when a write's expected version is not the current one; nothing was written. */
export class VersionConflict extends Error {
  readonly code = 'CONFLICT';
  constructor(
    readonly ref: DocumentRef,
    readonly expectedVersion: number,
    /** 0 when the document does not exist. */
    readonly currentVersion: number,
  ) {
    super(
      `${ref.kind} '${ref.environment ? `${ref.environment}/` : ''}${ref.key}' is at version ${currentVersion}, not ${expectedVersion}`,
    );
    this.name = 'VersionConflict';
  }
}

/** Raised when the store cannot be reached; the write was not made (or its outcome is unknown and it will not be acknowledged). */
export class StoreUnavailable extends Error {
  readonly code = 'STORE_UNAVAILABLE';
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'StoreUnavailable';
  }
}

/** Raised by a read-only store (`vexil serve --flags`): the write was refused, nothing was written. */
export class ReadOnlyStore extends Error {
  readonly code = 'FORBIDDEN';
  constructor(message: string) {
    super(message);
    this.name = 'ReadOnlyStore';
  }
}

export class NotFound extends Error {
  readonly code = 'NOT_FOUND';
  constructor(readonly ref: DocumentRef) {
    super(`${ref.kind} '${ref.environment ? `${ref.environment}/` : ''}${ref.key}' does not exist`);
    this.name = 'NotFound';
  }
}

export interface FlagFilter {
  kind?: Flag['kind'];
  tag?: string;
  owner?: string;
  archived?: boolean;
  /** Case-insensitive substring of key, name or description. */
  search?: string;
}

export interface PageRequest {
  /** @default 50, at most 500 */
  first?: number;
  /** Opaque cursor from a previous page's `endCursor`. */
  after?: string | null;
}

export interface Page<T> {
  items: T[];
  endCursor: string | null;
  hasNextPage: boolean;
  totalCount: number;
}

export interface AuditFilter {
  /** `environment` matches segments of that environment and environment-scoped changes of flags. */
  ref?: Partial<DocumentRef>;
  /** Only changes committed at or after this instant (ISO-8601, as `toISOString` writes it). */
  since?: string;
  /** Only changes committed before this instant (ISO-8601, as `toISOString` writes it). */
  until?: string;
}

/** The environment a change record is scoped to: a segment's, or an environment-scoped flag change's. */
export function environmentOf(record: Pick<ChangeRecord, 'ref' | 'environment'>): string | null {
  return record.ref.environment ?? record.environment ?? null;
}

/** Persisted usage: per environment, flag and variation, summed over all gateway instances. */
export interface UsageStat {
  environment: string;
  flagKey: string;
  /** `null`: requests that ended in FLAG_NOT_FOUND for a key that is archived or was deleted. */
  variation: string | null;
  count: number;
  lastEvaluatedAt: string;
}

/** A full state of everything the engine needs, and the feed position it corresponds to. */
export interface StoreSnapshot {
  environments: Environment[];
  flags: Flag[];
  segments: Segment[];
  position: number;
}

export type FeedMode = 'in-process' | 'change-stream' | 'polling';

/** What a change-feed subscriber receives. */
export type FeedEvent =
  | { type: 'change'; record: ChangeRecord }
  /** The position asked for is too old to resume from (or the feed lost continuity): reload a full snapshot. */
  | { type: 'resync'; reason: string };

export interface FeedSubscription {
  close(): Promise<void>;
}

export interface StoreHealth {
  ok: boolean;
  store: 'embedded' | 'mongodb' | 'file';
  feedMode: FeedMode;
  detail?: string;
  /** Set while the state served is a last-known-good snapshot (the store is unreachable): when it was taken. */
  staleSince?: string;
}

/** A proposed write, before it is given a position. */
export interface PendingChange<K extends DocumentKind = DocumentKind> {
  ref: DocumentRef & { kind: K };
  /** The version the writer read; 0 for a create. The new version is expectedVersion + 1. */
  expectedVersion: number;
  action: ChangeAction;
  /** The new document, or null for a delete. Its `version` field must equal expectedVersion + 1. */
  after: DocumentOf<K> | null;
  meta: WriteMeta;
  /** For an environment-scoped change of a flag: the environment (recorded as `ChangeRecord.environment`). */
  environment?: string;
}

/**
 * The low-level persistence a backend provides. Validation and version bookkeeping live above it, in
 * `FlagStore` (store.ts), so both backends accept exactly the same documents.
 */
export interface StoreBackend {
  readonly name: 'embedded' | 'mongodb' | 'file';
  readonly feedMode: FeedMode;
  /** Creates collections/indexes idempotently and seeds the default environments into an empty store. */
  open(): Promise<void>;
  close(): Promise<void>;
  health(): Promise<StoreHealth>;

  /** Atomically commits one change if the document is still at `expectedVersion`; else throws VersionConflict. */
  commit<K extends DocumentKind>(change: PendingChange<K>): Promise<ChangeRecord>;

  get<K extends DocumentKind>(ref: DocumentRef & { kind: K }): Promise<DocumentOf<K> | null>;
  listFlags(filter: FlagFilter, page: PageRequest): Promise<Page<Flag>>;
  listSegments(environment?: string): Promise<Segment[]>;
  listEnvironments(): Promise<Environment[]>;
  listApiKeys(): Promise<ApiKeyRecord[]>;
  findApiKeyByHash(secretHash: string): Promise<ApiKeyRecord | null>;
  auditLog(filter: AuditFilter, page: PageRequest): Promise<Page<ChangeRecord>>;

  /** Everything the engine needs, consistent with the returned position. */
  snapshot(): Promise<StoreSnapshot>;
  /** Changes after `position` in commit order, or 'too-old' if they can no longer be listed. */
  changesSince(position: number, limit: number): Promise<ChangeRecord[] | 'too-old'>;
  /** Delivers every change after `position`, in order, exactly once, until closed (or a resync event). */
  subscribe(position: number, onEvent: (event: FeedEvent) => void): Promise<FeedSubscription>;

  /**
   * Adds drained usage counters (batched: one call per flush, never one write per evaluation): to the
   * totals, and to the hourly bucket of each entry's `lastEvaluatedAt`, dropping buckets older than
   * `usageRetentionHours` (usage-series.ts) on the way, so the series stays bounded.
   */
  mergeUsage(entries: readonly UsageEntry[]): Promise<void>;
  readUsage(filter?: UsageFilter): Promise<UsageStat[]>;
  /** Hourly buckets at or after `filter.since` (every kept bucket without it). */
  readUsageBuckets(filter?: UsageFilter): Promise<UsageBucket[]>;
  /** Stores a repository's code-reference report unless a later scan of it is stored; true when stored. */
  saveCodeReferences(report: CodeReferenceReport): Promise<boolean>;
  /** The latest report of every repository. */
  readCodeReferences(): Promise<CodeReferenceReport[]>;
  /** Webhooks and their delivery outbox (webhooks/model.ts); a backend without it refuses webhooks. */
  readonly webhooks?: WebhookPersistence;
  /** Sticky assignments of experiments (sticky/model.ts); without it they live in memory only. */
  readonly sticky?: StickyPersistence;
}
