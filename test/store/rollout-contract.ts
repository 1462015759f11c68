/**
 * Rollout plans on the storage contract: a plan driven through all its stages by the scheduler on an
 * injected clock, the operator's transitions (pause, resume, advance, rollback to the previous stage
 * and to zero), the kill switch pausing a running plan, a ring release switching a rule on, guard
 * outcomes (breach pauses or rolls back with the observed value recorded, unknown never advances),
 * two schedulers stepping at once (each step exactly once), and the validation of plans. Runs on both
 * stores, like contract.ts.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { ValidationError } from '../../src/flags/errors.js';
import type { Flag } from '../../src/flags/model.js';
import type { GuardCheck, RolloutGuard } from '../../src/flags/rollout-plan.js';
import { RolloutScheduler, rolloutActor } from '../../src/server/rollout/scheduler.js';
import { FlagStore } from '../../src/store/store.js';
import type { WriteMeta } from '../../src/store/types.js';
import { flagInput, type ContractFactory, type ContractFixture } from './contract.js';

const alice: WriteMeta = { actor: 'alice' };
const hour = 3600;
const start = Date.parse('2026-03-01T10:00:00.000Z');

/** `1% for 1h → 5% for 4h → 25% for 1d → 50% for 1d → 100%`, on the default serve of production. */
export const classicPlan = {
  ruleId: null,
  onGuardBreach: 'PAUSE',
  stages: [
    { percentage: 1, holdSeconds: hour },
    { percentage: 5, holdSeconds: 4 * hour },
    { percentage: 25, holdSeconds: 24 * hour },
    { percentage: 50, holdSeconds: 24 * hour },
    { percentage: 100, holdSeconds: 0 },
  ],
};

/** A boolean flag whose production default serve is a 0% rollout of `on`. */
export function rolloutFlagInput(key: string): Record<string, unknown> {
  const weights = [
    { variation: 'on', weight: 0 },
    { variation: 'off', weight: 100_000 },
  ];
  return flagInput(key, {
    environments: {
      production: { on: true, offVariation: 'off', rules: [], defaultServe: { rollout: { weights } } },
    },
  });
}

export function onWeight(flag: Flag, environment = 'production'): number | undefined {
  return flag.environments[environment]!.defaultServe.rollout?.weights.find((weight) => weight.variation === 'on')
    ?.weight;
}

export function defineRolloutContract(name: string, factory: ContractFactory): void {
  describe(`rollout plans: ${name}`, () => {
    let fixture: ContractFixture;
    let store: FlagStore;
    let now = start;
    let guardAnswer: (guard: RolloutGuard) => GuardCheck;
    const later = (seconds: number) => (now += seconds * 1000);
    const scheduler = (s = store) =>
      new RolloutScheduler({ store: s, now: () => new Date(now), checkGuard: async (guard) => guardAnswer(guard) });
    const flag = async (key = 'checkout') => (await store.getFlag(key))!;
    const plan = async (key = 'checkout') => (await flag(key)).environments.production!.rollout!;
    const stepsBy = async (actor: string) =>
      (await store.auditLog({ ref: { kind: 'flag', key: 'checkout' } }, { first: 500 })).items.filter(
        (entry) => entry.actor === actor,
      );
    const withPlan = async (input: Record<string, unknown> = classicPlan) => {
      const created = await store.createFlag(rolloutFlagInput('checkout'), alice);
      return store.rollouts.setPlan('checkout', 'production', input, created.version, alice);
    };
    const step = async (kind: Parameters<FlagStore['rollouts']['step']>[2]) =>
      store.rollouts.step('checkout', 'production', kind, (await flag()).version, alice);

    beforeEach(async () => {
      now = start;
      guardAnswer = () => ({ at: new Date(now).toISOString(), value: 0, outcome: 'ok', detail: 'fine' });
      fixture = await factory();
      store = await FlagStore.open(fixture.backend, { now: () => new Date(now) });
    });

    afterEach(async () => {
      await store?.close();
      await fixture?.cleanup();
    });

    it('a plan goes through all its stages on schedule, each step one audited change by rollout-plan', async () => {
      const drafted = await withPlan();
      expect(drafted.environments.production!.rollout).toMatchObject({ state: 'DRAFT', currentStage: -1 });
      await step('start');
      expect(await plan()).toMatchObject({
        state: 'RUNNING',
        currentStage: 0,
        stageEnteredAt: new Date(now).toISOString(),
      });
      expect(onWeight(await flag())).toBe(1000);
      const seen: number[] = [];
      for (const hold of [hour, 4 * hour, 24 * hour, 24 * hour]) {
        later(hold - 1);
        await scheduler().tick();
        expect((await plan()).currentStage).toBe(seen.length); // not before the hold is over
        later(1);
        await scheduler().tick();
        seen.push(onWeight(await flag())!);
      }
      expect(seen).toEqual([5000, 25_000, 50_000, 100_000]);
      expect(await plan()).toMatchObject({ state: 'COMPLETED', currentStage: 4 });
      const steps = await stepsBy(rolloutActor);
      expect(steps).toHaveLength(4);
      expect(steps.every((entry) => entry.action === 'update' && entry.environment === 'production')).toBe(true);
      later(7 * 24 * hour);
      await scheduler().tick();
      expect(await stepsBy(rolloutActor)).toHaveLength(4);
    });

    it('pause stops the schedule, resume continues it, advance steps at once', async () => {
      await withPlan();
      await step('start');
      await step('pause');
      later(2 * hour);
      await scheduler().tick();
      expect(await plan()).toMatchObject({ state: 'PAUSED', currentStage: 0 });
      await step('resume');
      await scheduler().tick();
      expect(await plan()).toMatchObject({ state: 'RUNNING', currentStage: 1 });
      await step('advance');
      expect(await plan()).toMatchObject({ state: 'RUNNING', currentStage: 2 });
      expect(onWeight(await flag())).toBe(25_000);
    });

    it('rollback to the previous stage pauses there; rollback to zero restores the serve from before the plan', async () => {
      await withPlan();
      await step('start');
      await step('advance');
      await step('advance');
      await step('rollbackPrevious');
      expect(await plan()).toMatchObject({ state: 'PAUSED', currentStage: 1 });
      expect(onWeight(await flag())).toBe(5000);
      await step('rollbackZero');
      expect(await plan()).toMatchObject({ state: 'ROLLED_BACK', currentStage: -1 });
      expect(onWeight(await flag())).toBe(0);
      later(30 * 24 * hour);
      await scheduler().tick();
      expect(onWeight(await flag())).toBe(0);
      await expect(step('resume')).rejects.toThrow(/ROLLED_BACK/);
    });

    it('the kill switch stays instant and pauses a running plan', async () => {
      await withPlan();
      await step('start');
      await store.toggleFlag('checkout', 'production', false, undefined, alice);
      expect((await flag()).environments.production!.on).toBe(false);
      expect((await plan()).state).toBe('PAUSED');
      later(2 * hour);
      await scheduler().tick();
      expect((await plan()).currentStage).toBe(0);
    });

    it('a stage may switch a rule on: staff, then the beta segment rule, then everyone', async () => {
      const created = await store.createFlag(
        flagInput('checkout', {
          environments: {
            production: {
              on: true,
              offVariation: 'off',
              rules: [
                { id: 'staff', condition: 'email endsWith "@example.com"', serve: { variation: 'on' } },
                { id: 'beta', condition: 'beta == true', serve: { variation: 'on' }, enabled: false },
              ],
              defaultServe: {
                rollout: {
                  weights: [
                    { variation: 'on', weight: 0 },
                    { variation: 'off', weight: 100_000 },
                  ],
                },
              },
            },
          },
        }),
        alice,
      );
      await store.rollouts.setPlan(
        'checkout',
        'production',
        {
          stages: [
            { percentage: 0, holdSeconds: hour },
            { percentage: 0, holdSeconds: hour, enableRules: ['beta'] },
            { percentage: 100 },
          ],
        },
        created.version,
        alice,
      );
      await step('start');
      const rules = async () => (await flag()).environments.production!.rules.map((rule) => rule.enabled !== false);
      expect(await rules()).toEqual([true, false]);
      later(hour);
      await scheduler().tick();
      expect(await rules()).toEqual([true, true]);
      await step('rollbackZero');
      expect(await rules()).toEqual([true, false]);
    });

    it('a guard breach pauses the plan (or rolls it back) and records the observed value in the plan and the audit entry', async () => {
      const guarded = {
        ...classicPlan,
        stages: classicPlan.stages.map((stage) => ({ ...stage, guard: { query: 'errors', max: 0.05 } })),
      };
      await withPlan(guarded);
      await step('start');
      guardAnswer = () => ({ at: new Date(now).toISOString(), value: 0.2, outcome: 'breach', detail: 'errors = 0.2' });
      later(60);
      await scheduler().tick();
      expect(await plan()).toMatchObject({
        state: 'PAUSED',
        currentStage: 0,
        lastGuardCheck: { value: 0.2, outcome: 'breach' },
      });
      const [entry] = await stepsBy(rolloutActor);
      expect(entry!.comment).toContain('0.2');
      expect((entry!.after as Flag).environments.production!.rollout!.lastGuardCheck!.value).toBe(0.2);

      await step('rollbackZero');
      await store.rollouts.setPlan(
        'checkout',
        'production',
        { ...guarded, onGuardBreach: 'ROLLBACK' },
        (await flag()).version,
        alice,
      );
      await step('start');
      later(60);
      await scheduler().tick();
      expect(await plan()).toMatchObject({ state: 'ROLLED_BACK', currentStage: -1, lastGuardCheck: { value: 0.2 } });
      expect(onWeight(await flag())).toBe(0);
    });

    it('an unknown guard never advances: the plan holds and says why', async () => {
      await withPlan({
        ...classicPlan,
        stages: classicPlan.stages.map((stage) => ({ ...stage, guard: { query: 'errors', max: 1 } })),
      });
      await step('start');
      guardAnswer = () => ({
        at: new Date(now).toISOString(),
        value: null,
        outcome: 'unknown',
        detail: 'Prometheus unreachable',
      });
      for (let i = 0; i < 3; i++) {
        later(2 * hour);
        await scheduler().tick();
      }
      expect(await plan()).toMatchObject({
        state: 'RUNNING',
        currentStage: 0,
        lastGuardCheck: { outcome: 'unknown', detail: 'Prometheus unreachable' },
      });
      expect(await stepsBy(rolloutActor)).toHaveLength(1); // the unknown is recorded once, not on every check
      guardAnswer = () => ({ at: new Date(now).toISOString(), value: 0.5, outcome: 'ok', detail: 'errors = 0.5' });
      await scheduler().tick();
      expect(await plan()).toMatchObject({ currentStage: 1, lastGuardCheck: { outcome: 'ok', value: 0.5 } });
    });

    it('two schedulers ticking at once make every step exactly once', async () => {
      await withPlan();
      await step('start');
      const schedulers = [scheduler(), scheduler(), scheduler()];
      for (let i = 0; i < 6; i++) {
        later(24 * hour);
        await Promise.all(schedulers.map((each) => each.tick()));
      }
      expect(await plan()).toMatchObject({ state: 'COMPLETED', currentStage: 4 });
      expect(await stepsBy(rolloutActor)).toHaveLength(4);
    });

    it('refuses invalid plans with the field at fault, and replacing a running plan', async () => {
      const created = await store.createFlag(rolloutFlagInput('checkout'), alice);
      const attempt = (input: Record<string, unknown>) =>
        store.rollouts.setPlan('checkout', 'production', input, created.version, alice).then(
          () => null,
          (error: ValidationError) => error.issues?.[0]?.path ?? String(error),
        );
      const weights = (on: number, off: number) => [
        { variation: 'on', weight: on },
        { variation: 'off', weight: off },
      ];
      expect(await attempt({ stages: [{ weights: weights(10, 10) }] })).toBe(
        'environments.production.rollout.stages[0].rollout.weights',
      );
      expect(await attempt({ stages: [{ weights: weights(100_000, 0).reverse() }] })).toBe(
        'environments.production.rollout.stages[0].weights',
      );
      expect(await attempt({ ruleId: 'nope', stages: [{ percentage: 5 }] })).toBe(
        'environments.production.rollout.ruleId',
      );
      expect(await attempt({ stages: [] })).toBe('environments.production.rollout.stages');
      expect(await attempt({ stages: [{ percentage: 101 }] })).toBe('rollout.stages[0].percentage');
      expect(await attempt({ stages: [{ percentage: 5, holdSeconds: -1 }] })).toBe(
        'environments.production.rollout.stages[0].holdSeconds',
      );
      expect(await attempt({ stages: [{ percentage: 5, guard: { query: '', max: 1 } }] })).toBe(
        'environments.production.rollout.stages[0].guard.query',
      );
      expect(await attempt({ stages: [{ percentage: 5 }], onGuardBreach: 'SHRUG' })).toBe(
        'environments.production.rollout.onGuardBreach',
      );
      expect((await store.getFlag('checkout'))!.version).toBe(created.version);
      await store.rollouts.setPlan('checkout', 'production', classicPlan, created.version, alice);
      await step('start');
      await expect(
        store.rollouts.setPlan('checkout', 'production', classicPlan, (await flag()).version, alice),
      ).rejects.toThrow(/RUNNING/);
      await expect(store.rollouts.step('checkout', 'production', 'advance', 1, alice)).rejects.toThrow(/version/);
    });
  });
}
