/**
 * Reading the change feed in position order without skipping a slow writer.
 *
 * Positions come from a counter, so a writer holding position 5 may insert its change after the
 * writer holding 6. A reader that moved past 5 on seeing 6 would never deliver 5. So readers only
 * advance over a contiguous prefix: a missing position (a *hole*) holds back everything after it,
 * until its change arrives or, once the hole is older than the grace period, until the reader fills
 * it with a tombstone. `_id` is unique, so exactly one of the slow writer's insert and the tombstone
 * wins; a writer that loses was never acknowledged and retries with a new position (commit.ts).
 */
import type { Collection, Document } from 'mongodb';
import { tombstoneKey, type ChangeDoc, type CounterDoc, type TombstoneDoc } from './collections.js';
import { isDuplicateKey } from './errors.js';

/**
 * When each hole was first noticed. One per backend, shared by all its readers, so that a hole
 * seen by the repairer is already "old" when a feed meets it.
 */
export class HoleClock {
  private readonly firstSeen = new Map<number, number>();

  constructor(readonly graceMs: number) {}

  /** Notes the hole at `position` (if new) and tells whether it outlived the grace period. */
  expired(position: number, now = Date.now()): boolean {
    const seen = this.firstSeen.get(position);
    if (seen === undefined) this.firstSeen.set(position, now);
    return now - (seen ?? now) >= this.graceMs;
  }

  /** Forgets every hole below `position`: they are settled. */
  settledThrough(position: number): void {
    for (const hole of this.firstSeen.keys()) if (hole <= position) this.firstSeen.delete(hole);
  }
}

/** Buffers out-of-order changes and releases them as a contiguous run of positions. */
export class GapSequencer<T extends { _id: number } = ChangeDoc> {
  private readonly pending = new Map<number, T>();

  constructor(private nextPosition: number) {}

  /** The first position not yet released. */
  get next(): number {
    return this.nextPosition;
  }

  offer(doc: T): void {
    if (doc._id >= this.nextPosition) this.pending.set(doc._id, doc);
  }

  /** Removes and returns the changes that now follow on without a gap. */
  take(): T[] {
    const run: T[] = [];
    for (let doc = this.pending.get(this.nextPosition); doc !== undefined; doc = this.pending.get(this.nextPosition)) {
      run.push(doc);
      this.pending.delete(this.nextPosition);
      this.nextPosition += 1;
    }
    return run;
  }

  /** The missing position holding back later changes, or null when nothing waits. */
  hole(): number | null {
    return this.pending.size > 0 ? this.nextPosition : null;
  }
}

/** Inserts a tombstone at `position` unless its writer got there first; returns whichever won. */
export async function fillHole(changes: Collection<ChangeDoc>, position: number): Promise<ChangeDoc | null> {
  const tombstone: TombstoneDoc = {
    _id: position,
    doc: tombstoneKey(position),
    seq: 0,
    tombstone: true,
    at: new Date().toISOString(),
  };
  try {
    await changes.insertOne(tombstone);
    return tombstone;
  } catch (error) {
    if (!isDuplicateKey(error)) throw error;
    return changes.findOne({ _id: position });
  }
}

export interface OrderedRead {
  changes: Collection<ChangeDoc>;
  counters: Collection<CounterDoc>;
  sequencer: GapSequencer;
  clock: HoleClock;
  /** Stop once this many change records (tombstones not counted) were read. */
  limit: number;
  projection?: Document;
}

/**
 * Reads changes from `sequencer.next` on, in position order, up to the first hole younger than the
 * grace period (older holes are tombstoned on the way). Returns them, tombstones included, or
 * 'too-old' when the next position was pruned away.
 *
 * Positions are dense, so the read asks for an explicit list of `_id`s up to the last reserved
 * position rather than a range: exact `_id` lookups use the index on every server (mongo-java-server
 * scans the whole collection for a range query). A reserved position without a record, even the
 * last one, is a hole; so a crashed writer's position is tombstoned even when no write follows.
 */
export async function readInOrder(read: OrderedRead): Promise<ChangeDoc[] | 'too-old'> {
  const released: ChangeDoc[] = [];
  let records = 0;
  while (records < read.limit) {
    const batch = await fetchNext(read, Math.min(1000, read.limit - records));
    for (const doc of batch.docs) read.sequencer.offer(doc);
    const run = read.sequencer.take();
    released.push(...run);
    records += run.filter((doc) => !doc.tombstone).length;
    const step = await afterBatch(read, batch);
    if (step === 'too-old') return step;
    if (step === 'stop') break;
  }
  read.clock.settledThrough(read.sequencer.next - 1);
  return released;
}

interface Batch {
  docs: ChangeDoc[];
  /** The last position handed out to a writer when the batch was read. */
  lastReserved: number;
  /** The last position the batch asked for. */
  lastAsked: number;
  /** Whether the batch asked for every position up to `lastReserved`. */
  reachedEnd: boolean;
}

async function fetchNext(read: OrderedRead, batchSize: number): Promise<Batch> {
  const lastReserved = await lastReservedPosition(read.counters);
  const first = read.sequencer.next;
  const last = Math.min(lastReserved, first + batchSize - 1);
  if (last < first) return { docs: [], lastReserved, lastAsked: last, reachedEnd: true };
  const ids = Array.from({ length: last - first + 1 }, (_, index) => first + index);
  const options = read.projection ? { projection: read.projection } : {};
  const docs = (await read.changes.find({ _id: { $in: ids } }, options).toArray()) as ChangeDoc[];
  return { docs, lastReserved, lastAsked: last, reachedEnd: last === lastReserved };
}

/** After a batch: read on, stop (caught up, or a young hole), or give up (pruned). */
async function afterBatch(read: OrderedRead, batch: Batch): Promise<'continue' | 'stop' | 'too-old'> {
  const next = read.sequencer.next;
  const hole = next <= batch.lastAsked ? next : null;
  if (hole === null) return batch.reachedEnd ? 'stop' : 'continue';
  if (!read.clock.expired(hole)) return 'stop';
  if (await isPruned(read.counters, hole)) return 'too-old';
  const winner = await fillHole(read.changes, hole);
  if (!winner) return 'stop';
  read.sequencer.offer(winner);
  return 'continue';
}

export async function lastReservedPosition(counters: Collection<CounterDoc>): Promise<number> {
  return (await counters.findOne({ _id: 'feed' }))?.position ?? 0;
}

/** The last position whose changes were pruned (0 when none were). */
export async function prunedThrough(counters: Collection<CounterDoc>): Promise<number> {
  return (await counters.findOne({ _id: 'pruned' }))?.position ?? 0;
}

async function isPruned(counters: Collection<CounterDoc>, position: number): Promise<boolean> {
  return position <= (await prunedThrough(counters));
}
