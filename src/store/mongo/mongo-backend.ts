/**
 * The MongoDB store backend: many gateway instances share one database.
 *
 * Atomicity comes from single-document writes, no transactions (commit.ts): each write is one
 * change record, the commit point, from which the materialised collections are derived
 * idempotently (materialise.ts, repair.ts). The change feed is a change stream on the change
 * records where the deployment supports one, else polling, both in position order (feed.ts, gaps.ts).
 * A lost connection makes operations fail within `serverSelectionTimeoutMS` with StoreUnavailable;
 * subscriptions retry in the background and miss nothing when the database is back.
 */
import { MongoClient, type Db } from 'mongodb';
import type { Environment, Flag, Segment } from '../../flags/model.js';
import type { UsageEntry } from '../../flags/usage.js';
import type { CodeReferenceReport } from '../code-references.js';
import { mergeSameCounter, type UsageBucket, type UsageFilter } from '../usage-series.js';
import {
  StoreUnavailable,
  type ApiKeyRecord,
  type AuditFilter,
  type ChangeRecord,
  type DocumentKind,
  type DocumentOf,
  type DocumentRef,
  type FeedEvent,
  type FeedMode,
  type FeedSubscription,
  type FlagFilter,
  type Page,
  type PageRequest,
  type PendingChange,
  type StoreBackend,
  type StoreHealth,
  type StoreSnapshot,
  type UsageStat,
} from '../types.js';
import { checkChange, checkKind } from '../validation/pending-change.js';
import { ensureCollections, storeCollections, type StoreCollections } from './collections.js';
import { checkPosition, readChangesSince } from './changes-since.js';
import { commitChange, type CommitContext } from './commit.js';
import { describeError, guard } from './errors.js';
import { failpoint } from './failpoints.js';
import { openFeed, resyncLater, type TailMode } from './feed.js';
import type { FeedContext } from './tail.js';
import { chooseFeedMode } from './feed-mode.js';
import { HoleClock, lastReservedPosition } from './gaps.js';
import { parseBody, readCurrent } from './materialise.js';
import { resolveOptions, type MongoBackendOptions, type ResolvedOptions } from './options.js';
import * as queries from './queries.js';
import { Repairer } from './repair.js';
import { pruneChanges } from './retention.js';
import { RetentionSchedule } from './retention-schedule.js';
import { readCodeReferences, saveCodeReferences } from './code-references.js';
import { mergeUsage, readUsage, readUsageBuckets } from './usage.js';
import { seedEnvironments } from './seed-environments.js';
import { SubscriptionSet } from './subscription-set.js';
import { checkAgainstStore } from './validate-change.js';
import { MongoWebhooks } from '../webhooks/mongo-webhooks.js';
import { MongoSticky } from '../sticky/mongo-sticky.js';

export class MongoBackend implements StoreBackend {
  readonly name = 'mongodb' as const;
  readonly options: ResolvedOptions;
  /** The driver client (tests and tools watch its events). */
  readonly client: MongoClient;
  private readonly collections: StoreCollections;
  private readonly clock: HoleClock;
  private readonly repairer: Repairer;
  private mode: TailMode;
  private opened = false;
  private opening: Promise<void> | null = null;
  private readonly retention: RetentionSchedule;
  private readonly subscriptions = new SubscriptionSet();
  readonly webhooks = new MongoWebhooks(() => this.db);
  readonly sticky = new MongoSticky(() => this.db);

  constructor(options: MongoBackendOptions) {
    this.options = resolveOptions(options);
    this.client = new MongoClient(this.options.uri, {
      serverSelectionTimeoutMS: this.options.serverSelectionTimeoutMS,
      // Documents are plain JSON; never turn an absent member into null.
      ignoreUndefined: true,
      ...this.options.clientOptions,
    });
    this.collections = storeCollections(this.db);
    this.clock = new HoleClock(this.options.gapGraceMs);
    this.repairer = new Repairer(this.collections, this.clock);
    this.retention = new RetentionSchedule(this.collections, this.repairer, this.options);
    this.mode = this.options.feedMode === 'polling' ? 'polling' : 'change-stream';
  }

  /** The store's database (tests and tools inspect it directly). */
  get db(): Db {
    return this.client.db(this.options.database);
  }

  get feedMode(): FeedMode {
    return this.mode;
  }

  get instanceId(): string {
    return this.options.instanceId;
  }

  /** Connects, creates collections and indexes, picks the feed mode, rolls forward, seeds. Idempotent. */
  async open(): Promise<void> {
    if (this.opened) return;
    this.opening ??= guard('opening the store', () => this.doOpen()).finally(() => {
      this.opening = null;
    });
    return this.opening;
  }

  private async doOpen(): Promise<void> {
    await this.client.connect();
    await ensureCollections(this.db, this.collections);
    this.mode = await chooseFeedMode(this.options, this.collections);
    await this.repairer.start();
    await seedEnvironments(this.collections, (change) => this.commitNow(change));
    await this.retention.start();
    this.opened = true;
  }

  /** Ends every subscription and disconnects. Idempotent. */
  async close(): Promise<void> {
    await this.opening?.catch(() => {});
    await this.subscriptions.closeAll();
    this.opened = false;
    await this.client.close();
  }

  async health(): Promise<StoreHealth> {
    const base = { store: 'mongodb', feedMode: this.mode } as const;
    if (!this.opened) return { ...base, ok: false, detail: 'the store is not open' };
    try {
      await this.db.command({ ping: 1 });
      return { ...base, ok: true, detail: `database '${this.options.database}', change feed by ${this.mode}` };
    } catch (error) {
      return { ...base, ok: false, detail: `MongoDB is unreachable: ${describeError(error)}` };
    }
  }

  async commit<K extends DocumentKind>(change: PendingChange<K>): Promise<ChangeRecord> {
    checkChange(change);
    const record = await this.run('committing a change (not acknowledged)', () => this.commitNow(change));
    await this.retention.afterCommit(record.position);
    return record;
  }

  /** Runs an operation of the open store, turning a lost connection into StoreUnavailable. */
  private run<T>(doing: string, operation: () => Promise<T>): Promise<T> {
    if (!this.opened)
      return Promise.reject(
        new StoreUnavailable(`the MongoDB store (database '${this.options.database}') is not open`),
      );
    return guard(doing, operation);
  }

  private commitNow(change: PendingChange): Promise<ChangeRecord> {
    return commitChange(this.commitContext, change);
  }

  private get commitContext(): CommitContext {
    return {
      collections: this.collections,
      // Armed only once open: seeding at open must not trip a test's failpoint.
      failpoint: failpoint(() => (this.opened ? this.options.failpoint : null)),
      afterReserve: this.options.hooks.afterReserve,
      check: (change, current) => checkAgainstStore(this.collections, change, current),
      positionRetries: 2,
      logger: this.options.logger,
    };
  }

  async get<K extends DocumentKind>(ref: DocumentRef & { kind: K }): Promise<DocumentOf<K> | null> {
    checkKind(ref?.kind);
    return this.run('reading a document', async () =>
      parseBody<DocumentOf<K>>((await readCurrent(this.collections, ref)).body),
    );
  }

  /** Runs a list query once every settled change is materialised (roll-forward after crashed writers). */
  private listing<T>(query: (collections: StoreCollections) => Promise<T>): Promise<T> {
    return this.run('reading the store', async () => {
      await this.repairer.catchUp();
      return query(this.collections);
    });
  }

  listFlags(filter: FlagFilter, page: PageRequest): Promise<Page<Flag>> {
    return this.listing((collections) => queries.listFlags(collections, filter, page));
  }

  listSegments(environment?: string): Promise<Segment[]> {
    return this.listing((collections) => queries.listSegments(collections, environment));
  }

  listEnvironments(): Promise<Environment[]> {
    return this.listing((collections) => queries.listEnvironments(collections));
  }

  listApiKeys(): Promise<ApiKeyRecord[]> {
    return this.listing((collections) => queries.listApiKeys(collections));
  }

  findApiKeyByHash(secretHash: string): Promise<ApiKeyRecord | null> {
    return this.listing((collections) => queries.findApiKeyByHash(collections, secretHash));
  }

  auditLog(filter: AuditFilter, page: PageRequest): Promise<Page<ChangeRecord>> {
    return this.run('reading the audit log', () => queries.auditLog(this.collections, filter, page));
  }

  /**
   * The settled position is fixed first, then everything up to it is materialised, then the
   * collections are read: they hold at least every change up to the position (maybe some later
   * ones, which a subscriber from that position receives again, harmlessly, in order).
   */
  snapshot(): Promise<StoreSnapshot> {
    return this.run('reading a snapshot', async () => {
      const position = await this.repairer.catchUp();
      const [environments, flags, segments] = await Promise.all([
        queries.listEnvironments(this.collections),
        queries.listAllFlags(this.collections),
        queries.listSegments(this.collections),
      ]);
      return { environments, flags, segments, position };
    });
  }

  async changesSince(position: number, limit: number): Promise<ChangeRecord[] | 'too-old'> {
    checkPosition(position);
    return this.run('reading the change feed', () => readChangesSince(this.collections, this.clock, position, limit));
  }

  async subscribe(position: number, onEvent: (event: FeedEvent) => void): Promise<FeedSubscription> {
    checkPosition(position);
    return this.run('subscribing to the change feed', async () => {
      const last = await lastReservedPosition(this.collections.counters);
      if (position > last)
        return resyncLater(onEvent, `position ${position} is ahead of this store's change feed (at ${last})`);
      const subscription = await openFeed(this.feedContext, this.mode, position, onEvent);
      return this.subscriptions.track(subscription);
    });
  }

  private get feedContext(): FeedContext {
    const { instanceId, pollIntervalMs, logger } = this.options;
    return { collections: this.collections, clock: this.clock, instanceId, pollIntervalMs, logger };
  }

  async mergeUsage(entries: readonly UsageEntry[]): Promise<void> {
    mergeSameCounter(entries); // throws RangeError on a bad count before anything is written
    await this.run('merging usage statistics', () => mergeUsage(this.collections, entries));
  }

  readUsage(filter?: UsageFilter): Promise<UsageStat[]> {
    return this.run('reading usage statistics', () => readUsage(this.collections, filter));
  }

  readUsageBuckets(filter?: UsageFilter): Promise<UsageBucket[]> {
    return this.run('reading usage statistics', () => readUsageBuckets(this.collections, filter));
  }

  saveCodeReferences(report: CodeReferenceReport): Promise<boolean> {
    return this.run('saving code references', () => saveCodeReferences(this.collections, report));
  }

  readCodeReferences(): Promise<CodeReferenceReport[]> {
    return this.run('reading code references', () => readCodeReferences(this.collections));
  }

  /**
   * Retention: deletes the change records (and audit entries) up to `throughPosition`, at most up to
   * the settled, materialised prefix. Subscribers and `changesSince` asking for older positions get a
   * resync / 'too-old'. Returns the position through which records are now pruned.
   */
  prune(throughPosition: number): Promise<number> {
    return this.run('pruning the change records', () => pruneChanges(this.collections, this.repairer, throughPosition));
  }
}
