/**
 * Seeds the MongoDB store's usage history straight through the driver (BENCH_SEED=bulk of
 * bench/hygiene.ts): the totals and hourly buckets that the flushes of those hours would have left,
 * as plain insertMany batches. mongo-java-server takes tens of seconds per flush of 10,000 flags, so
 * 24 flushes made the benchmark run for many minutes; only the last flushes are then measured.
 * The documents mirror src/store/mongo/usage.ts (ids, fields): change both together.
 */
import { MongoClient } from 'mongodb';
import { hourOf } from '../../dist/store/usage-series.js';

export interface SeededEntry {
  environment: string;
  flagKey: string;
  variation: string | null;
  count: number;
  lastEvaluatedAt: string;
}

const encodeId = (entry: SeededEntry) =>
  (entry.variation === null ? [entry.environment, entry.flagKey] : [entry.environment, entry.flagKey, entry.variation])
    .map(encodeURIComponent)
    .join('/');

/** Inserts the totals and buckets of the given flushes (one entry list per hour) in batches. */
export async function bulkSeedUsage(uri: string, database: string, flushes: SeededEntry[][]): Promise<void> {
  const totals = new Map<string, Record<string, unknown>>();
  const buckets: Array<Record<string, unknown>> = [];
  for (const flush of flushes)
    for (const entry of flush) {
      const id = encodeId(entry);
      const { environment, flagKey, variation, count, lastEvaluatedAt } = entry;
      const total = totals.get(id);
      if (total) {
        total.count = (total.count as number) + count;
        if (lastEvaluatedAt > (total.lastEvaluatedAt as string)) total.lastEvaluatedAt = lastEvaluatedAt;
      } else totals.set(id, { _id: id, count, lastEvaluatedAt, environment, flagKey, variation, hour: null });
      const hour = hourOf(lastEvaluatedAt);
      buckets.push({ _id: `${hour}/${id}`, count, environment, flagKey, variation, hour });
    }
  const client = await MongoClient.connect(uri);
  try {
    const usage = client.db(database).collection<Record<string, unknown>>('usage');
    const docs = [...totals.values(), ...buckets];
    for (let i = 0; i < docs.length; i += 10_000)
      await usage.insertMany(docs.slice(i, i + 10_000) as never[], { ordered: false });
  } finally {
    await client.close();
  }
}
