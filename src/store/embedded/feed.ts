/**
 * The embedded store's change feed ('in-process'): subscribers in the owning process are woken when a
 * commit is acknowledged (durable), and each one reads the change log from its own last position.
 *
 * The notification carries no data, only "the acknowledged position is now P"; the records are read
 * from LMDB, in position order. So a subscriber never misses or reorders a change whatever the order
 * of wake-ups, and it never sees a change that has not been acknowledged to its writer.
 */
import type { ChangeRecord, FeedEvent, FeedSubscription } from '../types.js';

/** Reads the committed records after `position` in position order, or 'too-old' if they were pruned. */
export type ChangeReader = (position: number, limit: number) => ChangeRecord[] | 'too-old';

const batchSize = 256;

export class ChangeNotifier {
  private acknowledgedPosition: number;
  private readonly pumps = new Set<FeedPump>();

  constructor(
    initialPosition: number,
    private readonly read: ChangeReader,
  ) {
    this.acknowledgedPosition = initialPosition;
  }

  /** The last position whose commit has been acknowledged (flushed) in this process. */
  get acknowledged(): number {
    return this.acknowledgedPosition;
  }

  /** Called once a commit's transaction is durable. */
  acknowledge(position: number): void {
    if (position <= this.acknowledgedPosition) return;
    this.acknowledgedPosition = position;
    for (const pump of this.pumps) pump.wake();
  }

  subscribe(position: number, onEvent: (event: FeedEvent) => void): FeedSubscription {
    const pump = new FeedPump(this, position, this.read, onEvent, () => this.pumps.delete(pump));
    this.pumps.add(pump);
    pump.wake();
    return { close: async () => pump.close() };
  }

  /** Ends every subscription (store closing); subscribers get no further events. */
  closeAll(): void {
    for (const pump of [...this.pumps]) pump.close();
  }

  get subscriberCount(): number {
    return this.pumps.size;
  }
}

/** One subscriber's cursor over the change log. */
class FeedPump {
  private scheduled = false;
  private closed = false;
  private emptyReads = 0;

  constructor(
    private readonly notifier: ChangeNotifier,
    private last: number,
    private readonly read: ChangeReader,
    private readonly onEvent: (event: FeedEvent) => void,
    private readonly onClose: () => void,
  ) {}

  wake(): void {
    if (this.scheduled || this.closed) return;
    this.scheduled = true;
    setImmediate(() => {
      this.scheduled = false;
      this.drain();
    });
  }

  close(): void {
    if (this.closed) return;
    this.closed = true;
    this.onClose();
  }

  private emit(event: FeedEvent): void {
    try {
      this.onEvent(event);
    } catch (error) {
      // A throwing subscriber must not break the feed for itself or others; the change counts as delivered.
      process.emitWarning(
        `change-feed subscriber threw: ${(error as Error)?.message ?? String(error)}`,
        'VexilFeedWarning',
      );
    }
  }

  private resync(reason: string): void {
    this.close();
    this.emit({ type: 'resync', reason });
  }

  /** Delivers one batch of acknowledged changes; reschedules itself while more are waiting. */
  private drain(): void {
    if (this.closed) return;
    const upTo = this.notifier.acknowledged;
    if (this.last >= upTo) return;
    let batch: ChangeRecord[] | 'too-old';
    try {
      batch = this.read(this.last, batchSize);
    } catch (error) {
      if (!this.closed) this.resync(`the change log could not be read: ${(error as Error)?.message ?? String(error)}`);
      return;
    }
    if (batch === 'too-old') {
      this.resync(`changes after position ${this.last} are no longer in the change log`);
      return;
    }
    if (batch.length === 0) {
      // Acknowledged but not readable yet (should not happen: reads see every finished commit); retry briefly.
      if (++this.emptyReads > 100) this.resync(`position ${upTo} was acknowledged but is missing from the change log`);
      else setTimeout(() => this.wake(), 5);
      return;
    }
    this.emptyReads = 0;
    for (const record of batch) {
      if (this.closed) return;
      if (record.position > upTo) return; // committed but not yet acknowledged: a later wake-up delivers it
      if (record.position !== this.last + 1) {
        this.resync(`the change log has a gap after position ${this.last}`);
        return;
      }
      this.last = record.position;
      this.emit({ type: 'change', record });
    }
    if (this.last < this.notifier.acknowledged) this.wake();
  }
}
