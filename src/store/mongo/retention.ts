/**
 * Retention: deleting old change records (which are also the audit log). Only settled, materialised
 * positions may go, so nothing the materialised collections need is lost. The `pruned` counter is
 * raised before deleting, so a reader asking for a pruned position learns it is too old (and
 * resynchronises from a snapshot) instead of seeing a silent gap.
 */
import type { StoreCollections } from './collections.js';
import { prunedThrough } from './gaps.js';
import type { Repairer } from './repair.js';

const DELETE_CHUNK = 10_000;

/** Prunes the change records up to `throughPosition` (at most up to the settled prefix); returns the new prune point. */
export async function pruneChanges(
  collections: StoreCollections,
  repairer: Repairer,
  throughPosition: number,
): Promise<number> {
  const settled = await repairer.catchUp();
  const previous = await prunedThrough(collections.counters);
  const through = Math.min(throughPosition, settled);
  if (through <= previous) return previous;
  await collections.counters.updateOne({ _id: 'pruned' }, { $max: { position: through } }, { upsert: true });
  await deleteThrough(collections, previous + 1, through);
  return through;
}

/** Deletes by explicit `_id` lists: exact lookups use the index on every server, ranges may not. */
async function deleteThrough(collections: StoreCollections, from: number, through: number): Promise<void> {
  for (let first = from; first <= through; first += DELETE_CHUNK) {
    const last = Math.min(through, first + DELETE_CHUNK - 1);
    const ids = Array.from({ length: last - first + 1 }, (_, index) => first + index);
    await collections.changes.deleteMany({ _id: { $in: ids } });
  }
}

/** Keeps the newest `keepChanges` positions of the settled feed; returns the prune point. */
export async function applyRetention(
  collections: StoreCollections,
  repairer: Repairer,
  keepChanges: number,
): Promise<number> {
  const settled = await repairer.catchUp();
  return pruneChanges(collections, repairer, settled - Math.max(0, keepChanges));
}
