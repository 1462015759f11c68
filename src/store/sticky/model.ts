/** What a backend provides to keep sticky assignments (flags/sticky-assignments.ts) shared and durable. */
import type { StickyAssignment } from '../../flags/sticky-assignments.js';

export type { StickyAssignment };

/** A position in the assignments written so far, to ask for those written after it. */
export type StickyCursor = string | null;

export interface StickyPersistence {
  /** Records an assignment unless one is recorded for its flag, environment and key: the first wins. */
  insert(assignments: readonly StickyAssignment[]): Promise<void>;
  /** Every assignment written after `cursor` (all of them for null), and the cursor to continue from. */
  since(cursor: StickyCursor): Promise<{ assignments: StickyAssignment[]; cursor: StickyCursor }>;
  /** Drops a flag's assignments, in one environment or all. */
  remove(flag: string, environment?: string): Promise<void>;
}
