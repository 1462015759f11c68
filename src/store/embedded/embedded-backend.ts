/**
 * The embedded store: in-process, on LMDB (lmdb-js) in a data directory.
 *
 * Durability and atomicity: every commit is one lmdb-js `childTransaction` callback. The callback
 * runs inside LMDB's single write transaction, checks the document's version, takes the next feed
 * position (last + 1), and writes the document, its change record (audit + feed) and the indexes; if
 * it throws (version conflict, not found, duplicate API-key hash) the child transaction is aborted and
 * nothing of it is written, and no position is used. lmdb-js batches the callbacks of one event turn
 * into one LMDB transaction, run in call order, so positions are dense and in commit order.
 *
 * The returned promise resolves only after LMDB's commit, including the fsync, has returned (lmdb-js
 * defaults, no `noSync`: with `overlappingSync`, the default on Linux and macOS, the transaction becomes
 * visible to readers first and `mdb_txn_commit` returns once the data and the meta page are flushed;
 * lmdb-js sets TXN_COMMITTED, which resolves the promise, after that return). So an acknowledged write
 * survives `kill -9` and power loss; the crash test checks the former.
 */
import { resolve } from 'node:path';
import type { Environment, Flag, Segment } from '../../flags/model.js';
import { defaultEnvironmentChanges } from '../default-environments.js';
import type { UsageEntry } from '../../flags/usage.js';
import { sortEnvironments } from '../environment-order.js';
import type { CodeReferenceReport } from '../code-references.js';
import type { UsageBucket, UsageFilter } from '../usage-series.js';
import {
  type ApiKeyRecord,
  type AuditFilter,
  type ChangeRecord,
  type DocumentKind,
  type DocumentOf,
  type DocumentRef,
  type FeedEvent,
  type FeedSubscription,
  type FlagFilter,
  type Page,
  type PageRequest,
  type PendingChange,
  type StoreBackend,
  type StoreHealth,
  type StoreSnapshot,
  StoreUnavailable,
  type UsageStat,
} from '../types.js';
import { checkKind } from '../validation/pending-change.js';
import { readAuditLog } from './audit-log.js';
import { commitChange, isKnownError } from './commit.js';
import { databaseOf, documentKey, metaKeys, type Stored } from './keys.js';
import { discardState, type OpenState, openState } from './open-state.js';
import { type EmbeddedBackendOptions, maxChangeRecordsOf } from './options.js';
import { listFlagPage, readSnapshot } from './queries.js';
import { mergeUsage, readCodeReferences, readUsage, readUsageBuckets, saveCodeReferences } from './statistics.js';
import { EmbeddedWebhooks } from '../webhooks/embedded-webhooks.js';
import { EmbeddedSticky } from '../sticky/embedded-sticky.js';
import type { StickyPersistence } from '../sticky/model.js';
import type { WebhookPersistence } from '../webhooks/model.js';

export type { EmbeddedBackendOptions } from './options.js';

export class EmbeddedBackend implements StoreBackend {
  readonly name = 'embedded' as const;
  readonly feedMode = 'in-process' as const;
  readonly dataDir: string;
  readonly maxChangeRecords: number | null;
  private state: OpenState | null = null;
  private opening: Promise<void> | null = null;
  readonly webhooks: WebhookPersistence = new EmbeddedWebhooks(() => this.open_);
  readonly sticky: StickyPersistence = new EmbeddedSticky(() => this.open_);

  constructor(options: EmbeddedBackendOptions) {
    this.dataDir = resolve(options.dataDir);
    this.maxChangeRecords = maxChangeRecordsOf(options);
  }

  /** Takes the directory lock, opens LMDB, checks the schema and seeds the default environments. */
  async open(): Promise<void> {
    if (this.state) return;
    if (!this.opening) this.opening = this.doOpen().finally(() => (this.opening = null));
    return this.opening;
  }

  private async doOpen(): Promise<void> {
    const state = await openState(this.dataDir, (position, limit) => this.readChanges(position, limit));
    this.state = state;
    try {
      if (state.db.environments.getCount() === 0) await this.seedEnvironments();
    } catch (error) {
      this.state = null;
      await discardState(state);
      throw error;
    }
  }

  private async seedEnvironments(): Promise<void> {
    await Promise.all(defaultEnvironmentChanges().map((change) => this.commit(change)));
  }

  /** Closes subscriptions, waits for outstanding commits, closes LMDB and releases the directory. Idempotent. */
  async close(): Promise<void> {
    if (this.opening) await this.opening.catch(() => undefined);
    const state = this.state;
    if (!state) return;
    this.state = null;
    state.notifier.closeAll();
    try {
      await state.root.close();
    } finally {
      state.lock.releaseSync();
    }
  }

  async health(): Promise<StoreHealth> {
    const state = this.state;
    if (!state) return { ok: false, store: 'embedded', feedMode: 'in-process', detail: 'the store is not open' };
    try {
      const position = (state.db.meta.get(metaKeys.lastPosition) as number | undefined) ?? 0;
      return { ok: true, store: 'embedded', feedMode: 'in-process', detail: `${this.dataDir} at position ${position}` };
    } catch (error) {
      return { ok: false, store: 'embedded', feedMode: 'in-process', detail: (error as Error).message };
    }
  }

  private get open_(): OpenState {
    if (!this.state) throw new StoreUnavailable(`the embedded store in '${this.dataDir}' is not open`);
    return this.state;
  }

  /** Runs synchronous reads, turning LMDB failures into StoreUnavailable. */
  private read<T>(body: (state: OpenState) => T): T {
    const state = this.open_;
    try {
      return body(state);
    } catch (error) {
      if (isKnownError(error)) throw error;
      throw new StoreUnavailable(`reading the embedded store failed: ${(error as Error).message}`, { cause: error });
    }
  }

  async commit<K extends DocumentKind>(change: PendingChange<K>): Promise<ChangeRecord> {
    const state = this.open_;
    const record = await commitChange(state.root, state.db, change, this.maxChangeRecords);
    state.notifier.acknowledge(record.position);
    return record;
  }

  async get<K extends DocumentKind>(ref: DocumentRef & { kind: K }): Promise<DocumentOf<K> | null> {
    checkKind(ref.kind);
    return this.read(({ db }) => {
      const stored = db[databaseOf(ref.kind)].get(documentKey(ref)) as Stored<DocumentOf<K>> | undefined;
      return stored?.doc ?? null;
    });
  }

  async listFlags(filter: FlagFilter, page: PageRequest): Promise<Page<Flag>> {
    return this.read(({ db }) => listFlagPage(db, filter, page));
  }

  async listSegments(environment?: string): Promise<Segment[]> {
    return this.read(({ db }) => {
      const range =
        environment === undefined || environment === null ? {} : { start: [environment], end: [environment, '\uffff'] };
      return [...db.segments.getRange(range)].map(({ value }) => (value as Stored<Segment>).doc);
    });
  }

  async listEnvironments(): Promise<Environment[]> {
    return this.read(({ db }) =>
      sortEnvironments([...db.environments.getRange()].map(({ value }) => (value as Stored<Environment>).doc)),
    );
  }

  async listApiKeys(): Promise<ApiKeyRecord[]> {
    return this.read(({ db }) => [...db.apiKeys.getRange()].map(({ value }) => (value as Stored<ApiKeyRecord>).doc));
  }

  async findApiKeyByHash(secretHash: string): Promise<ApiKeyRecord | null> {
    return this.read(({ db }) => {
      const id = db.apiKeyHashes.get(secretHash) as string | undefined;
      if (id === undefined) return null;
      return (db.apiKeys.get(id) as Stored<ApiKeyRecord> | undefined)?.doc ?? null;
    });
  }

  async auditLog(filter: AuditFilter, page: PageRequest): Promise<Page<ChangeRecord>> {
    return this.read(({ db }) => readAuditLog(db, filter, page));
  }

  async snapshot(): Promise<StoreSnapshot> {
    return this.read(({ root, db }) => readSnapshot(root, db));
  }

  async changesSince(position: number, limit: number): Promise<ChangeRecord[] | 'too-old'> {
    return this.read(() => this.readChanges(position, limit));
  }

  /** Synchronous: the committed records after `position`, in order. */
  private readChanges(position: number, limit: number): ChangeRecord[] | 'too-old' {
    if (!Number.isSafeInteger(position) || position < 0) throw new RangeError(`invalid feed position ${position}`);
    const { db } = this.open_;
    const prunedThrough = (db.meta.get(metaKeys.prunedThrough) as number | undefined) ?? 0;
    if (position < prunedThrough) return 'too-old';
    const count = Math.max(1, Math.min(Math.floor(limit) || 1, 10_000));
    return [...db.changes.getRange({ start: position + 1, limit: count })].map(({ value }) => value as ChangeRecord);
  }

  async subscribe(position: number, onEvent: (event: FeedEvent) => void): Promise<FeedSubscription> {
    if (!Number.isSafeInteger(position) || position < 0) throw new RangeError(`invalid feed position ${position}`);
    return this.read(({ db, notifier }) => {
      const last = (db.meta.get(metaKeys.lastPosition) as number | undefined) ?? 0;
      if (position > last) {
        // Not a position of this store (another data directory?): the subscriber must start over.
        queueMicrotask(() =>
          onEvent({ type: 'resync', reason: `position ${position} is ahead of this store's change feed (at ${last})` }),
        );
        return { close: async () => undefined };
      }
      return notifier.subscribe(position, onEvent);
    });
  }

  async mergeUsage(entries: readonly UsageEntry[]): Promise<void> {
    const { root, db } = this.open_;
    try {
      await mergeUsage(root, db, entries);
    } catch (error) {
      if (error instanceof RangeError) throw error;
      throw new StoreUnavailable(`the embedded store could not merge usage: ${(error as Error).message}`, {
        cause: error,
      });
    }
  }

  async readUsage(filter?: UsageFilter): Promise<UsageStat[]> {
    return this.read(({ db }) => readUsage(db, filter));
  }

  async readUsageBuckets(filter?: UsageFilter): Promise<UsageBucket[]> {
    return this.read(({ db }) => readUsageBuckets(db, filter));
  }

  async saveCodeReferences(report: CodeReferenceReport): Promise<boolean> {
    const { root, db } = this.open_;
    try {
      return await saveCodeReferences(root, db, report);
    } catch (error) {
      throw new StoreUnavailable(`the embedded store could not save code references: ${(error as Error).message}`, {
        cause: error,
      });
    }
  }

  async readCodeReferences(): Promise<CodeReferenceReport[]> {
    return this.read(({ db }) => readCodeReferences(db));
  }

  /** Position of the last acknowledged commit (for tests and diagnostics). */
  get acknowledgedPosition(): number {
    return this.open_.notifier.acknowledged;
  }
}
