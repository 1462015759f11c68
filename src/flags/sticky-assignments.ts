/**
 * Sticky assignments of experiment flags: per flag environment, the variation each bucketing key got
 * first. The hot path only reads these in-memory tables; the store feeds them (at start, and from the
 * other instances' writes) and drains the assignments made here to write them behind, so evaluation
 * never waits on I/O.
 */
import { defaultStickyMaxPerFlag } from './model.js';

/** One recorded assignment, as the store keeps it. */
export interface StickyAssignment {
  flag: string;
  environment: string;
  /** The bucketing value (the targeting key unless the rollout buckets by another attribute). */
  key: string;
  variation: string;
  assignedAt: string;
}

/** An assignment as the hot path holds it, with the result last served for it (rebuilt when the flag changes). */
export interface StickyEntry {
  variation: string;
  assignedAt: string;
  /** Cache owned by the compiled flag (compiled-flag.ts): the result for this entry and what it was built for. */
  served: unknown;
  servedFor: unknown;
}

/** The assignments of one flag environment. */
export class StickyTable {
  readonly entries = new Map<string, StickyEntry>();
  /** The reset the entries belong to: a table seen with a later `stickyResetAt` is emptied. */
  resetAt: string | undefined = undefined;

  constructor(
    readonly flag: string,
    readonly environment: string,
    private readonly owner: StickyAssignments,
  ) {}

  /** Moves the table to a reset (the flag's `stickyResetAt`): assignments recorded before it go. */
  resetTo(resetAt: string | undefined): void {
    if (resetAt === this.resetAt) return;
    this.resetAt = resetAt;
    if (resetAt === undefined) return;
    for (const [key, entry] of this.entries) if (entry.assignedAt < resetAt) this.entries.delete(key);
  }

  get full(): boolean {
    return this.entries.size >= this.owner.maxPerFlag;
  }

  /** Records a first assignment made by this instance and queues it to be written behind. */
  assign(key: string, variation: string): StickyEntry {
    const entry: StickyEntry = {
      variation,
      assignedAt: new Date().toISOString(),
      served: undefined,
      servedFor: undefined,
    };
    this.entries.set(key, entry);
    this.owner.enqueue({
      flag: this.flag,
      environment: this.environment,
      key,
      variation,
      assignedAt: entry.assignedAt,
    });
    return entry;
  }
}

export interface StickyOptions {
  /** Assignments kept per flag environment; beyond it keys are bucketed as usual, unrecorded. @default 100000 */
  maxPerFlag?: number;
  /** Assignments waiting to be written; beyond it new ones are served but not recorded in the store. @default 10000 */
  maxPending?: number;
}

export class StickyAssignments {
  readonly maxPerFlag: number;
  private readonly maxPending: number;
  private readonly tables = new Map<string, StickyTable>();
  private pending: StickyAssignment[] = [];
  /** Called when the first assignment is queued after a drain, so a writer can wake up. */
  onPending: (() => void) | undefined = undefined;

  constructor({ maxPerFlag = defaultStickyMaxPerFlag, maxPending = 10_000 }: StickyOptions = {}) {
    this.maxPerFlag = maxPerFlag;
    this.maxPending = maxPending;
  }

  /** The table of a flag environment, created empty on first use. */
  table(environment: string, flag: string): StickyTable {
    const id = `${environment}\u0000${flag}`;
    let table = this.tables.get(id);
    if (!table) this.tables.set(id, (table = new StickyTable(flag, environment, this)));
    return table;
  }

  /**
   * An assignment the store holds (loaded at start, or written by another instance). The store's is the
   * first one recorded, so it replaces a different one this instance made in the meantime.
   */
  learn(assignment: StickyAssignment): void {
    const table = this.table(assignment.environment, assignment.flag);
    if (table.resetAt !== undefined && assignment.assignedAt < table.resetAt) return;
    const known = table.entries.get(assignment.key);
    if (known?.variation === assignment.variation && known.assignedAt === assignment.assignedAt) return;
    if (!known && table.full) return;
    table.entries.set(assignment.key, { ...assignment, served: undefined, servedFor: undefined });
  }

  /** Forgets a flag's assignments (its experiment was reset or the flag archived), in one or every environment. */
  drop(flag: string, environment?: string): void {
    for (const table of this.tables.values())
      if (table.flag === flag && (environment === undefined || table.environment === environment))
        table.entries.clear();
  }

  enqueue(assignment: StickyAssignment): void {
    if (this.pending.length >= this.maxPending) return;
    this.pending.push(assignment);
    if (this.pending.length === 1) this.onPending?.();
  }

  /**
   * The assignments queued since the last drain, to be written — but not those recorded before their
   * flag environment's last reset: written after the reset deleted the stored ones, such a record would
   * take the key's unique slot from the assignment made after the reset.
   */
  drain(): StickyAssignment[] {
    const drained = this.pending;
    this.pending = [];
    return drained.filter((assignment) => {
      const resetAt = this.tables.get(`${assignment.environment}\u0000${assignment.flag}`)?.resetAt;
      return resetAt === undefined || assignment.assignedAt >= resetAt;
    });
  }

  /** Number of assignments held for a flag environment. */
  count(environment: string, flag: string): number {
    return this.tables.get(`${environment}\u0000${flag}`)?.entries.size ?? 0;
  }
}
