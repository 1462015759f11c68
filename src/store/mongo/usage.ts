/**
 * Usage statistics: counters summed over every gateway instance. One flush is one unordered
 * bulkWrite of upserts, each `$inc` of the count and `$max` of the last evaluation time, so
 * instances flushing at once never lose each other's counts.
 */
import { MongoBulkWriteError, type AnyBulkWriteOperation } from 'mongodb';
import type { UsageEntry } from '../../flags/usage.js';
import type { UsageStat } from '../types.js';
import type { StoreCollections, UsageDoc } from './collections.js';

export async function mergeUsage(collections: StoreCollections, entries: readonly UsageEntry[]): Promise<void> {
  if (entries.length === 0) return;
  const operations = mergeDuplicates(entries).map(toUpsert);
  try {
    await collections.usage.bulkWrite(operations, { ordered: false });
  } catch (error) {
    // Two instances upserting a new counter at once: one insert loses on _id. Its $inc then applies
    // to the document the other one created, so retrying just those operations loses nothing.
    const lost = lostUpserts(error);
    if (!lost) throw error;
    await collections.usage.bulkWrite(lost.map((index) => operations[index]!), { ordered: false });
  }
}

/** One entry per counter: a flush may name the same one twice. */
function mergeDuplicates(entries: readonly UsageEntry[]): UsageEntry[] {
  const merged = new Map<string, UsageEntry>();
  for (const entry of entries) {
    const seen = merged.get(usageId(entry));
    if (!seen) merged.set(usageId(entry), { ...entry });
    else {
      seen.count += entry.count;
      if (entry.lastEvaluatedAt > seen.lastEvaluatedAt) seen.lastEvaluatedAt = entry.lastEvaluatedAt;
    }
  }
  return [...merged.values()];
}

/** The indexes of the operations that failed on a duplicate key, when nothing else failed. */
function lostUpserts(error: unknown): number[] | null {
  if (!(error instanceof MongoBulkWriteError)) return null;
  const failures = Array.isArray(error.writeErrors) ? error.writeErrors : [error.writeErrors];
  return failures.every((failure) => failure.code === 11000) ? failures.map((failure) => failure.index) : null;
}

function toUpsert(entry: UsageEntry): AnyBulkWriteOperation<UsageDoc> {
  return {
    updateOne: {
      filter: { _id: usageId(entry) },
      update: {
        $inc: { count: entry.count },
        $max: { lastEvaluatedAt: entry.lastEvaluatedAt },
        $setOnInsert: { environment: entry.environment, flagKey: entry.flagKey, variation: entry.variation },
      },
      upsert: true,
    },
  };
}

function usageId(entry: UsageEntry): string {
  return [entry.environment, entry.flagKey, entry.variation].map(encodeURIComponent).join('/');
}

export async function readUsage(collections: StoreCollections): Promise<UsageStat[]> {
  const docs = await collections.usage.find({}).sort({ environment: 1, flagKey: 1, variation: 1 }).toArray();
  return docs.map(({ environment, flagKey, variation, count, lastEvaluatedAt }) => ({ environment, flagKey, variation, count, lastEvaluatedAt }));
}
