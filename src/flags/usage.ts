/**
 * Usage statistics at the cost of one array increment per evaluation: every precomputed result owns a
 * counter slot. `lastEvaluatedAt` is stamped when counters are read (a counter that moved since the
 * previous read was evaluated since then), so the hot path never reads the clock.
 */

export interface UsageEntry {
  environment: string;
  flagKey: string;
  variation: string;
  count: number;
  lastEvaluatedAt: string;
}

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

  /** Current totals since the last drain, per flag and variation, for evaluations that happened. */
  read(now = new Date()): UsageEntry[] {
    this.stamp(now.toISOString());
    return this.entries();
  }

  /** Returns the totals since the last drain and starts counting from zero (for the store to persist). */
  drain(now = new Date()): UsageEntry[] {
    this.stamp(now.toISOString());
    const entries = this.entries();
    for (let slot = 0; slot < this.owners.length; slot++) this.drained[slot]! += this.counts[slot]!;
    this.counts.fill(0);
    this.seen.fill(0);
    return entries;
  }

  /** Cumulative counts since start, drained or not (for metrics). */
  totals(): Array<Omit<UsageEntry, 'lastEvaluatedAt'>> {
    const totals: Array<Omit<UsageEntry, 'lastEvaluatedAt'>> = [];
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
