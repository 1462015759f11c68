/**
 * Keeps the engine's sticky assignments and the store's in step: loads them all at start, writes the
 * ones made here behind (batched, shortly after the first is queued), and every `pollMs` learns those
 * other instances recorded, so the first recorded assignment ends up served everywhere.
 */
import type { StickyAssignment, StickyAssignments } from '../../flags/sticky-assignments.js';
import type { StickyCursor, StickyPersistence } from './model.js';

export interface StickySyncOptions {
  /** How often assignments recorded by other instances are read. @default 1000 */
  pollMs?: number;
  /** How long after the first new assignment the batch is written. @default 50 */
  flushDelayMs?: number;
  onError?: (error: unknown) => void;
}

export class StickySync {
  private cursor: StickyCursor = null;
  private timer: NodeJS.Timeout | undefined;
  private flushTimer: NodeJS.Timeout | undefined;
  private running: Promise<void> = Promise.resolve();
  private retry: StickyAssignment[] = [];
  private stopped = false;

  constructor(
    private readonly persistence: StickyPersistence,
    private readonly assignments: StickyAssignments,
    private readonly options: StickySyncOptions = {},
  ) {}

  /** Loads every stored assignment (call after the engine has loaded the flags), then keeps in step. */
  async start(): Promise<void> {
    // A store that is down at start must not keep the gateway down: the first round loads them instead.
    await this.learn().catch((error: unknown) => this.options.onError?.(error));
    this.assignments.onPending = () => this.scheduleFlush();
    this.timer = setInterval(() => this.round(), this.options.pollMs ?? 1000);
    this.timer.unref();
  }

  private scheduleFlush(): void {
    if (this.flushTimer !== undefined || this.stopped) return;
    this.flushTimer = setTimeout(() => {
      this.flushTimer = undefined;
      this.serially(() => this.flush());
    }, this.options.flushDelayMs ?? 50);
    this.flushTimer.unref();
  }

  private round(): void {
    this.serially(async () => {
      await this.flush();
      await this.learn();
    });
  }

  /** One store operation at a time, errors reported, never thrown into a timer. */
  private serially(work: () => Promise<void>): void {
    this.running = this.running.then(work).catch((error: unknown) => this.options.onError?.(error));
  }

  private async flush(): Promise<void> {
    const batch = [...this.retry, ...this.assignments.drain()];
    this.retry = [];
    if (batch.length === 0) return;
    try {
      await this.persistence.insert(batch);
    } catch (error) {
      this.retry = batch.slice(0, 10_000); // kept for the next round, bounded while the store is down
      throw error;
    }
  }

  private async learn(): Promise<void> {
    const { assignments, cursor } = await this.persistence.since(this.cursor);
    for (const assignment of assignments) this.assignments.learn(assignment);
    this.cursor = cursor;
  }

  /** Writes what is queued and stops. */
  async stop(): Promise<void> {
    this.stopped = true;
    clearInterval(this.timer);
    clearTimeout(this.flushTimer);
    this.assignments.onPending = undefined;
    this.serially(() => this.flush());
    await this.running;
  }
}
