/**
 * Usage statistics at the cost of one array increment per evaluation: every precomputed result owns a
 * counter slot. `lastEvaluatedAt` is stamped when counters are read (a counter that moved since the
 * previous read was evaluated since then), so the hot path never reads the clock.
 *
 * Requests for a flag that is not served (FLAG_NOT_FOUND) are counted apart, per key, with the
 * variation `null`: for an archived or deleted flag that is the "still called" signal. Those keys
 * come from callers, so at most `maxNotFoundKeys` distinct ones are kept between two drains.
 */

export interface UsageEntry {
  environment: string;
  flagKey: string;
  /** The variation served; `null` counts requests that ended in FLAG_NOT_FOUND. */
  variation: string | null;
  count: number;
  lastEvaluatedAt: string;
}

/** Distinct (environment, key) pairs of FLAG_NOT_FOUND requests kept between two drains. */
export const maxNotFoundKeys = 1000;

interface SlotOwner {
  environment: string;
  flagKey: string;
  variation: string;
}

export class UsageRecorder {
  /** Read by the engine on every evaluation; replaced (never resized in place) when slots are added. */
  counts = new Float64Array(256);
  private readonly owners: SlotOwner[] = [];
  /** environment → flag → variation → slot */
  private readonly slotsByOwner = new Map<string, Map<string, Map<string, number>>>();
  private seen = new Float64Array(256);
  /** Counts already drained, so totals stay cumulative for metrics. */
  private drained = new Float64Array(256);
  private lastEvaluatedAt: Array<string | undefined> = [];
  /** environment → requested key → FLAG_NOT_FOUND count since the last drain. */
  private notFound = new Map<string, Map<string, number>>();
  private notFoundKeys = 0;
  /** FLAG_NOT_FOUND requests not counted because `maxNotFoundKeys` was reached. */
  notFoundDropped = 0;

  /** The counter slot of (environment, flag, variation); called while building snapshots, not per evaluation. */
  slotFor(environment: string, flagKey: string, variation: string): number {
    let byFlag = this.slotsByOwner.get(environment);
    if (!byFlag) this.slotsByOwner.set(environment, (byFlag = new Map()));
    let byVariation = byFlag.get(flagKey);
    if (!byVariation) byFlag.set(flagKey, (byVariation = new Map()));
    const existing = byVariation.get(variation);
    if (existing !== undefined) return existing;
    const slot = this.owners.length;
    this.owners.push({ environment, flagKey, variation });
    byVariation.set(variation, slot);
    if (slot >= this.counts.length) this.grow();
    return slot;
  }

  /** Counts a request that ended in FLAG_NOT_FOUND (an error path: a map update, no clock, no I/O). */
  countNotFound(environment: string, flagKey: string): void {
    let byKey = this.notFound.get(environment);
    if (!byKey) this.notFound.set(environment, (byKey = new Map()));
    const count = byKey.get(flagKey);
    if (count !== undefined) byKey.set(flagKey, count + 1);
    else if (this.notFoundKeys < maxNotFoundKeys) {
      byKey.set(flagKey, 1);
      this.notFoundKeys++;
    } else this.notFoundDropped++;
  }

  /** Current totals since the last drain, per flag and variation, for evaluations that happened. */
  read(now = new Date()): UsageEntry[] {
    this.stamp(now.toISOString());
    return this.entries();
  }

  /** Returns the totals since the last drain and starts counting from zero (for the store to persist). */
  drain(now = new Date()): UsageEntry[] {
    const at = now.toISOString();
    this.stamp(at);
    const entries = this.entries();
    for (let slot = 0; slot < this.owners.length; slot++) this.drained[slot]! += this.counts[slot]!;
    this.counts.fill(0);
    this.seen.fill(0);
    for (const [environment, byKey] of this.notFound) {
      for (const [flagKey, count] of byKey)
        entries.push({ environment, flagKey, variation: null, count, lastEvaluatedAt: at });
    }
    this.notFound = new Map();
    this.notFoundKeys = 0;
    return entries;
  }

  /** Cumulative counts of served variations since start, drained or not (for metrics). */
  totals(): Array<Omit<UsageEntry, 'lastEvaluatedAt'> & { variation: string }> {
    const totals: Array<Omit<UsageEntry, 'lastEvaluatedAt'> & { variation: string }> = [];
    for (let slot = 0; slot < this.owners.length; slot++) {
      const count = this.counts[slot]! + this.drained[slot]!;
      if (count > 0) totals.push({ ...this.owners[slot]!, count });
    }
    return totals;
  }

  private stamp(now: string): void {
    for (let slot = 0; slot < this.owners.length; slot++) {
      if (this.counts[slot]! > this.seen[slot]!) {
        this.lastEvaluatedAt[slot] = now;
        this.seen[slot] = this.counts[slot]!;
      }
    }
  }

  private entries(): UsageEntry[] {
    const entries: UsageEntry[] = [];
    for (let slot = 0; slot < this.owners.length; slot++) {
      const count = this.counts[slot]!;
      if (count > 0) entries.push({ ...this.owners[slot]!, count, lastEvaluatedAt: this.lastEvaluatedAt[slot]! });
    }
    return entries;
  }

  private grow(): void {
    const counts = new Float64Array(this.counts.length * 2);
    counts.set(this.counts);
    const seen = new Float64Array(this.seen.length * 2);
    seen.set(this.seen);
    const drained = new Float64Array(this.drained.length * 2);
    drained.set(this.drained);
    this.counts = counts;
    this.seen = seen;
    this.drained = drained;
  }
}
