/**
 * A store that was unreachable at start: served from the last-known-good snapshot (a read-only
 * MemoryBackend whose writes fail with STORE_UNAVAILABLE) while connecting goes on in the background
 * with exponential backoff and jitter. Once the store answers, it takes over: every subscriber of
 * the feed is told to resynchronise, so the engine reloads from the store (EngineSync), the
 * subscriptions get the store's state pushed, and writes go to the store.
 */
import type { UsageEntry } from '../../flags/usage.js';
import type { CodeReferenceReport } from '../code-references.js';
import { MemoryBackend } from '../memory/memory-backend.js';
import {
  type DocumentKind,
  type DocumentRef,
  type FeedEvent,
  type FeedSubscription,
  type FlagFilter,
  type AuditFilter,
  type PageRequest,
  type PendingChange,
  type StoreBackend,
  type StoreHealth,
  StoreUnavailable,
} from '../types.js';
import type { UsageFilter } from '../usage-series.js';
import type { LastKnownGood } from './snapshot-file.js';

export interface FallbackOptions {
  snapshot: LastKnownGood;
  /** A fresh backend of the store for each connection attempt. */
  connect: () => StoreBackend;
  /** First wait between attempts; doubled up to `retryMaxMs`. @default 500 */
  retryMinMs?: number;
  /** @default 30000 */
  retryMaxMs?: number;
  onConnected?: () => void;
  onAttemptFailed?: (error: Error, nextAttemptMs: number) => void;
}

export class FallbackBackend implements StoreBackend {
  readonly name: StoreBackend['name'];
  private current: StoreBackend;
  private live: StoreBackend | null = null;
  private readonly stale: MemoryBackend;
  private readonly resyncs = new Set<(event: FeedEvent) => void>();
  private timer: NodeJS.Timeout | null = null;
  private closed = false;

  constructor(private readonly options: FallbackOptions) {
    const { snapshot } = options;
    this.name = snapshot.store;
    this.stale = new MemoryBackend({
      name: snapshot.store,
      state: snapshot,
      position: snapshot.position,
      apiKeys: snapshot.apiKeys,
      refuse: () =>
        new StoreUnavailable(
          `the ${snapshot.store} store is unreachable: this gateway serves the last-known-good snapshot taken at ${snapshot.takenAt}, read-only, until it is back`,
        ),
      health: () => ({
        ok: false,
        staleSince: snapshot.takenAt,
        detail: `the store is unreachable; serving the last-known-good snapshot taken at ${snapshot.takenAt}`,
      }),
    });
    this.current = this.stale;
  }

  /** When the served snapshot was taken (ISO-8601). */
  get takenAt(): string {
    return this.options.snapshot.takenAt;
  }

  /** True while the snapshot is served. */
  get isStale(): boolean {
    return this.live === null;
  }

  get feedMode() {
    return this.current.feedMode;
  }

  async open(): Promise<void> {
    this.schedule(this.options.retryMinMs ?? 500);
  }

  async close(): Promise<void> {
    this.closed = true;
    if (this.timer) clearTimeout(this.timer);
    await this.stale.close();
    await this.live?.close();
  }

  private schedule(delayMs: number): void {
    if (this.closed) return;
    this.timer = setTimeout(() => void this.attempt(delayMs), delayMs);
  }

  private async attempt(delayMs: number): Promise<void> {
    const backend = this.options.connect();
    try {
      await backend.open();
    } catch (error) {
      await backend.close().catch(() => undefined);
      const next = Math.min(delayMs * 2, this.options.retryMaxMs ?? 30_000);
      const jittered = Math.round(next * (0.8 + Math.random() * 0.4));
      this.options.onAttemptFailed?.(error as Error, jittered);
      return this.schedule(jittered);
    }
    if (this.closed) return void (await backend.close());
    this.live = backend;
    this.current = backend;
    this.options.onConnected?.();
    // Subscribers of the snapshot's feed start over from the store.
    for (const onEvent of [...this.resyncs]) onEvent({ type: 'resync', reason: 'the store is reachable again' });
    this.resyncs.clear();
  }

  health(): Promise<StoreHealth> {
    return this.current.health();
  }

  commit<K extends DocumentKind>(change: PendingChange<K>) {
    return this.current.commit(change);
  }

  get<K extends DocumentKind>(ref: DocumentRef & { kind: K }) {
    return this.current.get(ref);
  }

  listFlags(filter: FlagFilter, page: PageRequest) {
    return this.current.listFlags(filter, page);
  }

  listSegments(environment?: string) {
    return this.current.listSegments(environment);
  }

  listEnvironments() {
    return this.current.listEnvironments();
  }

  listApiKeys() {
    return this.current.listApiKeys();
  }

  findApiKeyByHash(secretHash: string) {
    return this.current.findApiKeyByHash(secretHash);
  }

  auditLog(filter: AuditFilter, page: PageRequest) {
    return this.current.auditLog(filter, page);
  }

  snapshot() {
    return this.current.snapshot();
  }

  changesSince(position: number, limit: number) {
    return this.current.changesSince(position, limit);
  }

  async subscribe(position: number, onEvent: (event: FeedEvent) => void): Promise<FeedSubscription> {
    if (this.live) return this.live.subscribe(position, onEvent);
    const subscription = await this.stale.subscribe(position, onEvent);
    this.resyncs.add(onEvent);
    return {
      close: async () => {
        this.resyncs.delete(onEvent);
        await subscription.close();
      },
    };
  }

  mergeUsage(entries: readonly UsageEntry[]) {
    // Counted while stale would be lost on the switch: refuse, so the flusher keeps them for the store.
    if (!this.live) return Promise.reject(new StoreUnavailable('the store is unreachable; usage is kept for later'));
    return this.live.mergeUsage(entries);
  }

  readUsage(filter?: UsageFilter) {
    return this.current.readUsage(filter);
  }

  readUsageBuckets(filter?: UsageFilter) {
    return this.current.readUsageBuckets(filter);
  }

  saveCodeReferences(report: CodeReferenceReport) {
    return this.current.saveCodeReferences(report);
  }

  readCodeReferences() {
    return this.current.readCodeReferences();
  }
}
