/**
 * Keeps an engine current from the store: one full snapshot at start, then the change feed alone.
 * This is what lets many gateway instances share one database: an instance learns of every change,
 * its own included, only from the feed. On a gap it cannot resume from, it reloads a full snapshot.
 */
import { EventEmitter } from 'node:events';
import type { FlagEngine, TouchedFlags } from '../flags/engine.js';
import { toEngineChange } from './engine-changes.js';
import type { ChangeRecord, FeedEvent, FeedSubscription, StoreBackend } from './types.js';

export interface SyncEvents {
  /** A committed change was applied; `touched` lists the flags it may have altered per environment. */
  change: [record: ChangeRecord, touched: TouchedFlags];
  /** The engine was reloaded from a full snapshot (start or resynchronisation). */
  reload: [position: number];
  error: [error: Error];
}

type Source = Pick<StoreBackend, 'snapshot' | 'subscribe'>;

export class EngineSync extends EventEmitter<SyncEvents> {
  private subscription: FeedSubscription | null = null;
  private currentPosition = -1;
  private loaded = false;
  private closed = false;
  private reloading: Promise<void> | null = null;
  private readonly waiters = new Set<{ test: () => boolean; resolve: () => void }>();

  constructor(
    private readonly store: Source,
    readonly engine: FlagEngine,
  ) {
    super();
  }

  /** Feed position of the last change applied to the engine. */
  get position(): number {
    return this.currentPosition;
  }

  get isLoaded(): boolean {
    return this.loaded;
  }

  async start(): Promise<void> {
    await this.reload();
  }

  async close(): Promise<void> {
    this.closed = true;
    await this.subscription?.close();
    this.subscription = null;
    for (const waiter of this.waiters) waiter.resolve();
    this.waiters.clear();
  }

  /**
   * Resolves once the engine reflects a condition (e.g. a flag at a version just written), or after
   * `timeoutMs`. Mutations use it so a client reads its own writes.
   */
  waitFor(test: () => boolean, timeoutMs = 5000): Promise<boolean> {
    if (test()) return Promise.resolve(true);
    return new Promise((resolve) => {
      const waiter = {
        test,
        resolve: () => {
          clearTimeout(timer);
          this.waiters.delete(waiter);
          resolve(test());
        },
      };
      const timer = setTimeout(waiter.resolve, timeoutMs);
      this.waiters.add(waiter);
    });
  }

  /** Waits until the engine holds flag `key` at `version` or later (or, for null, until it is gone). */
  waitForFlag(key: string, version: number | null, timeoutMs?: number): Promise<boolean> {
    return this.waitFor(() => {
      const flag = this.engine.flag(key);
      return version === null ? flag === undefined : (flag?.version ?? 0) >= version;
    }, timeoutMs);
  }

  waitForSegment(environment: string, key: string, version: number | null, timeoutMs?: number): Promise<boolean> {
    return this.waitFor(() => {
      const segment = this.engine.segment(environment, key);
      return version === null ? segment === undefined : (segment?.version ?? 0) >= version;
    }, timeoutMs);
  }

  waitForPosition(position: number, timeoutMs?: number): Promise<boolean> {
    return this.waitFor(() => this.currentPosition >= position, timeoutMs);
  }

  private async reload(): Promise<void> {
    if (this.reloading) return this.reloading;
    this.reloading = (async () => {
      await this.subscription?.close();
      const snapshot = await this.store.snapshot();
      this.engine.load(snapshot);
      this.currentPosition = snapshot.position;
      this.loaded = true;
      this.emit('reload', snapshot.position);
      this.settleWaiters();
      if (!this.closed)
        this.subscription = await this.store.subscribe(snapshot.position, (event) => this.onFeedEvent(event));
    })().finally(() => {
      this.reloading = null;
    });
    return this.reloading;
  }

  private onFeedEvent(event: FeedEvent): void {
    if (this.closed) return;
    if (event.type === 'resync') {
      this.reload().catch((error: Error) => this.emit('error', error));
      return;
    }
    const { record } = event;
    if (record.position <= this.currentPosition) return; // already applied (replay overlap after a reload)
    this.currentPosition = record.position;
    const change = toEngineChange(record);
    const touched = change ? this.engine.apply([change]) : new Map();
    this.emit('change', record, touched);
    this.settleWaiters();
  }

  private settleWaiters(): void {
    for (const waiter of [...this.waiters]) if (waiter.test()) waiter.resolve();
  }
}
