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
 * The outcome for `key` bucketed into weight `index`: its recorded assignment, else `index`'s variation,
 * recorded now unless the table is full. Undefined when a recorded variation was removed from the flag,
 * or when `assign` is false (an explanation, a preview or a prerequisite reads without recording): the
 * caller serves the bucket's outcome.
 */
export function stickyOutcome(split: StickySplit, key: string, index: number, assign: boolean): Outcome | undefined {
  const entry = split.table.entries.get(key);
  if (entry !== undefined) return served(split, entry);
  if (!assign) return undefined;
  if (split.table.full) return split.unrecorded[index];
  return served(split, split.table.assign(key, split.variations[index]!));
}
