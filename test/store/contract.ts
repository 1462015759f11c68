/**
 * The storage contract, as a vitest suite that runs against any `StoreBackend` through `FlagStore`.
 *
 *   defineStoreContract('embedded', async (options) => ({ backend, reopen, cleanup }));
 *
 * The factory:
 * - returns a backend over a fresh, empty store, NOT yet opened (the suite opens it through
 *   `FlagStore.open` and closes it; `close()` must be idempotent);
 * - `reopen()` (optional, enables the restart tests) is called after the suite closed the backend and
 *   returns a new, unopened backend over the same data;
 * - `cleanup()` is called last, after the suite closed everything it opened;
 * - `options.maxChangeRecords`, when given, asks for a store that keeps only that many change records
 *   (the resync tests need a pruned feed). Retention may be applied on every commit or when the store
 *   is opened: the test reopens the store (when `reopen` exists) before expecting 'too-old'. Pass
 *   `{ retention: false }` as the third argument if the backend cannot prune, to skip those tests.
 *
 * Backend-agnostic: nothing assumes absolute feed positions (seeding the default environments may or
 * may not write change records), a particular feed latency (waits poll up to 10 s), or the order of
 * unordered lists (environments, segments, API keys, usage are compared sorted).
 */
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { ValidationError } from '../../src/flags/errors.js';
import { FlagEngine } from '../../src/flags/engine.js';
import type { Flag } from '../../src/flags/model.js';
import type { UsageEntry } from '../../src/flags/usage.js';
import { toEngineChange } from '../../src/store/engine-changes.js';
import { FlagStore } from '../../src/store/store.js';
import {
  type ApiKeyRecord,
  type ChangeRecord,
  type FeedEvent,
  type FeedSubscription,
  NotFound,
  type StoreBackend,
  VersionConflict,
  type WriteMeta,
} from '../../src/store/types.js';

export interface ContractFixture {
  backend: StoreBackend;
  reopen?: () => Promise<StoreBackend>;
  cleanup(): Promise<void>;
}

export interface ContractOptions {
  /** Keep at most this many change records (for the resync tests). */
  maxChangeRecords?: number;
}

export interface ContractCapabilities {
  /** The factory honours `maxChangeRecords`. @default true */
  retention?: boolean;
}

export type ContractFactory = (options?: ContractOptions) => Promise<ContractFixture>;

const alice: WriteMeta = { actor: 'alice', comment: 'testing' };
const bob: WriteMeta = { actor: 'bob' };

/** A valid ops flag (no expiry needed) configured in production. */
export function flagInput(key: string, overrides: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    key,
    name: `Flag ${key}`,
    description: 'A flag for the store contract',
    kind: 'ops',
    valueType: 'boolean',
    variations: [
      { key: 'on', value: true },
      { key: 'off', value: false },
    ],
    tags: ['contract'],
    owner: 'team-store',
    expiresAt: null,
    environments: { production: { on: true, offVariation: 'off', rules: [], defaultServe: { variation: 'on' } } },
    ...overrides,
  };
}

function ruleEnv(condition: string, environment = 'production') {
  return {
    [environment]: {
      on: true,
      offVariation: 'off',
      rules: [{ id: 'r1', condition, serve: { variation: 'on' } }],
      defaultServe: { variation: 'off' },
    },
  };
}

function sortBy<T>(items: T[], key: (item: T) => string): T[] {
  return [...items].sort((a, b) => (key(a) < key(b) ? -1 : key(a) > key(b) ? 1 : 0));
}

async function rejection(promise: Promise<unknown>): Promise<unknown> {
  try {
    await promise;
  } catch (error) {
    return error;
  }
  throw new Error('expected the operation to be rejected');
}

async function expectValidation(
  promise: Promise<unknown>,
  path: string | RegExp,
  code?: 'VALIDATION' | 'RULE_SYNTAX',
): Promise<ValidationError> {
  const error = await rejection(promise);
  expect(error).toBeInstanceOf(ValidationError);
  const validation = error as ValidationError;
  const paths = validation.issues.map((issue) => issue.path);
  expect(
    paths.some((candidate) => (typeof path === 'string' ? candidate === path : path.test(candidate))),
    `paths ${JSON.stringify(paths)}`,
  ).toBe(true);
  if (code) expect(validation.code).toBe(code);
  return validation;
}

async function expectConflict(promise: Promise<unknown>, currentVersion: number): Promise<VersionConflict> {
  const error = await rejection(promise);
  expect(error).toBeInstanceOf(VersionConflict);
  expect((error as VersionConflict).currentVersion).toBe(currentVersion);
  return error as VersionConflict;
}

async function expectNotFound(promise: Promise<unknown>): Promise<void> {
  expect(await rejection(promise)).toBeInstanceOf(NotFound);
}

/** Feed position and audit size, to show a rejected write left no trace. */
async function traces(store: FlagStore): Promise<{ position: number; audit: number }> {
  const [snapshot, audit] = await Promise.all([store.snapshot(), store.auditLog({}, { first: 1 })]);
  return { position: snapshot.position, audit: audit.totalCount };
}

/** Every change after `position` (reading the feed page by page). */
async function changesAfter(store: FlagStore, position: number): Promise<ChangeRecord[]> {
  const all: ChangeRecord[] = [];
  for (let from = position; ; ) {
    const batch = await store.changesSince(from, 100);
    if (batch === 'too-old') throw new Error(`changes after ${from} are too old`);
    if (batch.length === 0) return all;
    all.push(...batch);
    from = batch[batch.length - 1]!.position;
  }
}

class Collector {
  readonly events: FeedEvent[] = [];
  subscription: FeedSubscription | null = null;

  static async start(store: FlagStore, position: number): Promise<Collector> {
    const collector = new Collector();
    collector.subscription = await store.subscribe(position, (event) => collector.events.push(event));
    return collector;
  }

  get changes(): ChangeRecord[] {
    return this.events.flatMap((event) => (event.type === 'change' ? [event.record] : []));
  }

  get positions(): number[] {
    return this.changes.map((record) => record.position);
  }

  async waitForPosition(position: number): Promise<void> {
    await vi.waitFor(
      () => {
        if (this.events.some((event) => event.type === 'resync')) throw new Error('unexpected resync');
        expect(this.positions.at(-1) ?? -1).toBeGreaterThanOrEqual(position);
      },
      { timeout: 10_000, interval: 10 },
    );
  }

  async close(): Promise<void> {
    await this.subscription?.close();
  }
}

const quietPeriod = () => new Promise((resolve) => setTimeout(resolve, 250));

export function defineStoreContract(
  name: string,
  factory: ContractFactory,
  capabilities: ContractCapabilities = {},
): void {
  describe(`store contract: ${name}`, () => {
    let fixture: ContractFixture;
    let store: FlagStore;
    const extra: Array<{ store?: FlagStore; fixture?: ContractFixture }> = [];

    beforeEach(async () => {
      fixture = await factory();
      store = await FlagStore.open(fixture.backend);
    });

    afterEach(async () => {
      await store?.close();
      await fixture?.cleanup();
      for (const item of extra.splice(0)) {
        await item.store?.close();
        await item.fixture?.cleanup();
      }
    });

    describe('environments', () => {
      it('an empty store starts with development, staging and production', async () => {
        const environments = await store.listEnvironments();
        expect(environments.map((environment) => environment.key).sort()).toEqual([
          'development',
          'production',
          'staging',
        ]);
        for (const environment of environments) {
          expect(typeof environment.name).toBe('string');
          expect(Number.isNaN(Date.parse(environment.createdAt))).toBe(false);
        }
        const snapshot = await store.snapshot();
        expect(snapshot.environments.map((environment) => environment.key).sort()).toEqual([
          'development',
          'production',
          'staging',
        ]);
        expect(snapshot.flags).toEqual([]);
        expect(snapshot.segments).toEqual([]);
      });

      it('createEnvironment adds one; a duplicate is a VersionConflict; an invalid key is a ValidationError', async () => {
        const created = await store.createEnvironment({ key: 'qa', name: 'QA' }, alice);
        expect(created).toMatchObject({ key: 'qa', name: 'QA' });
        expect(await store.getEnvironment('qa')).toEqual(created);
        expect((await store.listEnvironments()).map((environment) => environment.key).sort()).toEqual([
          'development',
          'production',
          'qa',
          'staging',
        ]);
        await expectConflict(store.createEnvironment({ key: 'qa', name: 'Again' }, alice), 1);
        await expectValidation(store.createEnvironment({ key: 'Not Valid!', name: 'x' }, alice), 'key');
        const audit = await store.auditLog({ ref: { kind: 'environment', key: 'qa' } });
        expect(audit.items).toHaveLength(1);
        expect(audit.items[0]).toMatchObject({
          action: 'create',
          version: 1,
          actor: 'alice',
          before: null,
          after: created,
        });
        // A flag can now be configured there.
        const flag = await store.createFlag(
          flagInput('in-qa', {
            environments: { qa: { on: true, offVariation: 'off', rules: [], defaultServe: { variation: 'on' } } },
          }),
          alice,
        );
        expect(Object.keys(flag.environments)).toEqual(['qa']);
      });
    });

    describe('flags', () => {
      it('createFlag stores a validated flag at version 1 with timestamps; getFlag reads it back', async () => {
        const before = Date.now();
        const flag = await store.createFlag(flagInput('checkout'), alice);
        expect(flag).toMatchObject({ key: 'checkout', version: 1, archived: false, salt: 'checkout', kind: 'ops' });
        expect(flag.createdAt).toBe(flag.updatedAt);
        expect(Date.parse(flag.createdAt)).toBeGreaterThanOrEqual(before - 1000);
        expect(await store.getFlag('checkout')).toEqual(flag);
        expect(await store.getFlag('missing')).toBeNull();
      });

      it('createFlag ignores a version or createdAt in the input', async () => {
        const flag = await store.createFlag(
          flagInput('fresh', { version: 7, createdAt: '2001-01-01T00:00:00.000Z' }),
          alice,
        );
        expect(flag.version).toBe(1);
        expect(flag.createdAt).not.toBe('2001-01-01T00:00:00.000Z');
      });

      it('createFlag of an existing key is a VersionConflict at the current version', async () => {
        await store.createFlag(flagInput('dup'), alice);
        await store.toggleFlag('dup', 'production', false, 1, alice);
        await expectConflict(store.createFlag(flagInput('dup'), alice), 2);
        expect((await store.getFlag('dup'))!.version).toBe(2);
      });

      it('updateFlag replaces the fields, keeps key/createdAt/environments/salt, and bumps the version', async () => {
        const created = await store.createFlag(flagInput('upd', { salt: 'pepper' }), alice);
        const { environments: _environments, salt: _salt, key: _key, ...fields } = flagInput('upd');
        const updated = await store.updateFlag(
          'upd',
          { ...fields, name: 'Renamed', tags: ['a', 'b'], owner: 'team-b' },
          1,
          bob,
        );
        expect(updated).toMatchObject({
          key: 'upd',
          name: 'Renamed',
          tags: ['a', 'b'],
          owner: 'team-b',
          version: 2,
          salt: 'pepper',
          createdAt: created.createdAt,
        });
        expect(updated.environments).toEqual(created.environments);
        expect(Date.parse(updated.updatedAt)).toBeGreaterThanOrEqual(Date.parse(created.updatedAt));
        expect(await store.getFlag('upd')).toEqual(updated);
        await expectValidation(store.updateFlag('upd', { ...fields, key: 'other' }, 2, bob), 'key');
        await expectNotFound(store.updateFlag('nope', fields, 1, bob));
      });

      it('a stale write is a VersionConflict carrying the current version; nothing is written', async () => {
        await store.createFlag(flagInput('stale'), alice);
        const current = await store.updateFlag('stale', { ...flagInput('stale'), name: 'v2' }, 1, alice);
        const before = await traces(store);
        await expectConflict(store.updateFlag('stale', { ...flagInput('stale'), name: 'lost' }, 1, bob), 2);
        await expectConflict(
          store.setFlagEnvironment(
            'stale',
            'staging',
            { on: true, offVariation: 'off', rules: [], defaultServe: { variation: 'on' } },
            1,
            bob,
          ),
          2,
        );
        await expectConflict(store.toggleFlag('stale', 'production', false, 1, bob), 2);
        await expectConflict(store.archiveFlag('stale', 1, bob), 2);
        await expectConflict(store.deleteFlag('stale', 1, bob), 2);
        expect(await store.getFlag('stale')).toEqual(current);
        expect(await traces(store)).toEqual(before);
        expect(
          (await store.auditLog({ ref: { kind: 'flag', key: 'stale' } })).items.map((record) => record.actor),
        ).toEqual(['alice', 'alice']);
      });

      it('two concurrent writers at the same version: exactly one wins, the other gets a VersionConflict', async () => {
        await store.createFlag(flagInput('race'), alice);
        const results = await Promise.allSettled([
          store.updateFlag('race', { ...flagInput('race'), name: 'A' }, 1, { actor: 'writer-a' }),
          store.updateFlag('race', { ...flagInput('race'), name: 'B' }, 1, { actor: 'writer-b' }),
        ]);
        const won = results.filter((result) => result.status === 'fulfilled');
        const lost = results.filter((result): result is PromiseRejectedResult => result.status === 'rejected');
        expect(won).toHaveLength(1);
        expect(lost).toHaveLength(1);
        expect(lost[0]!.reason).toBeInstanceOf(VersionConflict);
        expect((lost[0]!.reason as VersionConflict).currentVersion).toBe(2);
        const stored = (await store.getFlag('race'))!;
        expect(stored.version).toBe(2);
        const audit = await store.auditLog({ ref: { kind: 'flag', key: 'race' } });
        expect(audit.items.map((record) => record.action)).toEqual(['update', 'create']);
        expect((audit.items[0]!.after as Flag).name).toBe(stored.name);
      });

      it('setFlagEnvironment replaces one environment and validates it', async () => {
        await store.createFlag(flagInput('envs'), alice);
        const config = {
          on: true,
          offVariation: 'off',
          rules: [{ id: 'beta', condition: 'plan == "beta"', serve: { variation: 'on' } }],
          defaultServe: { variation: 'off' },
        };
        const updated = await store.setFlagEnvironment('envs', 'staging', config, 1, alice);
        expect(updated.version).toBe(2);
        expect(updated.environments.staging).toEqual(config);
        expect(updated.environments.production).toEqual(
          (flagInput('envs').environments as Record<string, unknown>).production,
        );
        await expectValidation(
          store.setFlagEnvironment('envs', 'staging', { ...config, offVariation: 'nope' }, 2, alice),
          'environments.staging.offVariation',
        );
        await expectValidation(store.setFlagEnvironment('envs', 'nowhere', config, 2, alice), 'environment');
        await expectNotFound(store.setFlagEnvironment('ghost', 'staging', config, 1, alice));
      });

      it('toggleFlag with a version flips the kill switch; to the same state it writes nothing', async () => {
        await store.createFlag(flagInput('kill'), alice);
        const off = await store.toggleFlag('kill', 'production', false, 1, alice);
        expect(off.environments.production!.on).toBe(false);
        expect(off.version).toBe(2);
        const same = await store.toggleFlag('kill', 'production', false, undefined, alice);
        expect(same.version).toBe(2);
        const audit = await store.auditLog({ ref: { kind: 'flag', key: 'kill' } });
        expect(audit.items.map((record) => record.action)).toEqual(['toggle', 'create']);
        await expectValidation(store.toggleFlag('kill', 'moon', true, undefined, alice), 'environment');
        await expectNotFound(store.toggleFlag('ghost', 'production', true, undefined, alice));
      });

      it('auditLog keeps to a time range: since inclusive, until exclusive, with the other filters and paging', async () => {
        await store.createFlag(flagInput('timed'), alice);
        for (const on of [false, true, false]) {
          await new Promise((resolve) => setTimeout(resolve, 5)); // distinct commit times
          await store.toggleFlag('timed', 'production', on, undefined, alice);
        }
        const all = (await store.auditLog({ ref: { kind: 'flag', key: 'timed' } })).items;
        expect(all.map((record) => record.action)).toEqual(['toggle', 'toggle', 'toggle', 'create']);
        const times = all.map((record) => record.at).reverse(); // oldest first
        const since = await store.auditLog({ ref: { kind: 'flag', key: 'timed' }, since: times[1] });
        expect(since.items.map((record) => record.at)).toEqual([times[3], times[2], times[1]]);
        expect(since.totalCount).toBe(3);
        const window = await store.auditLog({ ref: { kind: 'flag' }, since: times[1], until: times[3] }, { first: 1 });
        expect(window.items.map((record) => record.at)).toEqual([times[2]]);
        expect(window.hasNextPage).toBe(true);
        const next = await store.auditLog(
          { ref: { kind: 'flag' }, since: times[1], until: times[3] },
          { first: 1, after: window.endCursor },
        );
        expect(next.items.map((record) => record.at)).toEqual([times[1]]);
        expect(next.hasNextPage).toBe(false);
        expect((await store.auditLog({ ref: { environment: 'production' }, until: times[1] })).items).toEqual([]);
      });

      it('toggleFlag without a version retries over concurrent edits, so every toggle lands', async () => {
        const config = { on: false, offVariation: 'off', rules: [], defaultServe: { variation: 'on' } };
        await store.createFlag(
          flagInput('incident', { environments: { development: config, staging: config, production: config } }),
          alice,
        );
        const results = await Promise.all([
          store.toggleFlag('incident', 'development', true, undefined, { actor: 'op-1' }),
          store.toggleFlag('incident', 'staging', true, undefined, { actor: 'op-2' }),
          store.toggleFlag('incident', 'production', true, undefined, { actor: 'op-3' }),
        ]);
        expect(results.map((flag) => flag.version).sort()).toEqual([2, 3, 4]);
        const flag = (await store.getFlag('incident'))!;
        expect(flag.version).toBe(4);
        expect(Object.values(flag.environments).map((environment) => environment.on)).toEqual([true, true, true]);
        const audit = await store.auditLog({ ref: { kind: 'flag', key: 'incident' } });
        expect(audit.items.map((record) => record.action)).toEqual(['toggle', 'toggle', 'toggle', 'create']);
      });

      it('setFlagEnvironment without rules keeps the rules; an explicit empty list clears them', async () => {
        await store.createFlag(flagInput('keep-rules', { environments: ruleEnv('plan == "pro"') }), alice);
        const kept = await store.setFlagEnvironment(
          'keep-rules',
          'production',
          { on: false, offVariation: 'off', defaultServe: { variation: 'off' } },
          1,
          alice,
        );
        expect(kept.environments.production).toMatchObject({ on: false, rules: [{ condition: 'plan == "pro"' }] });
        const cleared = await store.setFlagEnvironment(
          'keep-rules',
          'production',
          { on: false, offVariation: 'off', rules: [], defaultServe: { variation: 'off' } },
          2,
          alice,
        );
        expect(cleared.environments.production!.rules).toEqual([]);
        const fresh = await store.setFlagEnvironment(
          'keep-rules',
          'staging',
          { on: true, offVariation: 'off', defaultServe: { variation: 'on' } },
          3,
          alice,
        );
        expect(fresh.environments.staging!.rules).toEqual([]);
      });

      it('toggleFlag of an environment the flag was never configured in gives it a sensible configuration', async () => {
        await store.createFlag(flagInput('partial'), alice);
        const on = await store.toggleFlag('partial', 'staging', true, undefined, alice);
        expect(on.environments.staging).toEqual({
          on: true,
          offVariation: 'off',
          rules: [],
          defaultServe: { variation: 'on' },
        });
        const off = await store.toggleFlag('partial', 'development', false, undefined, alice);
        expect(off.environments.development).toEqual({
          on: false,
          offVariation: 'off',
          rules: [],
          defaultServe: { variation: 'off' },
        });
      });

      it('archiveFlag and restoreFlag, with and without a version', async () => {
        await store.createFlag(flagInput('old'), alice);
        const archived = await store.archiveFlag('old', 1, alice);
        expect(archived).toMatchObject({ archived: true, version: 2 });
        expect((await store.archiveFlag('old', undefined, alice)).version).toBe(2); // already archived: nothing written
        await expectConflict(store.restoreFlag('old', 1, alice), 2);
        const restored = await store.restoreFlag('old', undefined, bob);
        expect(restored).toMatchObject({ archived: false, version: 3 });
        const audit = await store.auditLog({ ref: { kind: 'flag', key: 'old' } });
        expect(audit.items.map((record) => [record.action, record.version])).toEqual([
          ['restore', 3],
          ['archive', 2],
          ['create', 1],
        ]);
        await expectNotFound(store.archiveFlag('ghost', undefined, alice));
      });

      it('deleteFlag removes it (the audit keeps the last state); it may then be created afresh', async () => {
        const flag = await store.createFlag(flagInput('gone'), alice);
        const record = await store.deleteFlag('gone', 1, { actor: 'alice', comment: 'cleanup' });
        expect(record).toMatchObject({
          action: 'delete',
          version: 2,
          before: flag,
          after: null,
          actor: 'alice',
          comment: 'cleanup',
        });
        expect(await store.getFlag('gone')).toBeNull();
        expect((await store.listFlags()).items.map((item) => item.key)).not.toContain('gone');
        await expectNotFound(store.deleteFlag('gone', 2, alice));
        const again = await store.createFlag(flagInput('gone'), alice);
        expect(again.version).toBe(1);
      });

      it('deleteFlag is rejected while another flag uses it as a prerequisite', async () => {
        await store.createFlag(flagInput('base'), alice);
        await store.createFlag(
          flagInput('dependent', { environments: ruleEnv('flag("base") == true', 'staging') }),
          alice,
        );
        const before = await traces(store);
        await expectValidation(store.deleteFlag('base', 1, alice), 'key');
        expect(await store.getFlag('base')).not.toBeNull();
        expect(await traces(store)).toEqual(before);
        await store.deleteFlag('dependent', 1, alice);
        await store.deleteFlag('base', 1, alice);
        expect(await store.getFlag('base')).toBeNull();
      });
    });

    describe('validation on write', () => {
      it('a rule that does not compile is rejected with RULE_SYNTAX at its path; nothing is stored', async () => {
        const before = await traces(store);
        const error = await expectValidation(
          store.createFlag(flagInput('bad-rule', { environments: ruleEnv('plan == ') }), alice),
          'environments.production.rules[0].condition',
          'RULE_SYNTAX',
        );
        expect(error.issues[0]!.ruleIndex).toBe(0);
        expect(await store.getFlag('bad-rule')).toBeNull();
        expect(await traces(store)).toEqual(before);
      });

      it('an unknown segment is rejected; once the segment exists the flag is accepted', async () => {
        const before = await traces(store);
        await expectValidation(
          store.createFlag(flagInput('seg-user', { environments: ruleEnv('segment("beta-testers")') }), alice),
          'environments.production.rules[0].condition',
          'VALIDATION',
        );
        expect(await store.getFlag('seg-user')).toBeNull();
        expect(await traces(store)).toEqual(before);
        // A segment of that name in another environment does not count.
        await store.createSegment({ key: 'beta-testers', environment: 'staging', included: ['u1'] }, alice);
        await expectValidation(
          store.createFlag(flagInput('seg-user', { environments: ruleEnv('segment("beta-testers")') }), alice),
          'environments.production.rules[0].condition',
        );
        await store.createSegment({ key: 'beta-testers', environment: 'production', included: ['u1'] }, alice);
        expect(
          (await store.createFlag(flagInput('seg-user', { environments: ruleEnv('segment("beta-testers")') }), alice))
            .version,
        ).toBe(1);
      });

      it('an unknown prerequisite is rejected', async () => {
        const before = await traces(store);
        await expectValidation(
          store.createFlag(flagInput('needs', { environments: ruleEnv('flag("nothing-here") == true') }), alice),
          'environments.production.rules[0].condition',
        );
        expect(await traces(store)).toEqual(before);
      });

      it('a prerequisite cycle is rejected (directly and through a chain); nothing is written', async () => {
        await store.createFlag(flagInput('a'), alice);
        await store.createFlag(flagInput('b', { environments: ruleEnv('flag("a") == true') }), alice);
        await store.createFlag(flagInput('c', { environments: ruleEnv('flag("b") == true') }), alice);
        const before = await traces(store);
        const a = (await store.getFlag('a'))!;
        const error = await expectValidation(
          store.setFlagEnvironment('a', 'production', ruleEnv('flag("c") == true').production, 1, alice),
          'environments',
        );
        expect(error.message).toMatch(/cycle/);
        await expectValidation(
          store.setFlagEnvironment('a', 'staging', ruleEnv('flag("a") == true', 'staging').staging, 1, alice),
          /environments/,
        );
        expect(await store.getFlag('a')).toEqual(a);
        expect(await traces(store)).toEqual(before);
      });

      it('an unknown environment is rejected', async () => {
        const before = await traces(store);
        await expectValidation(
          store.createFlag(
            flagInput('lost', {
              environments: { moon: { on: true, offVariation: 'off', rules: [], defaultServe: { variation: 'on' } } },
            }),
            alice,
          ),
          'environments.moon',
        );
        expect(await store.getFlag('lost')).toBeNull();
        expect(await traces(store)).toEqual(before);
      });

      it('structural problems are all reported, each with its field path', async () => {
        const error = await expectValidation(
          store.createFlag(
            { key: 'Bad Key', kind: 'weird', valueType: 'boolean', variations: [{ key: 'on', value: 'yes' }] },
            alice,
          ),
          'key',
        );
        const paths = error.issues.map((issue) => issue.path);
        expect(paths).toEqual(expect.arrayContaining(['key', 'kind', 'variations[0].value']));
        await expectValidation(store.createFlag('not an object', alice), '');
        // (A release flag without expiresAt gets a default one: see hygiene-contract.ts.)
        await expectValidation(
          store.createFlag(flagInput('release-bad-expiry', { kind: 'release', expiresAt: 'soon' }), alice),
          'expiresAt',
        );
      });

      it('an invalid actor is rejected', async () => {
        await expectValidation(store.createFlag(flagInput('anon'), { actor: '' }), 'actor');
        expect(await store.getFlag('anon')).toBeNull();
      });
    });

    describe('segments', () => {
      it('create, read, list, update and delete, per environment', async () => {
        const created = await store.createSegment(
          { key: 'beta', environment: 'staging', name: 'Beta', included: ['u1', 'u2'], condition: 'plan == "beta"' },
          alice,
        );
        expect(created).toMatchObject({
          key: 'beta',
          environment: 'staging',
          name: 'Beta',
          version: 1,
          included: ['u1', 'u2'],
          excluded: [],
          condition: 'plan == "beta"',
        });
        const other = await store.createSegment({ key: 'beta', environment: 'production', included: ['u9'] }, alice);
        expect(await store.getSegment('staging', 'beta')).toEqual(created);
        expect(await store.getSegment('production', 'beta')).toEqual(other);
        expect(await store.getSegment('development', 'beta')).toBeNull();
        expect(await store.listSegments('staging')).toEqual([created]);
        expect(sortBy(await store.listSegments(), (segment) => segment.environment)).toEqual([other, created]);

        const updated = await store.updateSegment(
          'staging',
          'beta',
          { name: 'Beta users', included: ['u3'], condition: null },
          1,
          bob,
        );
        expect(updated).toMatchObject({
          key: 'beta',
          environment: 'staging',
          name: 'Beta users',
          included: ['u3'],
          condition: null,
          version: 2,
          createdAt: created.createdAt,
        });
        await expectConflict(store.updateSegment('staging', 'beta', { included: [] }, 1, bob), 2);
        await expectValidation(
          store.updateSegment('staging', 'beta', { environment: 'production' }, 2, bob),
          'environment',
        );
        await expectNotFound(store.updateSegment('development', 'beta', {}, 1, bob));

        const record = await store.deleteSegment('staging', 'beta', 2, alice);
        expect(record).toMatchObject({
          action: 'delete',
          version: 3,
          ref: { kind: 'segment', environment: 'staging', key: 'beta' },
          before: updated,
          after: null,
        });
        expect(await store.getSegment('staging', 'beta')).toBeNull();
        expect(await store.getSegment('production', 'beta')).toEqual(other);
        await expectNotFound(store.deleteSegment('staging', 'beta', 3, alice));
      });

      it('a segment needs a known environment and a valid condition', async () => {
        const before = await traces(store);
        await expectValidation(store.createSegment({ key: 'x', environment: 'moon' }, alice), 'environment');
        await expectValidation(
          store.createSegment({ key: 'x', environment: 'staging', condition: 'plan ==' }, alice),
          'condition',
          'RULE_SYNTAX',
        );
        await expectValidation(
          store.createSegment({ key: 'x', environment: 'staging', condition: 'segment("y")' }, alice),
          'condition',
        );
        expect(await traces(store)).toEqual(before);
        await store.createSegment({ key: 'x', environment: 'staging' }, alice);
        await expectConflict(store.createSegment({ key: 'x', environment: 'staging' }, alice), 1);
      });

      it('deleteSegment is rejected while a flag rule in that environment uses it', async () => {
        await store.createSegment({ key: 'vip', environment: 'production', included: ['u1'] }, alice);
        await store.createSegment({ key: 'vip', environment: 'staging', included: ['u1'] }, alice);
        await store.createFlag(flagInput('vip-only', { environments: ruleEnv('segment("vip")') }), alice);
        const before = await traces(store);
        await expectValidation(store.deleteSegment('production', 'vip', 1, alice), 'key');
        expect(await store.getSegment('production', 'vip')).not.toBeNull();
        expect(await traces(store)).toEqual(before);
        // Unused in staging: deletable there.
        await store.deleteSegment('staging', 'vip', 1, alice);
        await store.setFlagEnvironment(
          'vip-only',
          'production',
          { on: false, offVariation: 'off', rules: [], defaultServe: { variation: 'off' } },
          1,
          alice,
        );
        await store.deleteSegment('production', 'vip', 1, alice);
      });
    });

    describe('API keys', () => {
      const keyRecord = (id: string, overrides: Partial<ApiKeyRecord> = {}) => ({
        id,
        name: `Key ${id}`,
        kind: 'evaluation' as const,
        environment: 'production',
        secretHash: `hash-${id}-0123456789abcdef0123456789abcdef`,
        prefix: 'vxl_eval_AbC1',
        ...overrides,
      });

      it('stores metadata and the hash, finds a key by hash, lists and revokes', async () => {
        const created = await store.createApiKey(keyRecord('k1'), alice);
        expect(created).toMatchObject({ ...keyRecord('k1'), version: 1, revokedAt: null });
        expect(await store.findApiKeyByHash(keyRecord('k1').secretHash)).toEqual(created);
        expect(await store.findApiKeyByHash('no-such-hash-0123456789')).toBeNull();
        const admin = await store.createApiKey(keyRecord('k2', { kind: 'admin', environment: null }), alice);
        expect(sortBy(await store.listApiKeys(), (key) => key.id)).toEqual([created, admin]);

        const revoked = await store.revokeApiKey('k1', bob);
        expect(revoked.version).toBe(2);
        expect(Number.isNaN(Date.parse(revoked.revokedAt!))).toBe(false);
        expect(await store.revokeApiKey('k1', bob)).toEqual(revoked); // idempotent
        expect(await store.findApiKeyByHash(keyRecord('k1').secretHash)).toEqual(revoked);
        const audit = await store.auditLog({ ref: { kind: 'apiKey', key: 'k1' } });
        expect(audit.items.map((record) => [record.action, record.version, record.actor])).toEqual([
          ['revoke', 2, 'bob'],
          ['create', 1, 'alice'],
        ]);
        await expectNotFound(store.revokeApiKey('nope', bob));
      });

      it('never stores a secret: only the known fields (hash and prefix) are kept anywhere', async () => {
        const secret = 'vxl_eval_AbC1SuperSecretValueThatMustNotBeStored';
        const created = await store.createApiKey({ ...keyRecord('k3'), secret, token: secret } as never, alice);
        expect(Object.keys(created).sort()).toEqual([
          'createdAt',
          'environment',
          'id',
          'kind',
          'name',
          'prefix',
          'revokedAt',
          'secretHash',
          'version',
        ]);
        await store.revokeApiKey('k3', alice);
        const everything = JSON.stringify([
          await store.listApiKeys(),
          await store.auditLog(),
          await changesAfter(store, 0).catch(() => []),
          await store.snapshot(),
          await store.getApiKey('k3'),
        ]);
        expect(everything).not.toContain('SuperSecretValue');
        expect(everything).toContain(keyRecord('k3').secretHash);
      });

      it('validates keys: evaluation keys need a known environment; hashes and ids are unique', async () => {
        const before = await traces(store);
        await expectValidation(store.createApiKey(keyRecord('k4', { environment: null }), alice), 'environment');
        await expectValidation(store.createApiKey(keyRecord('k4', { environment: 'moon' }), alice), 'environment');
        await expectValidation(store.createApiKey(keyRecord('k4', { kind: 'root' as never }), alice), 'kind');
        expect(await traces(store)).toEqual(before);
        await store.createApiKey(keyRecord('k4'), alice);
        await expectValidation(
          store.createApiKey(keyRecord('k5', { secretHash: keyRecord('k4').secretHash }), alice),
          'secretHash',
        );
        await expectConflict(
          store.createApiKey(keyRecord('k4', { secretHash: 'another-hash-0123456789abcdef' }), alice),
          1,
        );
      });
    });

    describe('audit log', () => {
      it('every committed write has exactly one audit entry with actor, time, comment, before and after', async () => {
        const t0 = Date.now();
        const start = (await store.snapshot()).position;
        const flag1 = await store.createFlag(flagInput('audited'), { actor: 'alice', comment: 'new flag' });
        const flag2 = await store.toggleFlag('audited', 'production', false, 1, { actor: 'bob' });
        const segment = await store.createSegment(
          { key: 'seg', environment: 'staging' },
          { actor: 'carol', comment: 'segment' },
        );
        const environment = await store.createEnvironment({ key: 'qa', name: 'QA' }, { actor: 'dave' });
        const key = await store.createApiKey(
          {
            id: 'key-1',
            name: 'CI',
            kind: 'admin',
            environment: null,
            secretHash: 'h-0123456789abcdef0123',
            prefix: 'vxl_adm_x',
          },
          { actor: 'erin' },
        );
        const deleted = await store.deleteFlag('audited', 2, { actor: 'frank', comment: 'bye' });
        const t1 = Date.now();

        const records = await changesAfter(store, start);
        expect(
          records.map((record) => [record.ref.kind, record.action, record.actor, record.comment, record.version]),
        ).toEqual([
          ['flag', 'create', 'alice', 'new flag', 1],
          ['flag', 'toggle', 'bob', null, 2],
          ['segment', 'create', 'carol', 'segment', 1],
          ['environment', 'create', 'dave', null, 1],
          ['apiKey', 'create', 'erin', null, 1],
          ['flag', 'delete', 'frank', 'bye', 3],
        ]);
        expect(records.map((record) => [record.before, record.after])).toEqual([
          [null, flag1],
          [flag1, flag2],
          [null, segment],
          [null, environment],
          [null, key],
          [flag2, null],
        ]);
        expect(records.at(-1)).toEqual(deleted);
        for (const record of records) {
          const at = Date.parse(record.at);
          expect(at).toBeGreaterThanOrEqual(t0 - 5000);
          expect(at).toBeLessThanOrEqual(t1 + 5000);
        }
        // The audit log holds the same records, newest first.
        const audit = await store.auditLog({}, { first: records.length });
        expect(audit.items).toEqual([...records].reverse());
        // Exactly one entry per document write.
        expect((await store.auditLog({ ref: { kind: 'flag', key: 'audited' } })).totalCount).toBe(3);
        expect(
          (await store.auditLog({ ref: { kind: 'segment', environment: 'staging', key: 'seg' } })).totalCount,
        ).toBe(1);
        expect((await store.auditLog({ ref: { kind: 'environment', key: 'qa' } })).totalCount).toBe(1);
        expect((await store.auditLog({ ref: { kind: 'apiKey', key: 'key-1' } })).totalCount).toBe(1);
      });

      it('names the environment of every environment-scoped change, and an environment filter finds them all', async () => {
        await store.createFlag(flagInput('scoped'), alice);
        await store.toggleFlag('scoped', 'production', false, undefined, alice);
        await store.toggleFlag('scoped', 'staging', true, undefined, alice); // never configured in staging
        await store.setFlagEnvironment(
          'scoped',
          'production',
          { on: true, offVariation: 'off', rules: [], defaultServe: { variation: 'on' } },
          3,
          alice,
        );
        await store.createSegment({ key: 'scoped-seg', environment: 'production' }, alice);
        await store.updateFlag('scoped', { name: 'renamed' }, 4, alice);

        const history = await store.auditLog({ ref: { kind: 'flag', key: 'scoped' } });
        expect(history.items.map((record) => [record.action, record.environment ?? null])).toEqual([
          ['update', null],
          ['update', 'production'],
          ['toggle', 'staging'],
          ['toggle', 'production'],
          ['create', null],
        ]);
        const production = await store.auditLog({ ref: { environment: 'production' } });
        expect(production.items.map((record) => [record.ref.kind, record.action])).toEqual([
          ['segment', 'create'],
          ['flag', 'update'],
          ['flag', 'toggle'],
        ]);
        expect(production.totalCount).toBe(3);
        const stagingToggles = await store.auditLog({ ref: { kind: 'flag', key: 'scoped', environment: 'staging' } });
        expect(stagingToggles.items.map((record) => record.action)).toEqual(['toggle']);
      });

      it('is newest first, paginated by cursor, and filtered by document, kind or key', async () => {
        await store.createFlag(flagInput('paged'), alice);
        for (let i = 0; i < 6; i++) await store.toggleFlag('paged', 'production', i % 2 !== 0, i + 1, alice);
        await store.createSegment({ key: 'beta', environment: 'staging' }, alice);
        await store.createSegment({ key: 'beta', environment: 'production' }, alice);
        await store.createSegment({ key: 'other', environment: 'production' }, alice);

        const seen: ChangeRecord[] = [];
        let after: string | null = null;
        for (let page = 0; page < 10; page++) {
          const result = await store.auditLog({ ref: { kind: 'flag', key: 'paged' } }, { first: 3, after });
          expect(result.totalCount).toBe(7);
          seen.push(...result.items);
          if (!result.hasNextPage) break;
          after = result.endCursor;
        }
        expect(seen.map((record) => record.version)).toEqual([7, 6, 5, 4, 3, 2, 1]);
        const positions = seen.map((record) => record.position);
        expect([...positions].sort((a, b) => b - a)).toEqual(positions);

        const segments = await store.auditLog({ ref: { kind: 'segment' } });
        expect(segments.totalCount).toBe(3);
        expect(segments.items.every((record) => record.ref.kind === 'segment')).toBe(true);
        const betas = await store.auditLog({ ref: { kind: 'segment', key: 'beta' } });
        expect(betas.items.map((record) => record.ref.environment)).toEqual(['production', 'staging']);
        const oneBeta = await store.auditLog({ ref: { kind: 'segment', key: 'beta', environment: 'production' } });
        expect(oneBeta.items).toHaveLength(1);

        const all = await store.auditLog({}, { first: 2 });
        expect(all.items).toHaveLength(2);
        expect(all.hasNextPage).toBe(true);
        expect(all.items[0]!.position).toBeGreaterThan(all.items[1]!.position);
        const nextPage = await store.auditLog({}, { first: 2, after: all.endCursor });
        expect(nextPage.items[0]!.position).toBeLessThan(all.items[1]!.position);

        const none = await store.auditLog({ ref: { kind: 'flag', key: 'never-written' } });
        expect(none).toMatchObject({ items: [], hasNextPage: false, totalCount: 0 });
      });
    });

    describe('listing flags', () => {
      const seeds: Array<[string, Record<string, unknown>]> = [
        ['alpha', { kind: 'ops', tags: ['core'], owner: 'team-a', name: 'Alpha switch' }],
        [
          'bravo',
          { kind: 'permission', tags: ['core', 'billing'], owner: 'team-b', description: 'Controls BILLING access' },
        ],
        ['charlie', { kind: 'release', expiresAt: '2030-01-01T00:00:00.000Z', tags: ['ui'], owner: 'team-a' }],
        [
          'delta',
          {
            kind: 'experiment',
            expiresAt: '2030-01-01T00:00:00.000Z',
            tags: [],
            owner: 'team-c',
            name: 'Checkout test',
          },
        ],
        ['echo', { kind: 'ops', tags: ['billing'], owner: 'team-b' }],
        ['foxtrot', { kind: 'ops', tags: ['ui'], owner: 'team-a', archived: true }],
        [
          'golf-checkout',
          { kind: 'release', expiresAt: '2030-01-01T00:00:00.000Z', tags: ['ui', 'core'], owner: 'team-c' },
        ],
      ];

      beforeEach(async () => {
        for (const [key, overrides] of seeds) {
          const variations =
            overrides.kind === 'experiment'
              ? {
                  variations: [
                    { key: 'on', value: true },
                    { key: 'off', value: false },
                  ],
                }
              : {};
          await store.createFlag(flagInput(key, { ...overrides, ...variations }), alice);
        }
      });

      async function allKeys(filter: Parameters<FlagStore['listFlags']>[0], first = 2): Promise<string[]> {
        const keys: string[] = [];
        let after: string | null = null;
        for (let page = 0; page < 50; page++) {
          const result = await store.listFlags(filter, { first, after });
          expect(result.items.length).toBeLessThanOrEqual(first);
          keys.push(...result.items.map((flag) => flag.key));
          if (!result.hasNextPage) {
            expect(result.totalCount).toBe(keys.length);
            return keys;
          }
          expect(result.endCursor).not.toBeNull();
          after = result.endCursor;
        }
        throw new Error('too many pages');
      }

      it('pages through every flag in key order with cursors, without repeats', async () => {
        const first = await store.listFlags({}, { first: 3 });
        expect(first.items.map((flag) => flag.key)).toEqual(['alpha', 'bravo', 'charlie']);
        expect(first).toMatchObject({ hasNextPage: true, totalCount: 7 });
        const keys = await allKeys({}, 3);
        expect(keys).toEqual(seeds.map(([key]) => key));
        expect(await allKeys({}, 1)).toEqual(keys);
        const everything = await store.listFlags();
        expect(everything.items.map((flag) => flag.key)).toEqual(keys);
        expect(everything.hasNextPage).toBe(false);
        expect(everything.items[0]).toEqual(await store.getFlag('alpha'));
      });

      it('filters by kind, tag, owner, archived and text search, alone and combined', async () => {
        expect(await allKeys({ kind: 'ops' })).toEqual(['alpha', 'echo', 'foxtrot']);
        expect(await allKeys({ kind: 'release' })).toEqual(['charlie', 'golf-checkout']);
        expect(await allKeys({ tag: 'core' })).toEqual(['alpha', 'bravo', 'golf-checkout']);
        expect(await allKeys({ owner: 'team-a' })).toEqual(['alpha', 'charlie', 'foxtrot']);
        expect(await allKeys({ archived: true })).toEqual(['foxtrot']);
        expect(await allKeys({ archived: false })).toEqual([
          'alpha',
          'bravo',
          'charlie',
          'delta',
          'echo',
          'golf-checkout',
        ]);
        // search: case-insensitive, in key, name or description
        expect(await allKeys({ search: 'CHECKOUT' })).toEqual(['delta', 'golf-checkout']);
        expect(await allKeys({ search: 'billing' })).toEqual(['bravo']);
        expect(await allKeys({ search: 'switch' })).toEqual(['alpha']);
        expect(await allKeys({ kind: 'ops', owner: 'team-a', archived: false })).toEqual(['alpha']);
        expect(await allKeys({ tag: 'ui', search: 'golf' })).toEqual(['golf-checkout']);
        const none = await store.listFlags({ tag: 'nothing' });
        expect(none).toEqual({ items: [], endCursor: null, hasNextPage: false, totalCount: 0 });
      });

      it('rejects a page size below 1', async () => {
        await expectValidation(store.listFlags({}, { first: 0 }), 'first');
      });

      it('reflects writes: archive moves a flag between archived filters', async () => {
        await store.archiveFlag('alpha', undefined, alice);
        expect(await allKeys({ archived: true })).toEqual(['alpha', 'foxtrot']);
        await store.deleteFlag('echo', 1, alice);
        expect(await allKeys({ kind: 'ops' })).toEqual(['alpha', 'foxtrot']);
      });
    });

    describe('change feed', () => {
      it('holds every committed change in commit order, with dense, strictly increasing positions', async () => {
        const start = await store.snapshot();
        await store.createFlag(flagInput('f1'), alice);
        await store.createSegment({ key: 's1', environment: 'staging' }, alice);
        await store.toggleFlag('f1', 'production', false, 1, alice);
        await store.createEnvironment({ key: 'qa', name: 'QA' }, alice);
        await store.createFlag(flagInput('f2'), alice);
        await store.deleteFlag('f2', 1, alice);
        const records = await changesAfter(store, start.position);
        expect(records.map((record) => record.position)).toEqual(records.map((_, index) => start.position + 1 + index));
        expect(records.map((record) => `${record.ref.kind}:${record.ref.key}:${record.action}`)).toEqual([
          'flag:f1:create',
          'segment:s1:create',
          'flag:f1:toggle',
          'environment:qa:create',
          'flag:f2:create',
          'flag:f2:delete',
        ]);
        const end = await store.snapshot();
        expect(end.position).toBe(records.at(-1)!.position);
        const limited = await store.changesSince(start.position, 2);
        expect(limited).toEqual(records.slice(0, 2));
        expect(await store.changesSince(end.position, 10)).toEqual([]);
      });

      it('a snapshot is consistent with its position', async () => {
        await store.createFlag(flagInput('snap-1'), alice);
        await store.createSegment({ key: 'seg', environment: 'production' }, alice);
        const snapshot = await store.snapshot();
        expect(snapshot.flags.map((flag) => flag.key)).toEqual(['snap-1']);
        expect(snapshot.segments.map((segment) => segment.key)).toEqual(['seg']);
        const later = await store.createFlag(flagInput('snap-2'), alice);
        const after = await changesAfter(store, snapshot.position);
        expect(after.map((record) => record.after)).toEqual([later]);
      });

      it('subscribe(position) delivers exactly the later changes, in order, then the live ones', async () => {
        await store.createFlag(flagInput('a'), alice);
        const from = (await store.snapshot()).position;
        await store.createFlag(flagInput('b'), alice);
        await store.createFlag(flagInput('c'), alice);
        const collector = await Collector.start(store, from);
        await collector.waitForPosition(from + 2);
        await store.createFlag(flagInput('d'), alice);
        await store.toggleFlag('a', 'production', false, 1, alice);
        await collector.waitForPosition(from + 4);
        await quietPeriod();
        await collector.close();
        expect(collector.events.every((event) => event.type === 'change')).toBe(true);
        expect(collector.positions).toEqual([from + 1, from + 2, from + 3, from + 4]);
        expect(collector.changes.map((record) => `${record.ref.key}:${record.action}`)).toEqual([
          'b:create',
          'c:create',
          'd:create',
          'a:toggle',
        ]);
        expect(collector.changes).toEqual(await changesAfter(store, from));
      });

      it('a subscriber resuming from its last seen position misses nothing and gets nothing twice', async () => {
        const start = (await store.snapshot()).position;
        const first = await Collector.start(store, start);
        for (let i = 0; i < 5; i++) await store.createFlag(flagInput(`r${i}`), alice);
        await first.waitForPosition(start + 5);
        await first.close();
        const lastSeen = first.positions.at(-1)!;
        for (let i = 5; i < 10; i++) await store.createFlag(flagInput(`r${i}`), alice); // while nobody listens
        const second = await Collector.start(store, lastSeen);
        for (let i = 10; i < 13; i++) await store.createFlag(flagInput(`r${i}`), alice);
        await second.waitForPosition(start + 13);
        await quietPeriod();
        await second.close();
        const keys = [...first.changes, ...second.changes].map((record) => record.ref.key);
        expect(keys).toEqual(Array.from({ length: 13 }, (_, i) => `r${i}`));
        expect([...first.positions, ...second.positions]).toEqual(Array.from({ length: 13 }, (_, i) => start + 1 + i));
      });

      it('concurrent writers: subscribers see every change once, in position order, without gaps', async () => {
        const start = (await store.snapshot()).position;
        const one = await Collector.start(store, start);
        const two = await Collector.start(store, start);
        const records = await Promise.all(
          Array.from({ length: 20 }, (_, i) => store.createFlag(flagInput(`c${i}`), { actor: `writer-${i}` })),
        );
        expect(records).toHaveLength(20);
        await one.waitForPosition(start + 20);
        await two.waitForPosition(start + 20);
        await quietPeriod();
        for (const collector of [one, two]) {
          expect(collector.positions).toEqual(Array.from({ length: 20 }, (_, i) => start + 1 + i));
          expect(new Set(collector.changes.map((record) => record.ref.key)).size).toBe(20);
          await collector.close();
        }
        expect(one.changes).toEqual(two.changes);
      });

      it('a closed subscription receives nothing more', async () => {
        const start = (await store.snapshot()).position;
        const collector = await Collector.start(store, start);
        await store.createFlag(flagInput('x1'), alice);
        await collector.waitForPosition(start + 1);
        await collector.close();
        await store.createFlag(flagInput('x2'), alice);
        await quietPeriod();
        expect(collector.positions).toEqual([start + 1]);
      });

      it('an engine kept current from the feed matches an engine loaded from a fresh snapshot', async () => {
        const initial = await store.snapshot();
        const engine = new FlagEngine();
        engine.load(initial);
        let applied = initial.position;
        const subscription = await store.subscribe(initial.position, (event) => {
          if (event.type !== 'change') throw new Error('unexpected resync');
          applied = event.record.position;
          const change = toEngineChange(event.record);
          if (change) engine.apply([change]);
        });
        await store.createSegment(
          { key: 'staff', environment: 'production', condition: 'email endsWith "@company.com"' },
          alice,
        );
        await store.createFlag(flagInput('feed-a', { environments: ruleEnv('segment("staff")') }), alice);
        await store.createFlag(flagInput('feed-b'), alice);
        await store.toggleFlag('feed-b', 'production', false, undefined, alice);
        await store.createApiKey(
          { id: 'k', name: 'k', kind: 'admin', environment: null, secretHash: 'hash-for-engine-test-123', prefix: 'p' },
          alice,
        );
        await store.deleteFlag('feed-b', 2, alice);
        await store.createEnvironment({ key: 'qa', name: 'QA' }, alice);
        const target = (await store.snapshot()).position;
        await vi.waitFor(() => expect(applied).toBe(target), { timeout: 10_000, interval: 10 });
        await subscription.close();

        const fresh = new FlagEngine();
        const snapshot = await store.snapshot();
        fresh.load(snapshot);
        expect(engine.environmentKeys().sort()).toEqual(fresh.environmentKeys().sort());
        expect([...engine.allFlags()].map((flag) => flag.key).sort()).toEqual(['feed-a']);
        for (const flag of snapshot.flags) expect(engine.flag(flag.key)).toEqual(flag);
        for (const context of [
          { targetingKey: 'u1', email: 'x@company.com' },
          { targetingKey: 'u2', email: 'x@example.com' },
        ]) {
          expect(engine.evaluate('feed-a', context, { environment: 'production' })).toEqual(
            fresh.evaluate('feed-a', context, { environment: 'production' }),
          );
        }
        expect(engine.evaluate('feed-a', { email: 'x@company.com' }, { environment: 'production' }).value).toBe(true);
      });

      it('toEngineChange maps flags, segments and environments, and leaves API keys out', async () => {
        const start = (await store.snapshot()).position;
        await store.createFlag(flagInput('m'), alice);
        await store.createSegment({ key: 's', environment: 'staging' }, alice);
        await store.createEnvironment({ key: 'qa' }, alice);
        await store.createApiKey(
          {
            id: 'k',
            name: 'k',
            kind: 'read-only',
            environment: null,
            secretHash: 'hash-for-mapping-1234',
            prefix: 'p',
          },
          alice,
        );
        await store.deleteSegment('staging', 's', 1, alice);
        const changes = (await changesAfter(store, start)).map(toEngineChange);
        expect(changes.map((change) => change && `${change.kind}:${change.key}`)).toEqual([
          'flag:m',
          'segment:s',
          'environment:qa',
          null,
          'segment:s',
        ]);
        expect(changes[4]).toEqual({ kind: 'segment', environment: 'staging', key: 's', segment: null });
      });
    });

    describe.skipIf(capabilities.retention === false)('resynchronisation', () => {
      it('a position older than the retained change log is too old: changesSince says so and subscribe sends a resync', async () => {
        const small = await factory({ maxChangeRecords: 5 });
        const writer = await FlagStore.open(small.backend);
        const handle: { store?: FlagStore; fixture?: ContractFixture } = { store: writer, fixture: small };
        extra.push(handle);
        for (let i = 0; i < 12; i++) await writer.createFlag(flagInput(`p${i}`), alice);
        // Retention may be applied on commit or when the store is opened: reopen when the backend can.
        let pruned = writer;
        if (small.reopen) {
          await writer.close();
          pruned = await FlagStore.open(await small.reopen());
          handle.store = pruned;
        }
        const { position } = await pruned.snapshot();
        expect(await pruned.changesSince(0, 100)).toBe('too-old');
        const recent = await pruned.changesSince(position - 3, 100);
        expect(recent).not.toBe('too-old');
        expect((recent as ChangeRecord[]).map((record) => record.position)).toEqual([
          position - 2,
          position - 1,
          position,
        ]);

        const stale = await Collector.start(pruned, 0);
        await vi.waitFor(() => expect(stale.events.some((event) => event.type === 'resync')).toBe(true), {
          timeout: 10_000,
          interval: 10,
        });
        expect(stale.changes).toEqual([]);
        const resync = stale.events.find((event) => event.type === 'resync') as { type: 'resync'; reason: string };
        expect(typeof resync.reason).toBe('string');
        await stale.close();

        // Reloading a snapshot and subscribing from its position works again.
        const snapshot = await pruned.snapshot();
        expect(snapshot.flags).toHaveLength(12);
        const fresh = await Collector.start(pruned, snapshot.position);
        await pruned.createFlag(flagInput('after-resync'), alice);
        await fresh.waitForPosition(snapshot.position + 1);
        await fresh.close();
        expect(fresh.changes.map((record) => record.ref.key)).toEqual(['after-resync']);
      });
    });

    describe('restart', () => {
      it('everything committed survives a restart; the feed continues where it was; no second seeding', async (context) => {
        if (!fixture.reopen) {
          context.skip();
          return;
        }
        const flag = await store.createFlag(flagInput('durable'), alice);
        const segment = await store.createSegment({ key: 'seg', environment: 'production', included: ['u1'] }, alice);
        const key = await store.createApiKey(
          {
            id: 'kept',
            name: 'kept',
            kind: 'admin',
            environment: null,
            secretHash: 'hash-kept-0123456789',
            prefix: 'p',
          },
          alice,
        );
        await store.mergeUsage([
          {
            environment: 'production',
            flagKey: 'durable',
            variation: 'on',
            count: 4,
            lastEvaluatedAt: '2025-01-01T00:00:00.000Z',
          },
        ]);
        const before = await store.snapshot();
        const auditBefore = await store.auditLog({}, { first: 500 });
        await store.close();

        store = await FlagStore.open(await fixture.reopen());
        expect(await store.getFlag('durable')).toEqual(flag);
        expect(await store.getSegment('production', 'seg')).toEqual(segment);
        expect(await store.findApiKeyByHash('hash-kept-0123456789')).toEqual(key);
        expect(await store.readUsage()).toEqual([
          {
            environment: 'production',
            flagKey: 'durable',
            variation: 'on',
            count: 4,
            lastEvaluatedAt: '2025-01-01T00:00:00.000Z',
          },
        ]);
        expect(await store.snapshot()).toEqual(before);
        expect(await store.auditLog({}, { first: 500 })).toEqual(auditBefore);
        expect((await store.listEnvironments()).map((environment) => environment.key).sort()).toEqual([
          'development',
          'production',
          'staging',
        ]);

        const collector = await Collector.start(store, before.position);
        const next = await store.toggleFlag('durable', 'production', false, 1, alice);
        await collector.waitForPosition(before.position + 1);
        await collector.close();
        expect(collector.changes.map((record) => [record.position, record.after])).toEqual([
          [before.position + 1, next],
        ]);
      });
    });

    describe('usage', () => {
      it('merges batches: counts add up per environment, flag and variation; lastEvaluatedAt is the latest', async () => {
        const position = (await store.snapshot()).position;
        const t1 = '2025-03-01T10:00:00.000Z';
        const t2 = '2025-03-01T11:00:00.000Z';
        const t0 = '2025-03-01T09:00:00.000Z';
        const batch1: UsageEntry[] = [
          { environment: 'production', flagKey: 'f', variation: 'on', count: 3, lastEvaluatedAt: t1 },
          { environment: 'production', flagKey: 'f', variation: 'off', count: 1, lastEvaluatedAt: t1 },
        ];
        const batch2: UsageEntry[] = [
          { environment: 'production', flagKey: 'f', variation: 'on', count: 2, lastEvaluatedAt: t0 },
          { environment: 'staging', flagKey: 'f', variation: 'on', count: 5, lastEvaluatedAt: t2 },
          { environment: 'staging', flagKey: 'f', variation: 'on', count: 1, lastEvaluatedAt: t1 },
        ];
        await store.mergeUsage(batch1);
        await store.mergeUsage(batch2);
        await store.mergeUsage([]);
        const usage = sortBy(
          await store.readUsage(),
          (stat) => `${stat.environment}/${stat.flagKey}/${stat.variation}`,
        );
        expect(usage).toEqual([
          { environment: 'production', flagKey: 'f', variation: 'off', count: 1, lastEvaluatedAt: t1 },
          { environment: 'production', flagKey: 'f', variation: 'on', count: 5, lastEvaluatedAt: t1 },
          { environment: 'staging', flagKey: 'f', variation: 'on', count: 6, lastEvaluatedAt: t2 },
        ]);
        // Usage is not a document change: no feed or audit entries.
        expect((await store.snapshot()).position).toBe(position);
      });

      it('concurrent merges lose no counts', async () => {
        await Promise.all(
          Array.from({ length: 10 }, (_, i) =>
            store.mergeUsage([
              {
                environment: 'production',
                flagKey: 'hot',
                variation: 'on',
                count: i + 1,
                lastEvaluatedAt: `2025-01-01T00:00:0${i}.000Z`,
              },
            ]),
          ),
        );
        expect(await store.readUsage()).toEqual([
          {
            environment: 'production',
            flagKey: 'hot',
            variation: 'on',
            count: 55,
            lastEvaluatedAt: '2025-01-01T00:00:09.000Z',
          },
        ]);
      });
    });

    describe('health and backend contract', () => {
      it('reports health', async () => {
        const health = await store.health();
        expect(health).toMatchObject({ ok: true, store: fixture.backend.name, feedMode: fixture.backend.feedMode });
      });

      it('backend.commit is conditional: a stale or missing expected version is a VersionConflict and writes nothing', async () => {
        const flag = await store.createFlag(flagInput('low-level'), alice);
        const before = await traces(store);
        const next = { ...flag, name: 'changed', version: 6 };
        await expectConflict(
          fixture.backend.commit({
            ref: { kind: 'flag', key: 'low-level' },
            expectedVersion: 5,
            action: 'update',
            after: next,
            meta: alice,
          }),
          1,
        );
        await expectConflict(
          fixture.backend.commit({
            ref: { kind: 'flag', key: 'missing' },
            expectedVersion: 3,
            action: 'update',
            after: { ...flag, key: 'missing', version: 4 },
            meta: alice,
          }),
          0,
        );
        expect(await store.getFlag('low-level')).toEqual(flag);
        expect(await traces(store)).toEqual(before);
        const record = await fixture.backend.commit({
          ref: { kind: 'flag', key: 'low-level' },
          expectedVersion: 1,
          action: 'update',
          after: { ...flag, name: 'changed', version: 2 },
          meta: alice,
        });
        expect(record).toMatchObject({
          position: before.position + 1,
          version: 2,
          action: 'update',
          actor: 'alice',
          comment: 'testing',
          before: flag,
        });
        expect(await fixture.backend.get({ kind: 'flag', key: 'low-level' })).toMatchObject({
          name: 'changed',
          version: 2,
        });
      });
    });
  });
}
