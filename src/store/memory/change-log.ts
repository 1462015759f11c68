/**
 * The change feed of a memory backend: the records it made, numbered from the position its state
 * started at, delivered to subscribers in order. Bounded: a subscriber asking for a position older
 * than the records kept is told to resynchronise, as a store's pruned feed would.
 */
import type { ChangeRecord, FeedEvent, FeedSubscription } from '../types.js';

const maxRecords = 10_000;

export class ChangeLog {
  private readonly kept: ChangeRecord[] = [];
  private readonly listeners = new Set<(event: FeedEvent) => void>();
  private last: number;

  constructor(private readonly start: number) {
    this.last = start;
  }

  get position(): number {
    return this.last;
  }

  /** Gives the record the next position, keeps it and delivers it. */
  append(change: Omit<ChangeRecord, 'position'>): ChangeRecord {
    const record: ChangeRecord = { position: ++this.last, ...change };
    this.kept.push(record);
    if (this.kept.length > maxRecords) this.kept.shift();
    for (const listener of this.listeners) listener({ type: 'change', record });
    return record;
  }

  /** Newest last. */
  records(): readonly ChangeRecord[] {
    return this.kept;
  }

  since(position: number, limit: number): ChangeRecord[] | 'too-old' {
    if (!Number.isSafeInteger(position) || position < 0) throw new RangeError(`invalid feed position ${position}`);
    const first = this.kept[0]?.position ?? this.last + 1;
    if (position < Math.max(first - 1, this.start)) return 'too-old';
    const count = Math.max(1, Math.min(Math.floor(limit) || 1, maxRecords));
    return this.kept.filter((record) => record.position > position).slice(0, count);
  }

  subscribe(position: number, onEvent: (event: FeedEvent) => void): FeedSubscription {
    const missed = position > this.last ? 'too-old' : this.since(position, maxRecords);
    if (missed === 'too-old') {
      queueMicrotask(() => onEvent({ type: 'resync', reason: `position ${position} is not in this feed` }));
      return { close: async () => undefined };
    }
    for (const record of missed) onEvent({ type: 'change', record });
    this.listeners.add(onEvent);
    return { close: async () => void this.listeners.delete(onEvent) };
  }

  close(): void {
    this.listeners.clear();
  }
}
