/**
 * `FlagStore`: the store API GraphQL uses, over either backend. It owns everything both backends must
 * agree on (validation, timestamps, version bookkeeping, retries of operator actions), each in its own
 * module: `flag-writes`, `segment-writes`, `api-key-writes`, `references`, `validation/`. Backends only
 * persist: one conditional commit per write, carrying the audit entry and the feed entry with it. The
 * reads, which pass straight to the backend, are inherited from `StoreReads` (store-reads.ts).
 */
import type { Environment, Flag, Segment } from '../flags/model.js';
import type { UsageEntry } from '../flags/usage.js';
import { createApiKey, revokeApiKey } from './api-key-writes.js';
import {
  archiveFlag,
  createFlag,
  deleteFlag,
  restoreFlag,
  setFlagEnvironment,
  toggleFlag,
  updateFlag,
} from './flag-writes.js';
import { RolloutWrites } from './rollout-writes.js';
import { createSegment, deleteSegment, updateSegment } from './segment-writes.js';
import { StoreReads } from './store-reads.js';
import { resetStickyAssignments } from './sticky/reset.js';
import type { ApiKeyRecord, ChangeRecord, FeedMode, StoreBackend, StoreHealth, WriteMeta } from './types.js';
import { type CodeReferenceReport, validateCodeReferenceReport } from './code-references.js';
import { NotFoundUsageFilter } from './not-found-usage.js';
import { type StaleFlag, type StaleReportOptions, staleReport } from './stale/report.js';
import { type UsageFlush, type UsageFlushOptions, type UsageSource, startUsageFlush } from './usage-flusher.js';
import type { ApiKeyInput } from './validation/api-key-input.js';
import { type DefaultExpiryDays, defaultExpiryDays } from './validation/default-expiry.js';
import { type EnvironmentInput, validateEnvironmentInput } from './validation/environment-input.js';
import { checkMeta } from './validation/input.js';
import type { WriteContext } from './write-context.js';
import { WebhookStore } from './webhooks/webhook-store.js';

export { initialEnvironmentConfig } from './environment-config.js';
export type { ApiKeyInput } from './validation/api-key-input.js';
export type { EnvironmentInput } from './validation/environment-input.js';
export type { UsageFlush, UsageFlushOptions } from './usage-flusher.js';

export interface FlagStoreOptions {
  /** Attempts of a read-modify-write (toggle, archive, restore, revoke without a version) before giving up. @default 20 */
  maxRetries?: number;
  /** The clock for `createdAt` / `updatedAt`. @default () => new Date() */
  now?: () => Date;
  /**
   * Days until a new flag expires when it is created without `expiresAt`, per kind; kinds left out
   * (ops, permission) stay permanent. @default { release: 40, experiment: 90 }
   */
  defaultExpiryDays?: DefaultExpiryDays;
}

export class FlagStore extends StoreReads {
  private readonly clock: () => Date;
  private readonly context: WriteContext;
  private readonly notFoundUsage: NotFoundUsageFilter;
  /** Webhooks and their deliveries (webhooks/). */
  readonly webhooks: WebhookStore;
  /** Rollout plans: set, delete and step them (rollout-writes.ts). */
  readonly rollouts: RolloutWrites;

  constructor(backend: StoreBackend, options: FlagStoreOptions = {}) {
    super(backend);
    const clock = options.now ?? (() => new Date());
    this.clock = clock;
    this.notFoundUsage = new NotFoundUsageFilter(backend);
    this.webhooks = new WebhookStore(backend, () => clock().toISOString());
    this.context = {
      backend,
      maxRetries: options.maxRetries ?? 20,
      now: () => clock().toISOString(),
      defaultExpiryDays: options.defaultExpiryDays ?? defaultExpiryDays,
    };
    this.rollouts = new RolloutWrites(this.context);
  }

  /** Opens the backend (creating indexes, seeding the default environments) and returns the store. */
  static async open(backend: StoreBackend, options?: FlagStoreOptions): Promise<FlagStore> {
    const store = new FlagStore(backend, options);
    await store.open();
    return store;
  }

  get name(): StoreBackend['name'] {
    return this.backend.name;
  }

  get feedMode(): FeedMode {
    return this.backend.feedMode;
  }

  async open(): Promise<void> {
    return this.backend.open();
  }

  async close(): Promise<void> {
    return this.backend.close();
  }

  async health(): Promise<StoreHealth> {
    return this.backend.health();
  }

  // ---- flags ----

  /**
   * Creates a flag; an `expiresAt` that is not in the future is refused (VALIDATION on `expiresAt`).
   * Release and experiment flags created without one expire after their kind's default (`defaultExpiryDays`).
   */
  async createFlag(input: unknown, meta: WriteMeta): Promise<Flag> {
    return createFlag(this.context, input, meta);
  }

  /**
   * Replaces a flag's fields (all but key, version and createdAt). `environments`, `salt` and `archived`
   * keep their current values when absent, so an edit of the metadata cannot drop the targeting; a
   * given environment without `rules` keeps its rules. Setting `expiresAt` to a past time is refused.
   */
  async updateFlag(key: string, input: unknown, expectedVersion: number, meta: WriteMeta): Promise<Flag> {
    return updateFlag(this.context, key, input, expectedVersion, meta);
  }

  /** Replaces one environment's targeting of a flag; `rules` left out keep the current rules (`[]` clears them). */
  async setFlagEnvironment(
    key: string,
    environment: string,
    config: unknown,
    expectedVersion: number,
    meta: WriteMeta,
  ): Promise<Flag> {
    return setFlagEnvironment(this.context, key, environment, config, expectedVersion, meta);
  }

  /**
   * The kill switch. Without `expectedVersion` it is a read-modify-write retried on conflicts, so an
   * operator in an incident is never blocked by a concurrent edit. An environment the flag was never
   * configured in gets the unconfigured default (off: the false-like variation; on: the true-like one).
   */
  async toggleFlag(
    key: string,
    environment: string,
    on: boolean,
    expectedVersion: number | undefined,
    meta: WriteMeta,
  ): Promise<Flag> {
    return toggleFlag(this.context, key, environment, on, expectedVersion, meta);
  }

  /** Archives a flag; its experiment is over, so its sticky assignments are dropped. */
  async archiveFlag(key: string, expectedVersion: number | undefined, meta: WriteMeta): Promise<Flag> {
    const flag = await archiveFlag(this.context, key, expectedVersion, meta);
    await this.backend.sticky?.remove(key);
    return flag;
  }

  /** Forgets the sticky assignments of a flag environment (sticky/reset.ts). */
  async resetStickyAssignments(
    key: string,
    environment: string,
    expectedVersion: number | undefined,
    meta: WriteMeta,
  ): Promise<Flag> {
    return resetStickyAssignments(this.context, key, environment, expectedVersion, meta);
  }

  async restoreFlag(key: string, expectedVersion: number | undefined, meta: WriteMeta): Promise<Flag> {
    return restoreFlag(this.context, key, expectedVersion, meta);
  }

  /** Deletes a flag; rejected while another flag uses it as a prerequisite. */
  async deleteFlag(key: string, expectedVersion: number, meta: WriteMeta): Promise<ChangeRecord> {
    return deleteFlag(this.context, key, expectedVersion, meta);
  }

  // ---- segments ----

  async createSegment(input: unknown, meta: WriteMeta): Promise<Segment> {
    return createSegment(this.context, input, meta);
  }

  async updateSegment(
    environment: string,
    key: string,
    input: unknown,
    expectedVersion: number,
    meta: WriteMeta,
  ): Promise<Segment> {
    return updateSegment(this.context, environment, key, input, expectedVersion, meta);
  }

  /** Deletes a segment; rejected while a flag's rule in that environment uses it. */
  async deleteSegment(
    environment: string,
    key: string,
    expectedVersion: number,
    meta: WriteMeta,
  ): Promise<ChangeRecord> {
    return deleteSegment(this.context, environment, key, expectedVersion, meta);
  }

  // ---- environments ----

  async createEnvironment(input: EnvironmentInput, meta: WriteMeta): Promise<Environment> {
    const environment = validateEnvironmentInput(input, this.context.now());
    await this.backend.commit({
      ref: { kind: 'environment', key: environment.key },
      expectedVersion: 0,
      action: 'create',
      after: environment,
      meta: checkMeta(meta),
    });
    return environment;
  }

  // ---- API keys ----

  /** Stores an API key's metadata and secret hash; only the known fields are kept (a secret passed along is dropped). */
  async createApiKey(record: ApiKeyInput, meta: WriteMeta): Promise<ApiKeyRecord> {
    return createApiKey(this.context, record, meta);
  }

  /** Revokes a key (idempotent: an already revoked key is returned as it is). */
  async revokeApiKey(id: string, meta: WriteMeta): Promise<ApiKeyRecord> {
    return revokeApiKey(this.context, id, meta);
  }

  // ---- audit, feed, usage ----

  /**
   * Adds one flush of drained counters (one backend write for the whole batch). FLAG_NOT_FOUND counts
   * are kept only for keys that are archived or were deleted (not-found-usage.ts).
   */
  async mergeUsage(entries: readonly UsageEntry[]): Promise<void> {
    const counted = await this.notFoundUsage.keepKnown(entries.filter((entry) => entry.count > 0));
    if (counted.length > 0) await this.backend.mergeUsage(counted);
  }

  /** Merges usage drained from `source` (the engine's `UsageRecorder`) periodically; see `usage-flusher.ts`. */
  startUsageFlush(source: UsageSource, options: UsageFlushOptions = {}): UsageFlush {
    return startUsageFlush(source, this, { now: this.clock, ...options });
  }

  // ---- flag hygiene ----

  /** The store's clock as ISO-8601 (the default "now" of stale reports). */
  now(): string {
    return this.context.now();
  }

  /** Validates and keeps a repository's code-reference report; false when a later scan of it is kept already. */
  async reportCodeReferences(input: unknown): Promise<{ report: CodeReferenceReport; stored: boolean }> {
    const report = validateCodeReferenceReport(input, this.context.now());
    return { report, stored: await this.backend.saveCodeReferences(report) };
  }

  /** The stale-flag report: every flag (and deleted, still requested key) with a reason; see stale/. */
  async staleFlags(options: Partial<StaleReportOptions> = {}): Promise<StaleFlag[]> {
    return staleReport(this.backend, { ...options, now: options.now ?? this.context.now() });
  }
}
