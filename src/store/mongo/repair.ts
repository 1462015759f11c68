/**
 * Roll-forward: materialises committed changes whose writer died before doing so itself.
 *
 * The repairer walks the change records in position order from a watermark (the `materialised`
 * counter: every change up to there is applied and every position up to there settled), applies
 * the latest change of each document it meets when the materialised doc is older, and moves the
 * watermark over the contiguous prefix it checked (gaps.ts: it never passes a young hole, whose slow
 * writer might still commit). It runs when the backend opens and before every list and snapshot;
 * with nothing new that is one indexed query. Single documents are also rolled forward on every
 * read of them (`readCurrent`).
 */
import type { DocumentKind } from '../types.js';
import { materialisedId, type ChangeDoc, type RecordDoc, type StoreCollections } from './collections.js';
import { GapSequencer, type HoleClock, prunedThrough, readInOrder } from './gaps.js';
import { applyRecord, isRecord } from './materialise.js';

const BATCH = 1000;
/** The repairer reads change records without their bodies; it fetches those of the few it applies. */
const HEADERS = { doc: 1, seq: 1, ref: 1, tombstone: 1 } as const;

export class Repairer {
  private sequencer = new GapSequencer(1);
  private running: Promise<number> | null = null;
  private queued: Promise<number> | null = null;

  constructor(
    private readonly collections: StoreCollections,
    private readonly clock: HoleClock,
  ) {}

  /** Starts from the persisted watermark and rolls everything after it forward. */
  async start(): Promise<number> {
    const [watermark, pruned] = await Promise.all([
      this.collections.counters.findOne({ _id: 'materialised' }),
      prunedThrough(this.collections.counters),
    ]);
    this.sequencer = new GapSequencer(Math.max(watermark?.position ?? 0, pruned) + 1);
    return this.catchUp();
  }

  /**
   * Rolls forward every settled change; resolves to the position through which all are applied.
   * Callers arriving during a run share one follow-up run: a run that started before their call
   * might have missed a change they just made.
   */
  catchUp(): Promise<number> {
    if (this.queued) return this.queued;
    if (!this.running) return this.startRun();
    this.queued = this.running
      .catch(() => 0)
      .then(() => {
        this.queued = null;
        return this.startRun();
      });
    return this.queued;
  }

  private startRun(): Promise<number> {
    const run = this.run().finally(() => {
      if (this.running === run) this.running = null;
    });
    this.running = run;
    return run;
  }

  private async run(): Promise<number> {
    const from = this.sequencer.next;
    for (;;) {
      const docs = await this.readBatch();
      if (docs === 'too-old') {
        await this.skipPruned();
        continue;
      }
      if (docs.length === 0) break;
      await applyLatest(this.collections, docs.filter(isRecord));
    }
    const settled = this.sequencer.next - 1;
    if (settled >= from) await this.persistWatermark(settled);
    return settled;
  }

  private readBatch(): Promise<ChangeDoc[] | 'too-old'> {
    const { changes, counters } = this.collections;
    return readInOrder({
      changes,
      counters,
      sequencer: this.sequencer,
      clock: this.clock,
      limit: BATCH,
      projection: HEADERS,
    });
  }

  /** Pruned positions are settled and were materialised before pruning: jump over them. */
  private async skipPruned(): Promise<void> {
    const pruned = await prunedThrough(this.collections.counters);
    if (pruned >= this.sequencer.next) this.sequencer = new GapSequencer(pruned + 1);
  }

  private async persistWatermark(position: number): Promise<void> {
    await this.collections.counters
      .updateOne({ _id: 'materialised' }, { $max: { position } }, { upsert: true })
      .catch((error: { code?: number }) => {
        if (error.code !== 11000) throw error; // a concurrent first upsert won; ours is redundant
      });
  }
}

/** Applies, per document, the newest of `records` (headers suffice) unless its materialised doc is as new. */
export async function applyLatest(collections: StoreCollections, records: readonly RecordDoc[]): Promise<void> {
  const newest = new Map<string, RecordDoc>();
  for (const record of records) {
    const seen = newest.get(record.doc);
    if (!seen || seen.seq < record.seq) newest.set(record.doc, record);
  }
  const stale: RecordDoc[] = [];
  for (const [kind, group] of groupByKind([...newest.values()]))
    stale.push(...(await staleOf(collections, kind, group)));
  if (stale.length === 0) return;
  const full = await collections.changes.find({ _id: { $in: stale.map((record) => record._id) } }).toArray();
  for (const record of full) if (isRecord(record)) await applyRecord(collections, record);
}

function groupByKind(records: RecordDoc[]): Map<DocumentKind, RecordDoc[]> {
  const groups = new Map<DocumentKind, RecordDoc[]>();
  for (const record of records) {
    const group = groups.get(record.ref.kind);
    if (group) group.push(record);
    else groups.set(record.ref.kind, [record]);
  }
  return groups;
}

/** The records of one kind whose materialised doc is older: one query for the stored `_seq`s. */
async function staleOf(collections: StoreCollections, kind: DocumentKind, records: RecordDoc[]): Promise<RecordDoc[]> {
  const ids = records.map((record) => materialisedId(record.ref));
  const stored = await collections.documents[kind].find({ _id: { $in: ids } }, { projection: { _seq: 1 } }).toArray();
  const storedSeq = new Map(stored.map((doc) => [doc._id, doc._seq]));
  return records.filter((record) => (storedSeq.get(materialisedId(record.ref)) ?? 0) < record.seq);
}
