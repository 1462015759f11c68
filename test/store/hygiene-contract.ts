/**
 * Flag hygiene on the storage contract: expiry at creation, hourly usage (merged from several
 * engines, bounded to 30 days), FLAG_NOT_FOUND counts of archived and deleted flags, code-reference
 * reports and the stale-flag report. Every test drives an injected clock, so each stale reason is
 * seen to appear and to disappear as its condition changes. Runs on both stores, like contract.ts.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ValidationError } from '../../src/flags/errors.js';
import { FlagEngine } from '../../src/flags/engine.js';
import { FlagStore } from '../../src/store/store.js';
import type { WriteMeta } from '../../src/store/types.js';
import { flagInput, type ContractFactory, type ContractFixture } from './contract.js';

const alice: WriteMeta = { actor: 'alice' };
const day = 24 * 3600 * 1000;
const start = Date.parse('2026-03-01T10:15:00.000Z');

export function defineHygieneContract(name: string, factory: ContractFactory): void {
  describe(`flag hygiene: ${name}`, () => {
    let fixture: ContractFixture;
    let store: FlagStore;
    let now = start;
    const at = (days: number) => (now = start + days * day);
    const iso = () => new Date(now).toISOString();

    beforeEach(async () => {
      now = start;
      fixture = await factory();
      store = await FlagStore.open(fixture.backend, { now: () => new Date(now) });
    });

    afterEach(async () => {
      await store?.close();
      await fixture?.cleanup();
    });

    const reasonsOf = async (key: string, environment: string | null = 'production') => {
      const report = await store.staleFlags({ environment });
      return (
        report
          .find((entry) => entry.key === key)
          ?.reasons.map((reason) => reason.code)
          .sort() ?? []
      );
    };
    const evaluated = (flagKey: string, variation: string | null, count = 1, environment = 'production') =>
      store.mergeUsage([{ environment, flagKey, variation, count, lastEvaluatedAt: iso() }]);

    describe('expiry at creation', () => {
      it('gives release flags 40 days and experiments 90; ops and permission flags stay permanent; a given expiry is kept', async () => {
        const release = await store.createFlag(flagInput('rel', { kind: 'release' }), alice);
        const experiment = await store.createFlag(flagInput('exp', { kind: 'experiment' }), alice);
        const ops = await store.createFlag(flagInput('ops'), alice);
        const permission = await store.createFlag(flagInput('perm', { kind: 'permission' }), alice);
        const given = await store.createFlag(
          flagInput('given', { kind: 'release', expiresAt: '2026-03-05T00:00:00.000Z' }),
          alice,
        );
        expect(release.expiresAt).toBe(new Date(start + 40 * day).toISOString());
        expect(experiment.expiresAt).toBe(new Date(start + 90 * day).toISOString());
        expect([ops.expiresAt, permission.expiresAt, given.expiresAt]).toEqual([
          null,
          null,
          '2026-03-05T00:00:00.000Z',
        ]);
        expect((await store.getFlag('rel'))!.expiresAt).toBe(release.expiresAt);
      });

      it('takes the defaults per kind from the options', async () => {
        // A second FlagStore over the same, already open backend (closed with the first one).
        const custom = new FlagStore(fixture.backend, {
          now: () => new Date(now),
          defaultExpiryDays: { release: 3, ops: 10 },
        });
        expect((await custom.createFlag(flagInput('short', { kind: 'release' }), alice)).expiresAt).toBe(
          new Date(start + 3 * day).toISOString(),
        );
        expect((await custom.createFlag(flagInput('ops-too'), alice)).expiresAt).toBe(
          new Date(start + 10 * day).toISOString(),
        );
        await expect(custom.createFlag(flagInput('no-default', { kind: 'experiment' }), alice)).rejects.toBeInstanceOf(
          ValidationError,
        );
      });
    });

    describe('usage over time', () => {
      it('keeps hourly buckets per variation beside the totals, and drops buckets older than 30 days on write', async () => {
        await evaluated('f', 'on', 3);
        await evaluated('f', 'off', 1);
        now += 3600 * 1000;
        await evaluated('f', 'on', 2);
        const hours = (await store.readUsageBuckets({ environment: 'production', flagKey: 'f' }))
          .map((bucket) => [bucket.hour, bucket.variation, bucket.count])
          .sort();
        expect(hours).toEqual([
          ['2026-03-01T10:00:00.000Z', 'off', 1],
          ['2026-03-01T10:00:00.000Z', 'on', 3],
          ['2026-03-01T11:00:00.000Z', 'on', 2],
        ]);
        now = Date.parse('2026-03-31T10:59:00.000Z'); // 720 hours after 10:00: the 10:00 bucket falls out
        await evaluated('f', 'on', 1);
        const kept = (await store.readUsageBuckets({ flagKey: 'f' })).map((bucket) => bucket.hour).sort();
        expect(kept).toEqual(['2026-03-01T11:00:00.000Z', '2026-03-31T10:00:00.000Z']);
        expect(
          (await store.readUsageBuckets({ flagKey: 'f', since: '2026-03-31T00:00:00.000Z' })).map(
            (bucket) => bucket.count,
          ),
        ).toEqual([1]);
        const totals = await store.readUsage({ flagKey: 'f' });
        expect(totals.find((stat) => stat.variation === 'on')).toMatchObject({ count: 6, lastEvaluatedAt: iso() });
      });

      it('merges the counters of two gateway instances (two engines flushing into the store)', async () => {
        await store.createFlag(flagInput('shared'), alice);
        const engines = [new FlagEngine(), new FlagEngine()];
        const snapshot = await store.snapshot();
        for (const engine of engines) engine.load(snapshot);
        const flushes = engines.map((engine) => store.startUsageFlush(engine.usage, { intervalMs: 3_600_000 }));
        for (let i = 0; i < 5; i++)
          engines[0]!.evaluate('shared', { targetingKey: `a${i}` }, { environment: 'production' });
        for (let i = 0; i < 7; i++)
          engines[1]!.evaluate('shared', { targetingKey: `b${i}` }, { environment: 'production' });
        await Promise.all(flushes.map((flush) => flush.stop()));
        expect(await store.readUsage({ flagKey: 'shared' })).toEqual([
          { environment: 'production', flagKey: 'shared', variation: 'on', count: 12, lastEvaluatedAt: iso() },
        ]);
        expect((await store.readUsageBuckets({ flagKey: 'shared' })).map((bucket) => bucket.count)).toEqual([12]);
      });

      it('counts FLAG_NOT_FOUND requests of archived and deleted flags, never of keys that never existed', async () => {
        await store.createFlag(flagInput('archived-one'), alice);
        const gone = await store.createFlag(flagInput('deleted-one'), alice);
        await store.archiveFlag('archived-one', undefined, alice);
        await store.deleteFlag('deleted-one', gone.version, alice);
        const engine = new FlagEngine();
        engine.load(await store.snapshot());
        const flush = store.startUsageFlush(engine.usage, { intervalMs: 3_600_000 });
        for (const key of ['archived-one', 'archived-one', 'deleted-one', 'never-existed', 'typo-flag']) {
          expect(engine.evaluate(key, {}, { environment: 'production' }).errorCode).toBe('FLAG_NOT_FOUND');
        }
        await flush.stop();
        const notFound = (await store.readUsage())
          .filter((stat) => stat.variation === null)
          .map((stat) => [stat.flagKey, stat.count])
          .sort();
        expect(notFound).toEqual([
          ['archived-one', 2],
          ['deleted-one', 1],
        ]);
      });
    });

    describe('stale reasons appear and disappear with their condition', () => {
      it('EXPIRING_SOON (a warning) within 7 days of expiresAt, then EXPIRED; gone once extended by an audited updateFlag', async () => {
        await store.createFlag(flagInput('launch', { kind: 'release', environments: {} }), alice);
        expect(await reasonsOf('launch')).toEqual([]);
        at(34);
        await evaluated('launch', 'on');
        expect(await reasonsOf('launch')).toEqual(['EXPIRING_SOON']);
        expect((await store.staleFlags()).find((entry) => entry.key === 'launch')!.stale).toBe(false);
        at(41);
        await evaluated('launch', 'on');
        const expired = (await store.staleFlags()).find((entry) => entry.key === 'launch')!;
        expect(expired.reasons.map((reason) => reason.code)).toEqual(['EXPIRED']);
        expect(expired).toMatchObject({
          stale: true,
          reasons: [{ severity: 'stale', evidence: { expiresAt: new Date(start + 40 * day).toISOString() } }],
        });
        const extended = new Date(now + 30 * day).toISOString();
        await store.updateFlag('launch', { expiresAt: extended }, 1, {
          actor: 'alice',
          comment: 'rollout paused for the audit',
        });
        expect(await reasonsOf('launch')).toEqual([]);
        const [entry] = (await store.auditLog({ ref: { kind: 'flag', key: 'launch' } })).items;
        expect(entry).toMatchObject({
          action: 'update',
          comment: 'rollout paused for the audit',
          after: { expiresAt: extended },
        });
      });

      it('UNUSED when not evaluated for 30 days in any environment (and older than that)', async () => {
        await store.createFlag(flagInput('quiet', { environments: {} }), alice);
        at(29);
        expect(await reasonsOf('quiet')).toEqual([]);
        at(31);
        expect(await reasonsOf('quiet')).toEqual(['UNUSED']);
        await evaluated('quiet', 'on', 1, 'staging');
        expect(await reasonsOf('quiet')).toEqual([]);
        at(62);
        expect(await reasonsOf('quiet', null)).toEqual(['UNUSED']);
      });

      it('ONE_VARIATION when everyone has got one variation in the environment for 14 days; gone when it serves two', async () => {
        const rules = [{ id: 'pro', condition: 'plan == "pro"', serve: { variation: 'on' } }];
        const config = { on: false, offVariation: 'off', rules, defaultServe: { variation: 'off' } };
        await store.createFlag(flagInput('dark', { environments: { production: config } }), alice);
        await evaluated('dark', 'off');
        at(13);
        await evaluated('dark', 'off');
        expect(await reasonsOf('dark')).toEqual([]);
        at(15);
        await evaluated('dark', 'off');
        const [reason] = (await store.staleFlags({ environment: 'production' })).find(
          (entry) => entry.key === 'dark',
        )!.reasons;
        expect(reason).toMatchObject({
          code: 'ONE_VARIATION',
          evidence: { environment: 'production', variation: 'off', since: new Date(start).toISOString() },
        });
        await store.toggleFlag('dark', 'production', true, undefined, alice);
        expect(await reasonsOf('dark')).toEqual([]);
        at(40);
        await evaluated('dark', 'on');
        expect(await reasonsOf('dark')).toEqual([]);
        const split = {
          on: true,
          offVariation: 'off',
          rules: [],
          defaultServe: {
            rollout: {
              weights: [
                { variation: 'on', weight: 100_000 },
                { variation: 'off', weight: 0 },
              ],
            },
          },
        };
        await store.setFlagEnvironment('dark', 'production', split, 2, alice);
        at(55);
        await evaluated('dark', 'on');
        expect(await reasonsOf('dark')).toEqual(['ONE_VARIATION']);
      });

      it('ARCHIVED_BUT_CALLED while an archived or deleted flag is still requested, for 7 days after the last request', async () => {
        await store.createFlag(flagInput('old-archived', { environments: {} }), alice);
        const doomed = await store.createFlag(flagInput('old-deleted', { environments: {} }), alice);
        await store.archiveFlag('old-archived', undefined, alice);
        expect(await reasonsOf('old-archived')).toEqual([]);
        await store.deleteFlag('old-deleted', doomed.version, alice);
        at(1);
        await evaluated('old-archived', null, 4);
        await evaluated('old-deleted', null, 2);
        const report = await store.staleFlags({ environment: 'production' });
        expect(report.find((entry) => entry.key === 'old-archived')).toMatchObject({
          stale: true,
          reasons: [{ code: 'ARCHIVED_BUT_CALLED', evidence: { count: 4, lastEvaluatedAt: iso() } }],
        });
        expect(report.find((entry) => entry.key === 'old-deleted')).toMatchObject({
          flag: null,
          reasons: [{ code: 'ARCHIVED_BUT_CALLED', evidence: { count: 2 } }],
        });
        expect(await reasonsOf('old-archived', 'staging')).toEqual([]);
        at(9);
        expect(await reasonsOf('old-archived')).toEqual([]);
        expect(await reasonsOf('old-deleted')).toEqual([]);
      });

      it('NO_CODE_REFERENCES when the latest scan of every repository found none; a later scan that finds one clears it', async () => {
        await store.createFlag(flagInput('orphan', { environments: {} }), alice);
        await evaluated('orphan', 'on');
        expect(await reasonsOf('orphan')).toEqual([]);
        const scan = (scannedAt: string, keys: string[]) => ({
          repository: 'github.com/acme/shop',
          scannedAt,
          flags: keys.map((key) => ({ key, count: 1, locations: ['src/a.ts:1'] })),
        });
        expect((await store.reportCodeReferences(scan('2026-03-01T11:00:00.000Z', ['other']))).stored).toBe(true);
        expect(await reasonsOf('orphan')).toEqual(['NO_CODE_REFERENCES']);
        expect((await store.reportCodeReferences(scan('2026-03-01T12:00:00.000Z', ['orphan']))).stored).toBe(true);
        expect(await reasonsOf('orphan')).toEqual([]);
        // A scan that arrives late, older than the stored one, changes nothing.
        expect((await store.reportCodeReferences(scan('2026-03-01T11:30:00.000Z', []))).stored).toBe(false);
        expect(await reasonsOf('orphan')).toEqual([]);
        expect(
          (await store.readCodeReferences()).map((report) => [
            report.repository,
            report.scannedAt,
            report.flags.map((entry) => entry.key),
          ]),
        ).toEqual([['github.com/acme/shop', '2026-03-01T12:00:00.000Z', ['orphan']]]);
      });

      it('refuses a malformed code-reference report, naming each problem', async () => {
        const error = await store
          .reportCodeReferences({
            repository: '',
            scannedAt: 'yesterday',
            flags: [
              { key: 'a', count: 0, locations: Array.from({ length: 21 }, (_, i) => `f.ts:${i}`) },
              { key: 'a', count: 1, locations: ['no-line'] },
            ],
          })
          .catch((caught: unknown) => caught);
        expect(error).toBeInstanceOf(ValidationError);
        expect((error as ValidationError).issues.map((issue) => issue.path).sort()).toEqual([
          'flags[0].count',
          'flags[0].locations',
          'flags[1].key',
          'flags[1].locations[0]',
          'repository',
          'scannedAt',
        ]);
        expect(await store.readCodeReferences()).toEqual([]);
      });
    });
  });
}
