/** Usage counters of a memory backend: kept in memory only (lost on restart), with hourly buckets. */
import type { UsageEntry } from '../../flags/usage.js';
import type { UsageStat } from '../types.js';
import { hourOf, mergeSameCounter, type UsageBucket, type UsageFilter } from '../usage-series.js';

const matches = (entry: { environment: string; flagKey: string }, filter: UsageFilter = {}) =>
  (filter.environment === undefined || entry.environment === filter.environment) &&
  (filter.flagKey === undefined || entry.flagKey === filter.flagKey);

export class MemoryUsage {
  private readonly totalsById = new Map<string, UsageStat>();
  private readonly bucketsById = new Map<string, UsageBucket>();

  merge(entries: readonly UsageEntry[]): void {
    for (const entry of mergeSameCounter(entries)) {
      const id = `${entry.environment}\u0000${entry.flagKey}\u0000${entry.variation ?? ''}`;
      const total = this.totalsById.get(id);
      if (total) {
        total.count += entry.count;
        if (entry.lastEvaluatedAt > total.lastEvaluatedAt) total.lastEvaluatedAt = entry.lastEvaluatedAt;
      } else this.totalsById.set(id, { ...entry });
      const hour = hourOf(entry.lastEvaluatedAt);
      const bucket = this.bucketsById.get(`${hour}\u0000${id}`);
      if (bucket) bucket.count += entry.count;
      else
        this.bucketsById.set(`${hour}\u0000${id}`, {
          environment: entry.environment,
          flagKey: entry.flagKey,
          variation: entry.variation,
          hour,
          count: entry.count,
        });
    }
  }

  totals(filter?: UsageFilter): UsageStat[] {
    return [...this.totalsById.values()].filter((stat) => matches(stat, filter)).map((stat) => ({ ...stat }));
  }

  buckets(filter: UsageFilter = {}): UsageBucket[] {
    return [...this.bucketsById.values()]
      .filter((bucket) => matches(bucket, filter) && (filter.since === undefined || bucket.hour >= filter.since))
      .map((bucket) => ({ ...bucket }));
  }
}
