/**
 * Usage statistics: counters summed over every gateway instance. One flush is one unordered
 * bulkWrite of upserts, each `$inc` of a count (and `$max` of the last evaluation time), into the
 * totals and into the hourly buckets alike (one collection, so a flush the database refuses is
 * refused whole, and kept by the flusher, as before buckets existed). Instances flushing at once
 * never lose each other's counts; no transaction is needed, as every upsert is atomic on its own
 * document. Then one indexed delete drops buckets past retention, best effort: a bucket dropped a
 * flush late is harmless, and reads never return buckets older than they ask for.
 */
import { MongoBulkWriteError, type AnyBulkWriteOperation, type Filter } from 'mongodb';
import type { UsageEntry } from '../../flags/usage.js';
import type { UsageStat } from '../types.js';
import { hourOf, mergeSameCounter, oldestKeptHour, type UsageBucket, type UsageFilter } from '../usage-series.js';
import type { StoreCollections, UsageDoc } from './collections.js';

export async function mergeUsage(collections: StoreCollections, entries: readonly UsageEntry[]): Promise<void> {
  const merged = mergeSameCounter(entries);
  if (merged.length === 0) return;
  const operations = [...merged.map(toTotalUpsert), ...merged.map(toHourUpsert)];
  try {
    await collections.usage.bulkWrite(operations, { ordered: false });
  } catch (error) {
    // Two instances upserting a new counter at once: one insert loses on _id. Its $inc then applies
    // to the document the other one created, so retrying just those operations loses nothing.
    const lost = lostUpserts(error);
    if (!lost) throw error;
    await collections.usage.bulkWrite(
      lost.map((index) => operations[index]!),
      { ordered: false },
    );
  }
  const latest = merged.reduce((max, entry) => (entry.lastEvaluatedAt > max ? entry.lastEvaluatedAt : max), '');
  await collections.usage.deleteMany({ hour: { $lt: oldestKeptHour(hourOf(latest)) } }).catch(() => undefined);
}

/** The indexes of the operations that failed on a duplicate key, when nothing else failed. */
function lostUpserts(error: unknown): number[] | null {
  if (!(error instanceof MongoBulkWriteError)) return null;
  const failures = Array.isArray(error.writeErrors) ? error.writeErrors : [error.writeErrors];
  // No write error at all (a refused batch, a write-concern error): nothing to retry, the flush failed.
  if (failures.length === 0) return null;
  return failures.every((failure) => failure.code === 11000) ? failures.map((failure) => failure.index) : null;
}

const counterParts = (entry: UsageEntry): string[] =>
  entry.variation === null ? [entry.environment, entry.flagKey] : [entry.environment, entry.flagKey, entry.variation];
const encodeId = (parts: string[]) => parts.map(encodeURIComponent).join('/');

function toTotalUpsert(entry: UsageEntry): AnyBulkWriteOperation<UsageDoc> {
  return {
    updateOne: {
      filter: { _id: encodeId(counterParts(entry)) },
      update: {
        $inc: { count: entry.count },
        $max: { lastEvaluatedAt: entry.lastEvaluatedAt },
        $setOnInsert: {
          environment: entry.environment,
          flagKey: entry.flagKey,
          variation: entry.variation,
          hour: null,
        },
      },
      upsert: true,
    },
  };
}

/** A bucket's `_id` starts with its hour, which has a ':' no encoded environment key has: never a total's id. */
function toHourUpsert(entry: UsageEntry): AnyBulkWriteOperation<UsageDoc> {
  const hour = hourOf(entry.lastEvaluatedAt);
  return {
    updateOne: {
      filter: { _id: `${hour}/${encodeId(counterParts(entry))}` },
      update: {
        $inc: { count: entry.count },
        $setOnInsert: { environment: entry.environment, flagKey: entry.flagKey, variation: entry.variation, hour },
      },
      upsert: true,
    },
  };
}

function flagFilter(filter: UsageFilter): Filter<UsageDoc> {
  return {
    ...(filter.environment === undefined ? {} : { environment: filter.environment }),
    ...(filter.flagKey === undefined ? {} : { flagKey: filter.flagKey }),
  };
}

const totalFields = { _id: 0, environment: 1, flagKey: 1, variation: 1, count: 1, lastEvaluatedAt: 1 } as const;

export async function readUsage(collections: StoreCollections, filter: UsageFilter = {}): Promise<UsageStat[]> {
  // `hour: null` also matches totals written before buckets existed (no `hour` field). Only the fields
  // the totals need: the stale report reads every total (tens of thousands of documents) at once.
  const docs = await collections.usage
    .find({ ...flagFilter(filter), hour: null }, { projection: totalFields })
    .toArray();
  return docs.map(({ environment, flagKey, variation, count, lastEvaluatedAt }) => ({
    environment,
    flagKey,
    variation: variation ?? null,
    count,
    lastEvaluatedAt: lastEvaluatedAt!,
  }));
}

export async function readUsageBuckets(
  collections: StoreCollections,
  filter: UsageFilter = {},
): Promise<UsageBucket[]> {
  const docs = await collections.usage.find({ ...flagFilter(filter), hour: { $gte: filter.since ?? '' } }).toArray();
  return docs.map(({ environment, flagKey, variation, hour, count }) => ({
    environment,
    flagKey,
    variation: variation ?? null,
    hour: hour!,
    count,
  }));
}
