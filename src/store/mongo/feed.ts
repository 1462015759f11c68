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
import { prunedThrough } from './gaps.js';
import { type FeedContext, Tail } from './tail.js';

export type TailMode = 'change-stream' | 'polling';

const PIPELINE = [{ $match: { operationType: 'insert' } }];
/** A change stream's empty getMore returns after at most this long, so young holes get re-checked. */
const MAX_AWAIT_MS = 250;
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
