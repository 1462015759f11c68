/**
 * A split of a sticky flag environment: a key with a recorded assignment gets that variation whatever
 * the weights say now; a new key is bucketed as usual and its variation recorded (written behind). The
 * result for an assignment is built once per compiled split and cached on the entry, so a hit allocates
 * nothing; a miss allocates its entry and queue record, once per key.
 */
import type { Outcome } from './compiled-flag.js';
import type { Weight } from './model.js';
import type { StickyEntry, StickyTable } from './sticky-assignments.js';

export interface StickySplit {
  readonly table: StickyTable;
  /** Per weight, its variation key. */
  readonly variations: readonly string[];
  /** Per weight, the usual outcome marked `sticky: false`: the key could not be recorded (the table is full). */
  readonly unrecorded: readonly Outcome[];
  /** The outcome of a variation for this split, or undefined when the flag no longer has it. */
  readonly make: (variation: string, sticky: boolean, assignedAt: string | undefined) => Outcome | undefined;
}

export function stickySplit(
  table: StickyTable,
  weights: readonly Weight[],
  builder: { outcome: StickySplit['make'] },
): StickySplit {
  return {
    table,
    variations: weights.map((weight) => weight.variation),
    unrecorded: weights.map((weight) => builder.outcome(weight.variation, false, undefined)!),
    make: builder.outcome,
  };
}

function served(split: StickySplit, entry: StickyEntry): Outcome | undefined {
  if (entry.servedFor === split) return entry.served as Outcome;
  const outcome = split.make(entry.variation, true, entry.assignedAt);
  if (outcome !== undefined) {
    entry.served = outcome;
    entry.servedFor = split;
  }
  return outcome;
}

/**
 * The outcome of `key`'s recorded assignment, or undefined when it has none (or its variation was
 * removed from the flag). Looked up before bucketing, so a hit costs a map lookup and no hash.
 */
export function stickyHit(split: StickySplit, key: string): Outcome | undefined {
  const entry = split.table.entries.get(key);
  return entry === undefined ? undefined : served(split, entry);
}

/**
 * The outcome for a key without an assignment, bucketed into weight `index`: its variation, recorded
 * now (written behind) unless the table is full, when it is the usual outcome marked `sticky: false`.
 */
export function stickyAssign(split: StickySplit, key: string, index: number): Outcome {
  if (split.table.full) return split.unrecorded[index]!;
  return served(split, split.table.assign(key, split.variations[index]!))!;
}
