/**
 * Sticky assignments on the embedded store, through GraphQL: kept across a weight change and a
 * restart, bounded by VEXIL_STICKY_MAX_PER_FLAG, dropped on reset and on archive, experiments only.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { codeOf, dataOf, startTestGateway, type TestGateway } from '../support/gateway.js';
import {
  createFlag,
  evaluateUsers,
  resetSticky,
  setTreatment,
  stickyExperiment,
  users,
} from '../support/sticky-api.js';
import { booleanFlag } from '../fixtures/gateway/flags.js';

let gateway: TestGateway | undefined;

afterEach(async () => {
  await gateway?.stop();
  gateway = undefined;
});

const variationsOf = (evaluations: Array<{ variation: string | null }>) => evaluations.map((e) => e.variation);

describe('sticky assignments (embedded store)', { timeout: 120_000 }, () => {
  it('keep every key on its first variation after the weights move and after a restart', async () => {
    gateway = await startTestGateway({ seed: false });
    dataOf(await createFlag(gateway, stickyExperiment('funnel')));
    const first = await evaluateUsers(gateway, 'funnel', users);
    expect(new Set(variationsOf(first))).toEqual(new Set(['control', 'treatment']));
    expect(first.every((e) => e.reason === 'SPLIT' && e.sticky === true && e.stickyAssignedAt !== null)).toBe(true);
    await setTreatment(gateway, 'funnel', 0);
    expect(variationsOf(await evaluateUsers(gateway, 'funnel', users))).toEqual(variationsOf(first));
    const { dataDir, adminKey } = gateway;
    await gateway.stop({ keepDataDir: true });
    gateway = await startTestGateway({ seed: false, dataDir, adminKey });
    const afterRestart = await evaluateUsers(gateway, 'funnel', users);
    expect(afterRestart).toEqual(first);
    // A key never seen before follows the current weights.
    expect((await evaluateUsers(gateway, 'funnel', ['newcomer']))[0]).toMatchObject({
      variation: 'control',
      sticky: true,
    });
  });

  it('move with the weights when the flag is not sticky', async () => {
    gateway = await startTestGateway({ seed: false });
    dataOf(await createFlag(gateway, stickyExperiment('plain', false)));
    await evaluateUsers(gateway, 'plain', users);
    await setTreatment(gateway, 'plain', 0);
    const after = await evaluateUsers(gateway, 'plain', users);
    expect(after.every((e) => e.variation === 'control' && e.sticky === null)).toBe(true);
  });

  it('stop at VEXIL_STICKY_MAX_PER_FLAG: later keys are bucketed as usual with sticky: false', async () => {
    gateway = await startTestGateway({ seed: false, env: { VEXIL_STICKY_MAX_PER_FLAG: '10' } });
    dataOf(await createFlag(gateway, stickyExperiment('bounded')));
    const evaluations = await evaluateUsers(gateway, 'bounded', users);
    expect(evaluations.slice(0, 10).every((e) => e.sticky === true)).toBe(true);
    expect(evaluations.slice(10).every((e) => e.sticky === false && e.stickyAssignedAt === null)).toBe(true);
    await setTreatment(gateway, 'bounded', 0);
    const after = await evaluateUsers(gateway, 'bounded', users);
    expect(variationsOf(after.slice(0, 10))).toEqual(variationsOf(evaluations.slice(0, 10)));
    expect(after.slice(10).every((e) => e.variation === 'control')).toBe(true);
  });

  it('vanish on resetStickyAssignments, also after a restart, and on archive', async () => {
    gateway = await startTestGateway({ seed: false });
    dataOf(await createFlag(gateway, stickyExperiment('reset_me')));
    await evaluateUsers(gateway, 'reset_me', users);
    await setTreatment(gateway, 'reset_me', 0);
    dataOf(await resetSticky(gateway, 'reset_me'));
    const afterReset = await evaluateUsers(gateway, 'reset_me', users);
    expect(afterReset.every((e) => e.variation === 'control' && e.sticky === true)).toBe(true);
    await setTreatment(gateway, 'reset_me', 100);
    const { dataDir, adminKey } = gateway;
    await gateway.stop({ keepDataDir: true });
    gateway = await startTestGateway({ seed: false, dataDir, adminKey });
    expect((await evaluateUsers(gateway, 'reset_me', users)).every((e) => e.variation === 'control')).toBe(true);
    const sticky = gateway.gateway.store.backend.sticky!;
    expect((await sticky.since(null)).assignments).toHaveLength(users.length);
    dataOf(await gateway.gql('mutation { archiveFlag(key: "reset_me") { archived } }'));
    expect((await sticky.since(null)).assignments).toHaveLength(0);
    expect(gateway.gateway.engine.sticky.count('production', 'reset_me')).toBe(0);
  });

  it('are refused on a flag that is not an experiment, and the reset on a flag that is not sticky', async () => {
    gateway = await startTestGateway({ seed: false });
    const ops = booleanFlag('ops_flag');
    const environments = ops.environments!.map((entry) => ({ ...entry, config: { ...entry.config, sticky: true } }));
    const refused = await createFlag(gateway, { ...ops, environments });
    expect(codeOf(refused)).toBe('VALIDATION');
    expect(JSON.stringify(refused.errors)).toContain('environments.production.sticky');
    dataOf(await createFlag(gateway, stickyExperiment('not_sticky', false)));
    expect(
      codeOf(
        await gateway.gql(
          'mutation { resetStickyAssignments(flag: "not_sticky", environment: "production") { version } }',
        ),
      ),
    ).toBe('VALIDATION');
  });
});
