/**
 * The change feed: every change after a position, in position order, exactly once.
 *
 * A subscription first replays the change records after its position from the collection, then
 * tails: with a change stream on `changes` where the deployment supports one, else by polling the
 * collection. Either way changes pass through a GapSequencer, so a change stream event for position
 * 6 waits while 5 is a young hole (gaps.ts), exactly as polling does.
 *
 * Connection loss: the tail keeps retrying with backoff. A change stream is reopened from its last
 * resume token and followed by a catch-up read of the collection from the last delivered position,
 * so nothing written during the outage is missed; positions already delivered are ignored.
 */
import type { ChangeStream, ChangeStreamDocument, ResumeToken } from 'mongodb';
import type { FeedEvent, FeedSubscription } from '../types.js';
import type { ChangeDoc, StoreCollections } from './collections.js';
import { describeError, isUnavailable } from './errors.js';
import { GapSequencer, type HoleClock, prunedThrough, readInOrder } from './gaps.js';
import { isRecord, toChangeRecord } from './materialise.js';
import type { StoreLogger } from './options.js';

export type TailMode = 'change-stream' | 'polling';

export interface FeedContext {
  collections: StoreCollections;
  clock: HoleClock;
  instanceId: string;
  pollIntervalMs: number;
  logger: StoreLogger;
}

const PIPELINE = [{ $match: { operationType: 'insert' } }];
/** A change stream's empty getMore returns after at most this long, so young holes get re-checked. */
const MAX_AWAIT_MS = 250;
const READ_BATCH = 1000;
const RETRY_MIN_MS = 100;
const RETRY_MAX_MS = 2000;
const CURSOR_PERSIST_MS = 1000;
/** A change-stream subscription without news re-reads the collection this often (see StreamTail.catchUp). */
const IDLE_CATCH_UP_MS = 1000;
/** A persisted resume token is only worth replaying from when it is this close to the asked position. */
const TOKEN_REPLAY_LIMIT = 1000;

export async function openFeed(
  context: FeedContext,
  mode: TailMode,
  position: number,
  onEvent: (event: FeedEvent) => void,
): Promise<FeedSubscription> {
  const pruned = await prunedThrough(context.collections.counters);
  if (position < pruned)
    return resyncLater(
      onEvent,
      `changes up to position ${pruned} were pruned; position ${position} is too old to resume from`,
    );
  const tail =
    mode === 'change-stream' ? new StreamTail(context, position, onEvent) : new PollingTail(context, position, onEvent);
  await tail.start();
  return { close: () => tail.close() };
}

/** A subscription that only tells its subscriber to start over, once subscribe() has returned. */
export function resyncLater(onEvent: (event: FeedEvent) => void, reason: string): FeedSubscription {
  setImmediate(() => onEvent({ type: 'resync', reason }));
  return { close: async () => {} };
}

/** What both tails share: the ordering, delivery, the retry loop and interruptible sleeps. */
abstract class Tail {
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

/** Polling: read the collection every `pollIntervalMs`. */
class PollingTail extends Tail {
  protected async connect(): Promise<void> {
    await prunedThrough(this.context.collections.counters); // proves the database is reachable
  }

  protected async step(): Promise<void> {
    await this.catchUp();
    await this.sleep(this.context.pollIntervalMs);
  }

  protected async disconnect(): Promise<void> {}
}

/** Change stream: catch up from the collection after each (re)connection, then follow the stream. */
class StreamTail extends Tail {
  private stream: ChangeStream<ChangeDoc> | null = null;
  private token: ResumeToken | undefined;
  private caughtUp = false;
  private lastPersisted = 0;
  /** When the stream last delivered a change or the collection was last read. */
  private lastActivity = 0;

  protected async connect(): Promise<void> {
    this.token ??= await this.persistedToken();
    this.stream = await this.register(this.token).catch((error: unknown) => {
      if (this.token === undefined || isUnavailable(error)) throw error;
      this.token = undefined; // expired or foreign token: the catch-up read covers the difference
      return this.register(undefined);
    });
    this.caughtUp = false;
  }

  /** Opens the stream and makes sure the server has registered it before the catch-up read. */
  private async register(resumeAfter: ResumeToken | undefined): Promise<ChangeStream<ChangeDoc>> {
    const options =
      resumeAfter === undefined ? { maxAwaitTimeMS: MAX_AWAIT_MS } : { maxAwaitTimeMS: MAX_AWAIT_MS, resumeAfter };
    const stream = this.context.collections.changes.watch<ChangeDoc, ChangeStreamDocument<ChangeDoc>>(
      PIPELINE,
      options,
    );
    try {
      const first = await stream.tryNext();
      if (first) this.onChange(stream, first);
      return stream;
    } catch (error) {
      await stream.close().catch(() => {});
      throw error;
    }
  }

  protected async step(): Promise<void> {
    const stream = this.stream;
    if (!stream) throw new Error('the change stream is not open');
    if (!this.caughtUp) {
      await this.catchUp();
      this.caughtUp = true;
    }
    const change = await stream.tryNext();
    if (change) this.onChange(stream, change);
    else if (this.sequencer.hole() !== null || Date.now() - this.lastActivity > IDLE_CATCH_UP_MS) await this.catchUp();
    this.persistCursorSoon();
  }

  /**
   * Also re-reads the collection while a hole holds back later changes (which tombstones it once old
   * enough), and after a second without news: that settles a crashed writer's position even when no
   * change follows it, and would catch anything a stream ever failed to deliver.
   */
  protected override async catchUp(): Promise<void> {
    this.lastActivity = Date.now();
    await super.catchUp();
  }

  private onChange(stream: ChangeStream<ChangeDoc>, change: ChangeStreamDocument<ChangeDoc>): void {
    this.lastActivity = Date.now();
    this.token = stream.resumeToken ?? this.token;
    if (change.operationType === 'insert') this.offer(change.fullDocument);
  }

  protected async disconnect(): Promise<void> {
    const stream = this.stream;
    this.stream = null;
    await stream?.close().catch(() => {});
    if (this.closed) await this.persistCursor().catch(() => {});
  }

  private async persistedToken(): Promise<ResumeToken | undefined> {
    const cursor = await this.context.collections.feedCursors.findOne({ _id: this.context.instanceId });
    const asked = this.sequencer.next - 1;
    if (!cursor || cursor.position > asked || asked - cursor.position > TOKEN_REPLAY_LIMIT) return undefined;
    return cursor.resumeToken as ResumeToken;
  }

  private persistCursorSoon(): void {
    if (Date.now() - this.lastPersisted < CURSOR_PERSIST_MS || this.token === undefined) return;
    this.lastPersisted = Date.now();
    this.persistCursor().catch(() => {});
  }

  /** Saves where this instance's stream is: its resume token and the last delivered position. */
  private async persistCursor(): Promise<void> {
    if (this.token === undefined) return;
    const update = { resumeToken: this.token, position: this.sequencer.next - 1, updatedAt: new Date().toISOString() };
    await this.context.collections.feedCursors.updateOne(
      { _id: this.context.instanceId },
      { $set: update },
      { upsert: true },
    );
  }
}

/** Whether the deployment serves change streams on the change collection (a standalone mongod does not). */
export async function probeChangeStreams(
  collections: StoreCollections,
): Promise<{ supported: boolean; reason: string }> {
  const stream = collections.changes.watch(PIPELINE, { maxAwaitTimeMS: 1 });
  try {
    await stream.tryNext();
    return { supported: true, reason: 'the deployment supports change streams' };
  } catch (error) {
    if (isUnavailable(error)) throw error;
    return { supported: false, reason: `change streams unavailable (${describeError(error)})` };
  } finally {
    await stream.close().catch(() => {});
  }
}
