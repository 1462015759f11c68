/** The usage flusher's bookkeeping while the store refuses writes: kept counts, the bound, the final flush. */
import { describe, expect, it } from 'vitest';
import type { UsageEntry } from '../../src/flags/usage.js';
import { startUsageFlush } from '../../src/store/usage-flusher.js';

const at = '2026-01-01T00:00:00.000Z';
const entry = (flagKey: string, count: number): UsageEntry => ({
  environment: 'production',
  flagKey,
  variation: 'on',
  count,
  lastEvaluatedAt: at,
});

/** A source that hands out the queued batches one drain at a time. */
function queueSource(...batches: UsageEntry[][]) {
  return { drain: () => batches.shift() ?? [] };
}

/** A sink that refuses while `down`, and records what it accepted. */
function sink() {
  const written: UsageEntry[][] = [];
  return {
    down: true,
    written,
    async mergeUsage(entries: readonly UsageEntry[]) {
      if (this.down) throw new Error('store unavailable');
      written.push(entries.map((item) => ({ ...item })));
    },
  };
}

describe('startUsageFlush', () => {
  it('adds the counts of failed flushes to the next one', async () => {
    const store = sink();
    const errors: number[] = [];
    const flusher = startUsageFlush(queueSource([entry('a', 2)], [entry('a', 3), entry('b', 1)]), store, {
      intervalMs: 60_000,
      onError: (_error, pending) => errors.push(pending),
    });
    await flusher.flush();
    await flusher.flush();
    expect(errors).toEqual([1, 2]);
    store.down = false;
    await flusher.stop();
    expect(store.written).toEqual([[entry('a', 5), entry('b', 1)]]);
    expect(flusher.pendingEntries).toBe(0);
  });

  it('keeps at most maxPendingEntries entries while the store is down, and reports what it drops', async () => {
    const store = sink();
    const drops: number[] = [];
    const flusher = startUsageFlush(
      queueSource([entry('a', 1), entry('b', 1)], [entry('a', 1), entry('c', 4)]),
      store,
      { intervalMs: 60_000, maxPendingEntries: 2, onDrop: (dropped) => drops.push(dropped) },
    );
    await flusher.flush();
    await flusher.flush();
    expect(flusher.pendingEntries).toBe(2);
    expect(flusher.droppedEntries).toBe(1);
    expect(drops).toEqual([1]);
    store.down = false;
    await flusher.stop();
    expect(store.written).toEqual([[entry('a', 2), entry('b', 1)]]);
  });
});
