/**
 * The one usage flusher: every `intervalMs` the engine's counters are drained and merged into the
 * store as one batch. A batch that fails (store unavailable) is kept and added to the next one, so
 * counts survive an outage; `stop()` flushes once more. (If a failed write had in fact been applied,
 * its counts are merged twice: usage statistics are approximate by nature.)
 */
import type { UsageEntry } from '../flags/usage.js';

export interface UsageSource {
  drain(now?: Date): UsageEntry[];
}

export interface UsageSink {
  mergeUsage(entries: readonly UsageEntry[]): Promise<void>;
}

export interface UsageFlushOptions {
  /** @default 10000 */
  intervalMs?: number;
  /**
   * Most (environment, flag, variation) entries kept while the store is down. Entries already kept
   * go on counting; new ones past the bound are dropped (and reported), so an outage cannot grow
   * memory without end. @default 100000
   */
  maxPendingEntries?: number;
  /** Called when a flush fails (the batch is kept for the next one). */
  onError?: (error: unknown, pendingEntries: number) => void;
  /** Called when entries are dropped because `maxPendingEntries` is reached. */
  onDrop?: (droppedEntries: number) => void;
  /** The clock for `lastEvaluatedAt`. @default () => new Date() */
  now?: () => Date;
}

export interface UsageFlush {
  /** Drains the source and writes the batch now (plus anything kept from failed flushes). */
  flush(): Promise<void>;
  /** Stops the timer after a final flush. */
  stop(): Promise<void>;
  /** Entries kept from failed flushes, waiting for the next one. */
  readonly pendingEntries: number;
  /** Entries dropped so far because the kept batch was full. */
  readonly droppedEntries: number;
}

// FLAG_NOT_FOUND counts (variation null) must not share an id with a variation named 'null'.
const entryId = (entry: UsageEntry) =>
  `${entry.environment}\u0000${entry.flagKey}\u0000${entry.variation === null ? '' : `=${entry.variation}`}`;

/** Starts flushing `source` into `sink` periodically (the timer does not keep the process alive). */
export function startUsageFlush(source: UsageSource, sink: UsageSink, options: UsageFlushOptions = {}): UsageFlush {
  const { intervalMs = 10_000, maxPendingEntries = 100_000, onError, onDrop, now = () => new Date() } = options;
  let pending = new Map<string, UsageEntry>();
  let chain: Promise<void> = Promise.resolve();
  let stopped = false;
  let dropped = 0;
  const add = (entries: Iterable<UsageEntry>) => {
    let droppedNow = 0;
    for (const entry of entries) {
      if (!(entry.count > 0)) continue;
      const id = entryId(entry);
      const seen = pending.get(id);
      if (seen) {
        seen.count += entry.count;
        if (entry.lastEvaluatedAt > seen.lastEvaluatedAt) seen.lastEvaluatedAt = entry.lastEvaluatedAt;
      } else if (pending.size < maxPendingEntries) pending.set(id, { ...entry });
      else droppedNow++;
    }
    if (droppedNow > 0) {
      dropped += droppedNow;
      onDrop?.(droppedNow);
    }
  };
  const flushOnce = async () => {
    add(source.drain(now()));
    if (pending.size === 0) return;
    const batch = pending;
    pending = new Map();
    try {
      await sink.mergeUsage([...batch.values()]);
    } catch (error) {
      // Counts drained while this write was in flight were added to the new map: fold them back in.
      const meanwhile = pending;
      pending = batch;
      add(meanwhile.values());
      onError?.(error, pending.size);
    }
  };
  const flush = (): Promise<void> => {
    // One flush at a time; a flush asked for while one runs follows it.
    const next = chain.then(flushOnce);
    chain = next.catch(() => undefined);
    return next;
  };
  const timer = setInterval(() => void flush(), intervalMs);
  timer.unref();
  return {
    flush,
    async stop() {
      if (stopped) return chain;
      stopped = true;
      clearInterval(timer);
      await flush();
    },
    get pendingEntries() {
      return pending.size;
    },
    get droppedEntries() {
      return dropped;
    },
  };
}
