/**
 * The memory backend behind `serve --flags` and the last-known-good snapshot: replacing the whole
 * flag set produces exactly the change records a store would have made (only what changed, versions
 * carried on, in an order the engine can apply), delivered to feed subscribers; writes are refused.
 */
import { describe, expect, it } from 'vitest';
import { FlagEngine } from '../../src/flags/engine.js';
import { EngineSync } from '../../src/store/engine-sync.js';
import { MemoryBackend } from '../../src/store/memory/memory-backend.js';
import type { ChangeRecord, FeedEvent } from '../../src/store/types.js';
import { richState } from '../fixtures/flags/rich-state.js';

const meta = { actor: 'system', comment: 'reloaded' };

function backend() {
  return new MemoryBackend({
    name: 'file',
    state: richState(),
    refuse: () => new Error('read-only'),
    health: () => ({ ok: true }),
  });
}

describe('MemoryBackend', () => {
  it('makes no change record when the new set equals the current one', () => {
    expect(backend().replace(richState(), meta)).toEqual([]);
  });

  it('records an edited flag as an update at the next version, keeping createdAt', async () => {
    const memory = backend();
    const before = (await memory.get({ kind: 'flag', key: 'new_checkout' }))!;
    const edited = richState();
    const flags = edited.flags.map((flag) => (flag.key === 'new_checkout' ? { ...flag, name: 'Renamed' } : flag));
    const [record, ...rest] = memory.replace({ ...edited, flags }, meta);
    expect(rest).toEqual([]);
    expect(record).toMatchObject({ position: 1, ref: { kind: 'flag', key: 'new_checkout' }, action: 'update' });
    expect(record!.version).toBe(before.version + 1);
    const after = (await memory.get({ kind: 'flag', key: 'new_checkout' }))!;
    expect(after).toMatchObject({ name: 'Renamed', version: before.version + 1, createdAt: before.createdAt });
    // A second identical reload changes nothing.
    expect(memory.replace({ ...edited, flags }, meta)).toEqual([]);
  });

  it('orders additions before the flags that use them and removals after', () => {
    const memory = new MemoryBackend({
      name: 'file',
      state: { environments: richState().environments, segments: [], flags: [] },
      refuse: () => new Error('read-only'),
      health: () => ({ ok: true }),
    });
    const added = memory.replace(richState(), meta);
    const kinds = added.map((record) => record.ref.kind);
    expect(kinds.lastIndexOf('segment')).toBeLessThan(kinds.indexOf('flag'));
    const removed = memory.replace({ environments: richState().environments, segments: [], flags: [] }, meta);
    const removedKinds = removed.map((record) => record.ref.kind);
    expect(removedKinds.lastIndexOf('flag')).toBeLessThan(removedKinds.indexOf('segment'));
    expect(removed.every((record) => record.action === 'delete' && record.after === null)).toBe(true);
  });

  it('delivers the changes to feed subscribers and an engine kept by EngineSync follows', async () => {
    const memory = backend();
    const engine = new FlagEngine();
    const sync = new EngineSync(memory, engine);
    await sync.start();
    const seen: ChangeRecord[] = [];
    sync.on('change', (record) => seen.push(record));
    const edited = richState();
    const flags = edited.flags.filter((flag) => flag.key !== 'pricing_test');
    memory.replace({ ...edited, flags }, meta);
    expect(seen.map((record) => [record.ref.key, record.action])).toEqual([['pricing_test', 'delete']]);
    expect(engine.flag('pricing_test')).toBeUndefined();
    await expect(memory.changesSince(0, 10)).resolves.toHaveLength(1);
    await sync.close();
  });

  it('tells a subscriber from an unknown position to resynchronise', async () => {
    const events: FeedEvent[] = [];
    await backend().subscribe(5, (event) => events.push(event));
    await new Promise((resolve) => setTimeout(resolve, 0));
    expect(events).toMatchObject([{ type: 'resync' }]);
  });

  it('refuses every write with the error it was given', async () => {
    await expect(
      backend().commit({
        ref: { kind: 'environment', key: 'qa' },
        expectedVersion: 0,
        action: 'create',
        after: { key: 'qa', name: 'QA', createdAt: new Date().toISOString() },
        meta,
      }),
    ).rejects.toThrow('read-only');
  });
});
