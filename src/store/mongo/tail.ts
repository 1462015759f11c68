/**
 * What both change-feed tails (feed.ts) share: ordering through a GapSequencer, delivery to the
 * subscriber, the retry loop with backoff, and sleeps that close() interrupts.
 */
import type { FeedEvent } from '../types.js';
import type { ChangeDoc, StoreCollections } from './collections.js';
import { describeError, isUnavailable } from './errors.js';
import { GapSequencer, type HoleClock, readInOrder } from './gaps.js';
import { isRecord, toChangeRecord } from './materialise.js';
import type { StoreLogger } from './options.js';

export interface FeedContext {
  collections: StoreCollections;
  clock: HoleClock;
  instanceId: string;
  pollIntervalMs: number;
  logger: StoreLogger;
}

const READ_BATCH = 1000;
const RETRY_MIN_MS = 100;
const RETRY_MAX_MS = 2000;

/** What both tails share: the ordering, delivery, the retry loop and interruptible sleeps. */
export abstract class Tail {
  protected closed = false;
  protected readonly sequencer: GapSequencer;
  private loop: Promise<void> = Promise.resolve();
  private wake: (() => void) | null = null;
  private failures = 0;

  constructor(
    protected readonly context: FeedContext,
    position: number,
    private readonly onEvent: (event: FeedEvent) => void,
  ) {
    this.sequencer = new GapSequencer(position + 1);
  }

  /** Connects (failing with the driver's error when the database is unreachable), then runs in the background. */
  async start(): Promise<void> {
    await this.connect();
    this.loop = this.run();
  }

  async close(): Promise<void> {
    this.closed = true;
    this.wake?.();
    await this.disconnect();
    await this.loop;
    await this.disconnect();
  }

  protected abstract connect(): Promise<void>;
  protected abstract step(): Promise<void>;
  protected abstract disconnect(): Promise<void>;

  private async run(): Promise<void> {
    while (!this.closed) {
      try {
        await this.step();
        this.recovered();
      } catch (error) {
        if (this.closed) break;
        await this.retryAfter(error);
      }
    }
  }

  private async retryAfter(error: unknown): Promise<void> {
    this.failures += 1;
    if (this.failures === 1)
      this.context.logger.warn(
        { err: describeError(error), unavailable: isUnavailable(error) },
        'change feed interrupted; retrying',
      );
    await this.sleep(Math.min(RETRY_MAX_MS, RETRY_MIN_MS * 2 ** (this.failures - 1)));
    if (this.closed) return;
    await this.disconnect();
    await this.connect().catch(() => {}); // the next step fails and retries again
  }

  private recovered(): void {
    if (this.failures > 0) this.context.logger.info({ position: this.sequencer.next - 1 }, 'change feed resumed');
    this.failures = 0;
  }

  /**
   * Reads the collection from the next undelivered position up to now (or a young hole), delivering
   * as it goes. Ends the subscription with a resync when that position was pruned.
   */
  protected async catchUp(): Promise<void> {
    const { changes, counters } = this.context.collections;
    for (;;) {
      const docs = await readInOrder({
        changes,
        counters,
        sequencer: this.sequencer,
        clock: this.context.clock,
        limit: READ_BATCH,
      });
      if (docs === 'too-old')
        return this.resync(`the change records after position ${this.sequencer.next - 1} were pruned`);
      this.deliver(docs);
      if (docs.filter(isRecord).length < READ_BATCH) return;
    }
  }

  /** Takes changes from any source (stream events, reads), releasing them once in order. */
  protected offer(doc: ChangeDoc): void {
    this.sequencer.offer(doc);
    this.deliver(this.sequencer.take());
  }

  private deliver(docs: readonly ChangeDoc[]): void {
    for (const doc of docs) {
      if (this.closed) return;
      if (isRecord(doc)) this.emit({ type: 'change', record: toChangeRecord(doc) });
    }
  }

  private resync(reason: string): void {
    this.emit({ type: 'resync', reason });
    this.closed = true;
  }

  private emit(event: FeedEvent): void {
    try {
      this.onEvent(event);
    } catch (error) {
      this.context.logger.warn({ err: describeError(error) }, 'change feed subscriber threw');
    }
  }

  protected sleep(ms: number): Promise<void> {
    if (this.closed) return Promise.resolve();
    return new Promise((resolve) => {
      const timer = setTimeout(done, ms);
      const self = this;
      function done(): void {
        clearTimeout(timer);
        self.wake = null;
        resolve();
      }
      this.wake = done;
    });
  }
}
