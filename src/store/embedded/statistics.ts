/**
 * Statistics of the embedded store, beside its documents: usage totals, hourly usage buckets and
 * code-reference reports. None of them is a change: no version, no audit entry, no feed position.
 *
 *   usage           [environment, flagKey, variation] → { count, lastEvaluatedAt }
 *                   [environment, flagKey]            → the same, for FLAG_NOT_FOUND requests
 *   usageHours      [environment, flagKey, hour, variation] → count ([…, hour] for FLAG_NOT_FOUND)
 *   codeReferences  repository → CodeReferenceReport
 *
 * Keys of one (environment, flag) are contiguous, and a prefix sorts before its extensions, so
 * `[environment, flagKey]` … `[environment, flagKey + '\0']` spans exactly one flag's entries.
 */
import type { Database, RootDatabase } from 'lmdb';
import type { UsageEntry } from '../../flags/usage.js';
import type { CodeReferenceReport } from '../code-references.js';
import type { UsageStat } from '../types.js';
import { hourOf, mergeSameCounter, oldestKeptHour, type UsageBucket, type UsageFilter } from '../usage-series.js';

export interface StatisticsDatabases {
  usage: Database;
  usageHours: Database;
  codeReferences: Database;
}

interface StoredUsage {
  count: number;
  lastEvaluatedAt: string;
}

type Key = Array<string>;

const totalKey = (entry: Pick<UsageEntry, 'environment' | 'flagKey' | 'variation'>): Key =>
  entry.variation === null ? [entry.environment, entry.flagKey] : [entry.environment, entry.flagKey, entry.variation];

const hourKey = (entry: Pick<UsageEntry, 'environment' | 'flagKey' | 'variation'>, hour: string): Key =>
  entry.variation === null
    ? [entry.environment, entry.flagKey, hour]
    : [entry.environment, entry.flagKey, hour, entry.variation];

/** The key range of a filter: one flag of one environment, one environment, or everything. */
function range(filter: UsageFilter, since?: string): { start?: Key; end?: Key } {
  const { environment, flagKey } = filter;
  if (environment === undefined) return {};
  if (flagKey === undefined) return { start: [environment], end: [`${environment}\u0000`] };
  return {
    start: since === undefined ? [environment, flagKey] : [environment, flagKey, since],
    end: [environment, `${flagKey}\u0000`],
  };
}

/** Adds a flush to the totals and to its hourly buckets, dropping the buckets past retention, in one transaction. */
export async function mergeUsage(
  root: RootDatabase,
  db: StatisticsDatabases,
  entries: readonly UsageEntry[],
): Promise<void> {
  const merged = mergeSameCounter(entries);
  if (merged.length === 0) return;
  const pruned = prunedHours(db.usageHours);
  await root.childTransaction(() => {
    for (const entry of merged) {
      const key = totalKey(entry);
      const current = db.usage.get(key) as StoredUsage | undefined;
      const lastEvaluatedAt =
        current && current.lastEvaluatedAt > entry.lastEvaluatedAt ? current.lastEvaluatedAt : entry.lastEvaluatedAt;
      db.usage.putSync(key, { count: (current?.count ?? 0) + entry.count, lastEvaluatedAt } satisfies StoredUsage);
      const hour = hourOf(entry.lastEvaluatedAt);
      const bucket = hourKey(entry, hour);
      db.usageHours.putSync(bucket, ((db.usageHours.get(bucket) as number | undefined) ?? 0) + entry.count);
      // Buckets only fall out of the window when the hour advances: prune each flag once per hour.
      const flagId = `${entry.environment}\u0000${entry.flagKey}`;
      if (pruned.get(flagId) !== hour) {
        pruned.set(flagId, hour);
        dropOldBuckets(db.usageHours, entry.environment, entry.flagKey, oldestKeptHour(hour));
      }
    }
  });
}

/** Per (environment, flag), the hour of its last pruning by this process (a cache: losing it costs a prune). */
const prunedByDatabase = new WeakMap<Database, Map<string, string>>();

function prunedHours(hours: Database): Map<string, string> {
  let pruned = prunedByDatabase.get(hours);
  if (!pruned) prunedByDatabase.set(hours, (pruned = new Map()));
  return pruned;
}

function dropOldBuckets(hours: Database, environment: string, flagKey: string, oldest: string): void {
  for (const key of hours.getKeys({ start: [environment, flagKey], end: [environment, flagKey, oldest] }))
    hours.removeSync(key);
}

export function readUsage(db: StatisticsDatabases, filter: UsageFilter = {}): UsageStat[] {
  const stats: UsageStat[] = [];
  for (const { key, value } of db.usage.getRange(range(filter))) {
    const [environment, flagKey, variation] = key as Key;
    if (filter.flagKey !== undefined && flagKey !== filter.flagKey) continue;
    const usage = value as StoredUsage;
    stats.push({
      environment: environment!,
      flagKey: flagKey!,
      variation: variation ?? null,
      count: usage.count,
      lastEvaluatedAt: usage.lastEvaluatedAt,
    });
  }
  return stats;
}

export function readUsageBuckets(db: StatisticsDatabases, filter: UsageFilter = {}): UsageBucket[] {
  const buckets: UsageBucket[] = [];
  for (const { key, value } of db.usageHours.getRange(range(filter, filter.since))) {
    const [environment, flagKey, hour, variation] = key as Key;
    if (filter.flagKey !== undefined && flagKey !== filter.flagKey) continue;
    if (filter.since !== undefined && hour! < filter.since) continue;
    buckets.push({
      environment: environment!,
      flagKey: flagKey!,
      variation: variation ?? null,
      hour: hour!,
      count: value as number,
    });
  }
  return buckets;
}

/** Keeps the report unless the stored one of its repository was scanned later; true when kept. */
export async function saveCodeReferences(
  root: RootDatabase,
  db: StatisticsDatabases,
  report: CodeReferenceReport,
): Promise<boolean> {
  return root.childTransaction(() => {
    const current = db.codeReferences.get(report.repository) as CodeReferenceReport | undefined;
    if (current && current.scannedAt > report.scannedAt) return false;
    db.codeReferences.putSync(report.repository, report);
    return true;
  });
}

export function readCodeReferences(db: StatisticsDatabases): CodeReferenceReport[] {
  return [...db.codeReferences.getRange()].map(({ value }) => value as CodeReferenceReport);
}
