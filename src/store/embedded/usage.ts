/** Usage statistics in the embedded store: one write transaction per flush, counts added to the stored ones. */
import type { RootDatabase } from 'lmdb';
import type { UsageEntry } from '../../flags/usage.js';
import { StoreUnavailable, type UsageStat } from '../types.js';
import type { Databases } from './commit.js';
import { usageKey } from './keys.js';

interface StoredUsage {
  count: number;
  lastEvaluatedAt: string;
}

/** The entries summed per (environment, flag, variation), so each key is written once. */
function mergeEntries(entries: readonly UsageEntry[]): Map<string, UsageEntry> {
  const merged = new Map<string, UsageEntry>();
  for (const entry of entries) {
    if (!Number.isFinite(entry.count) || entry.count < 0) throw new RangeError(`invalid usage count ${entry.count}`);
    const id = `${entry.environment}\u0000${entry.flagKey}\u0000${entry.variation}`;
    const seen = merged.get(id);
    if (!seen) merged.set(id, { ...entry });
    else {
      seen.count += entry.count;
      if (entry.lastEvaluatedAt > seen.lastEvaluatedAt) seen.lastEvaluatedAt = entry.lastEvaluatedAt;
    }
  }
  return merged;
}

export async function mergeUsage(root: RootDatabase, db: Databases, entries: readonly UsageEntry[]): Promise<void> {
  if (entries.length === 0) return;
  const merged = mergeEntries(entries);
  try {
    await root.childTransaction(() => {
      for (const entry of merged.values()) {
        const key = usageKey(entry.environment, entry.flagKey, entry.variation);
        const current = db.usage.get(key) as StoredUsage | undefined;
        db.usage.putSync(key, {
          count: (current?.count ?? 0) + entry.count,
          lastEvaluatedAt: current && current.lastEvaluatedAt > entry.lastEvaluatedAt ? current.lastEvaluatedAt : entry.lastEvaluatedAt,
        } satisfies StoredUsage);
      }
    });
  } catch (error) {
    throw new StoreUnavailable(`the embedded store could not merge usage: ${(error as Error).message}`, { cause: error });
  }
}

export function readUsage(db: Databases): UsageStat[] {
  return [...db.usage.getRange()].map(({ key, value }) => {
    const [environment, flagKey, variation] = key as [string, string, string];
    const usage = value as StoredUsage;
    return { environment, flagKey, variation, count: usage.count, lastEvaluatedAt: usage.lastEvaluatedAt };
  });
}
