/** `changesSince` of the MongoDB store: the committed records after a position, read in position order. */
import type { ChangeRecord } from '../types.js';
import type { StoreCollections } from './collections.js';
import { GapSequencer, type HoleClock, prunedThrough, readInOrder } from './gaps.js';
import { isRecord, toChangeRecord } from './materialise.js';

const MAX_CHANGES_PER_READ = 10_000;

/** Refuses what is not a feed position (before touching the database). */
export function checkPosition(position: number): void {
  if (!Number.isSafeInteger(position) || position < 0) throw new RangeError(`invalid feed position ${position}`);
}

/** Up to `limit` (1 to 10 000) change records after `position`, or 'too-old' when they were pruned. */
export async function readChangesSince(
  collections: StoreCollections,
  clock: HoleClock,
  position: number,
  limit: number,
): Promise<ChangeRecord[] | 'too-old'> {
  const count = Math.max(1, Math.min(Math.floor(limit) || 1, MAX_CHANGES_PER_READ));
  const { changes, counters } = collections;
  if (position < (await prunedThrough(counters))) return 'too-old';
  const docs = await readInOrder({ changes, counters, sequencer: new GapSequencer(position + 1), clock, limit: count });
  return docs === 'too-old' ? docs : docs.filter(isRecord).slice(0, count).map(toChangeRecord);
}
