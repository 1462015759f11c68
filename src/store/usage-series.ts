/**
 * The persisted shape of usage over time: per environment, flag and variation, one bucket per hour,
 * kept for 30 days (720 buckets) and dropped after. Counts are put into the bucket of the hour they
 * were drained in (the entry's `lastEvaluatedAt`): the engine never reads the clock per evaluation,
 * so an hour boundary is only as sharp as the flush interval.
 */

/** Hours of usage history kept: 30 days of hourly buckets. */
export const usageRetentionHours = 720;

const hourMs = 3600 * 1000;

/** One hour of usage, summed over all gateway instances. */
export interface UsageBucket {
  environment: string;
  flagKey: string;
  /** `null`: requests that ended in FLAG_NOT_FOUND (archived or deleted flag). */
  variation: string | null;
  /** Start of the hour, ISO-8601 (`2026-03-01T10:00:00.000Z`). */
  hour: string;
  count: number;
}

export interface UsageFilter {
  environment?: string;
  flagKey?: string;
  /** Only buckets of this hour or later (ISO-8601; ignored by totals). */
  since?: string;
}

/** The start of the hour `iso` falls in, as ISO-8601. */
export function hourOf(iso: string): string {
  const ms = Date.parse(iso);
  return new Date(ms - (((ms % hourMs) + hourMs) % hourMs)).toISOString();
}

/** The oldest bucket kept once a bucket of `hour` is written: 719 hours before it. */
export function oldestKeptHour(hour: string): string {
  return new Date(Date.parse(hour) - (usageRetentionHours - 1) * hourMs).toISOString();
}

/** Sums entries that name the same counter (a flush may name one twice) and checks the counts. */
export function mergeSameCounter<
  T extends { environment: string; flagKey: string; variation: string | null; count: number; lastEvaluatedAt: string },
>(entries: readonly T[]): T[] {
  const merged = new Map<string, T>();
  for (const entry of entries) {
    if (!Number.isFinite(entry.count) || entry.count < 0) throw new RangeError(`invalid usage count ${entry.count}`);
    const id = `${entry.environment}\u0000${entry.flagKey}\u0000${entry.variation === null ? '' : `=${entry.variation}`}\u0000${hourOf(entry.lastEvaluatedAt)}`;
    const seen = merged.get(id);
    if (!seen) merged.set(id, { ...entry });
    else {
      seen.count += entry.count;
      if (entry.lastEvaluatedAt > seen.lastEvaluatedAt) seen.lastEvaluatedAt = entry.lastEvaluatedAt;
    }
  }
  return [...merged.values()];
}
