/**
 * The reads of `FlagStore` (store.ts): they go straight to the backend, with paging normalised, so
 * the store's own module is left with what both backends must agree on (writes, usage, hygiene).
 */
import type { Environment, Flag, Segment } from '../flags/model.js';
import type { CodeReferenceReport } from './code-references.js';
import { maxPageSize, pageSize } from './paging.js';
import type {
  ApiKeyRecord,
  AuditFilter,
  ChangeRecord,
  FeedEvent,
  FeedSubscription,
  FlagFilter,
  Page,
  PageRequest,
  StoreBackend,
  StoreSnapshot,
  UsageStat,
} from './types.js';
import type { UsageBucket, UsageFilter } from './usage-series.js';

export class StoreReads {
  constructor(readonly backend: StoreBackend) {}

  // ---- flags ----

  async getFlag(key: string): Promise<Flag | null> {
    return this.backend.get({ kind: 'flag', key });
  }

  /** Flags sorted by key; `archived` absent lists archived and active flags alike. */
  async listFlags(filter: FlagFilter = {}, page: PageRequest = {}): Promise<Page<Flag>> {
    return this.backend.listFlags(filter ?? {}, { first: pageSize(page), after: page?.after ?? null });
  }

  // ---- segments ----

  async getSegment(environment: string, key: string): Promise<Segment | null> {
    return this.backend.get({ kind: 'segment', environment, key });
  }

  async listSegments(environment?: string): Promise<Segment[]> {
    return this.backend.listSegments(environment);
  }

  // ---- environments ----

  async getEnvironment(key: string): Promise<Environment | null> {
    return this.backend.get({ kind: 'environment', key });
  }

  async listEnvironments(): Promise<Environment[]> {
    return this.backend.listEnvironments();
  }

  // ---- API keys ----

  async getApiKey(id: string): Promise<ApiKeyRecord | null> {
    return this.backend.get({ kind: 'apiKey', key: id });
  }

  async listApiKeys(): Promise<ApiKeyRecord[]> {
    return this.backend.listApiKeys();
  }

  async findApiKeyByHash(secretHash: string): Promise<ApiKeyRecord | null> {
    return this.backend.findApiKeyByHash(secretHash);
  }

  // ---- audit, feed, usage ----

  /** Change records, newest first, optionally of one document (or of a kind / key / environment). */
  async auditLog(filter: AuditFilter = {}, page: PageRequest = {}): Promise<Page<ChangeRecord>> {
    return this.backend.auditLog(filter ?? {}, { first: pageSize(page), after: page?.after ?? null });
  }

  async snapshot(): Promise<StoreSnapshot> {
    return this.backend.snapshot();
  }

  async changesSince(position: number, limit = maxPageSize): Promise<ChangeRecord[] | 'too-old'> {
    return this.backend.changesSince(position, limit);
  }

  async subscribe(position: number, onEvent: (event: FeedEvent) => void): Promise<FeedSubscription> {
    return this.backend.subscribe(position, onEvent);
  }

  async readUsage(filter?: UsageFilter): Promise<UsageStat[]> {
    return this.backend.readUsage(filter);
  }

  /** Hourly usage buckets (the last 30 days are kept), optionally of one environment / flag, since an hour. */
  async readUsageBuckets(filter?: UsageFilter): Promise<UsageBucket[]> {
    return this.backend.readUsageBuckets(filter);
  }

  // ---- flag hygiene ----

  /** The latest code-reference report of every repository. */
  async readCodeReferences(): Promise<CodeReferenceReport[]> {
    return this.backend.readCodeReferences();
  }
}
