/**
 * When the MongoDB store prunes: at open, then after a commit once the feed is a tenth past the
 * limit (at least one record), so pruning runs in batches rather than after every commit.
 */
import type { StoreCollections } from './collections.js';
import { describeError } from './errors.js';
import type { ResolvedOptions } from './options.js';
import type { Repairer } from './repair.js';
import { applyRetention } from './retention.js';

export class RetentionSchedule {
  /** The prune point as last seen. */
  private prunedHint = 0;

  constructor(
    private readonly collections: StoreCollections,
    private readonly repairer: Repairer,
    private readonly options: Pick<ResolvedOptions, 'retention' | 'logger'>,
  ) {}

  /** At open: prunes down to the limit (failures fail the open). */
  async start(): Promise<void> {
    this.prunedHint = this.options.retention
      ? await applyRetention(this.collections, this.repairer, this.options.retention.keepChanges)
      : 0;
  }

  /** After a commit at `position`; a failure is logged and retried after a later commit. */
  async afterCommit(position: number): Promise<void> {
    const keep = this.options.retention?.keepChanges;
    if (keep === undefined || position - this.prunedHint <= keep + Math.max(1, Math.ceil(keep / 10))) return;
    try {
      this.prunedHint = await applyRetention(this.collections, this.repairer, keep);
    } catch (error) {
      this.options.logger.warn(
        { err: describeError(error) },
        'mongodb store: pruning old change records failed; will retry',
      );
    }
  }
}
