/**
 * Rollout plans over HTTP: setRolloutPlan, startRollout, pauseRollout, resumeRollout, advanceRollout,
 * rollbackRollout and deleteRolloutPlan with an admin key; `Flag.environments.rollout`; what each
 * leaves in the audit log; refusals (other keys, invalid plans, stale versions); the kill switch
 * pausing a plan; and the gateway's own scheduler stepping a plan as `rollout-plan`.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  AdvanceRolloutDocument,
  AuditLogDocument,
  CreateFlagDocument,
  DeleteRolloutPlanDocument,
  FlagRolloutDocument,
  PauseRolloutDocument,
  ResumeRolloutDocument,
  RollbackRolloutDocument,
  type RolloutPlanInput,
  SetRolloutPlanDocument,
  StartRolloutDocument,
  ToggleFlagDocument,
} from '../../src/client/generated/graphql.js';
import { booleanFlag, PROD } from '../fixtures/gateway/flags.js';
import { codeOf, dataOf, errorOf, startTestGateway, type TestGateway } from '../support/gateway.js';

let gw: TestGateway;
let readOnly: string;

beforeAll(async () => {
  gw = await startTestGateway({ seed: false, config: { rolloutIntervalMs: 0 } });
  readOnly = (await gw.createKey('READ_ONLY')).secret;
});

afterAll(async () => {
  await gw?.stop();
});

const plan: RolloutPlanInput = {
  stages: [
    { percentage: 1, holdSeconds: 3600 },
    { percentage: 5, holdSeconds: 4 * 3600 },
    { percentage: 25, holdSeconds: 86_400, guard: { query: 'sum(rate(errors[5m]))', max: 0.05 } },
    { percentage: 100 },
  ],
  onGuardBreach: 'ROLLBACK',
};

/** A boolean flag whose production default serve is a 0% rollout of `on`. */
async function createRolloutFlag(key: string) {
  const input = booleanFlag(key, {
    environments: [
      {
        environment: PROD,
        config: {
          on: true,
          offVariation: 'off',
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
    ],
  });
  return dataOf(await gw.gql(CreateFlagDocument, { input })).createFlag;
}

const environmentOf = (flag: { environments: Array<unknown> }) =>
  flag.environments[0] as {
    on: boolean;
    defaultServe: { rollout?: { weights: Array<{ variation: string; weight: number }> } | null };
    rollout: {
      state: string;
      currentStage: number | null;
      stageEnteredAt: string | null;
      nextAdvanceAt: string | null;
    } | null;
  };
const onWeight = (flag: { environments: Array<unknown> }) =>
  environmentOf(flag).defaultServe.rollout?.weights.find((weight) => weight.variation === 'on')?.weight;

describe('rollout plans over GraphQL', () => {
  it('sets a plan as a DRAFT, starts it, and shows the stage, when it was entered and when it may advance', async () => {
    const created = await createRolloutFlag('rollout-basic');
    const set = dataOf(
      await gw.gql(SetRolloutPlanDocument, {
        key: created.key,
        environment: PROD,
        plan,
        expectedVersion: created.version,
        comment: 'plan',
      }),
    ).setRolloutPlan;
    expect(environmentOf(set).rollout).toMatchObject({ state: 'DRAFT', currentStage: null, nextAdvanceAt: null });
    const started = dataOf(
      await gw.gql(StartRolloutDocument, { key: set.key, environment: PROD, expectedVersion: set.version }),
    ).startRollout;
    const rollout = environmentOf(started).rollout!;
    expect(rollout).toMatchObject({ state: 'RUNNING', currentStage: 0 });
    expect(Date.parse(rollout.nextAdvanceAt!) - Date.parse(rollout.stageEnteredAt!)).toBe(3600_000);
    expect(onWeight(started)).toBe(1000);
    const read = dataOf(await gw.gql(FlagRolloutDocument, { key: set.key, environment: PROD }, readOnly)).flag!;
    expect(environmentOf(read).rollout).toMatchObject({ state: 'RUNNING', currentStage: 0 });
    // The engine serves the stage's weights.
    const served = gw.gateway.engine.snapshot(PROD)!.flags.get('rollout-basic')!.flag.environments[PROD]!.defaultServe;
    expect(served.rollout!.weights[0]).toEqual({ variation: 'on', weight: 1000 });
    const entries = dataOf(await gw.gql(AuditLogDocument, { key: set.key, first: 10 })).auditLog.entries;
    expect(entries.slice(0, 2).map((entry) => [entry.action, entry.environment])).toEqual([
      ['update', PROD],
      ['update', PROD],
    ]);
  });

  it('pauses, resumes, advances, rolls back to the previous stage and to zero, and deletes the plan', async () => {
    const created = await createRolloutFlag('rollout-life');
    let flag = dataOf(
      await gw.gql(SetRolloutPlanDocument, {
        key: created.key,
        environment: PROD,
        plan,
        expectedVersion: created.version,
      }),
    ).setRolloutPlan;
    const args = () => ({ key: flag.key, environment: PROD, expectedVersion: flag.version });
    flag = dataOf(await gw.gql(StartRolloutDocument, args())).startRollout;
    flag = dataOf(await gw.gql(PauseRolloutDocument, args())).pauseRollout;
    expect(environmentOf(flag).rollout).toMatchObject({ state: 'PAUSED', nextAdvanceAt: null });
    flag = dataOf(await gw.gql(ResumeRolloutDocument, args())).resumeRollout;
    flag = dataOf(await gw.gql(AdvanceRolloutDocument, args())).advanceRollout;
    flag = dataOf(await gw.gql(AdvanceRolloutDocument, args())).advanceRollout;
    expect(environmentOf(flag).rollout).toMatchObject({ state: 'RUNNING', currentStage: 2 });
    expect(onWeight(flag)).toBe(25_000);
    flag = dataOf(await gw.gql(RollbackRolloutDocument, { ...args(), to: 'PREVIOUS' })).rollbackRollout;
    expect(environmentOf(flag).rollout).toMatchObject({ state: 'PAUSED', currentStage: 1 });
    expect(onWeight(flag)).toBe(5000);
    flag = dataOf(await gw.gql(RollbackRolloutDocument, { ...args(), to: 'ZERO' })).rollbackRollout;
    expect(environmentOf(flag).rollout).toMatchObject({ state: 'ROLLED_BACK', currentStage: null });
    expect(onWeight(flag)).toBe(0);
    flag = dataOf(await gw.gql(DeleteRolloutPlanDocument, args())).deleteRolloutPlan;
    expect(environmentOf(flag).rollout).toBeNull();
  });

  it('the kill switch stays instant and pauses a running plan', async () => {
    const created = await createRolloutFlag('rollout-kill');
    const set = dataOf(
      await gw.gql(SetRolloutPlanDocument, {
        key: created.key,
        environment: PROD,
        plan,
        expectedVersion: created.version,
      }),
    ).setRolloutPlan;
    await gw.gql(StartRolloutDocument, { key: set.key, environment: PROD, expectedVersion: set.version });
    const killed = dataOf(await gw.gql(ToggleFlagDocument, { key: set.key, environment: PROD, on: false })).toggleFlag;
    expect(killed.environments.find((environment) => environment.environment === PROD)!.on).toBe(false);
    const read = dataOf(await gw.gql(FlagRolloutDocument, { key: set.key, environment: PROD })).flag!;
    expect(environmentOf(read).rollout!.state).toBe('PAUSED');
  });

  it('refuses other keys, invalid plans (VALIDATION with the field), wrong states and stale versions (CONFLICT)', async () => {
    const created = await createRolloutFlag('rollout-refused');
    const args = { key: created.key, environment: PROD, expectedVersion: created.version };
    expect(codeOf(await gw.gql(SetRolloutPlanDocument, { ...args, plan }, readOnly))).toBe('FORBIDDEN');
    expect(codeOf(await gw.gql(StartRolloutDocument, args, null))).toBe('UNAUTHENTICATED');
    const invalid = await gw.gql(SetRolloutPlanDocument, {
      ...args,
      plan: {
        stages: [
          {
            weights: [
              { variation: 'on', weight: 10 },
              { variation: 'off', weight: 10 },
            ],
          },
        ],
      },
    });
    expect(errorOf(invalid).extensions).toMatchObject({
      code: 'VALIDATION',
      field: 'environments.production.rollout.stages[0].rollout.weights',
    });
    expect(errorOf(await gw.gql(StartRolloutDocument, args)).extensions).toMatchObject({
      code: 'VALIDATION',
      field: 'rollout',
    });
    const set = dataOf(await gw.gql(SetRolloutPlanDocument, { ...args, plan })).setRolloutPlan;
    expect(
      errorOf(await gw.gql(PauseRolloutDocument, { ...args, expectedVersion: set.version })).extensions,
    ).toMatchObject({
      code: 'VALIDATION',
      field: 'rollout.state',
    });
    expect(codeOf(await gw.gql(StartRolloutDocument, args))).toBe('CONFLICT');
  });
});

describe('the gateway scheduler', () => {
  it('advances a running plan by itself, each step an audited change by rollout-plan', async () => {
    const own = await startTestGateway({ seed: false, config: { rolloutIntervalMs: 100 } });
    try {
      const input = booleanFlag('rollout-auto', {
        environments: [
          {
            environment: PROD,
            config: {
              on: true,
              offVariation: 'off',
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
        ],
      });
      const created = dataOf(await own.gql(CreateFlagDocument, { input })).createFlag;
      const stages = [{ percentage: 10 }, { percentage: 50 }, { percentage: 100 }];
      const set = dataOf(
        await own.gql(SetRolloutPlanDocument, {
          key: created.key,
          environment: PROD,
          plan: { stages },
          expectedVersion: created.version,
        }),
      ).setRolloutPlan;
      await own.gql(StartRolloutDocument, { key: set.key, environment: PROD, expectedVersion: set.version });
      await expect
        .poll(
          async () =>
            environmentOf(dataOf(await own.gql(FlagRolloutDocument, { key: set.key, environment: PROD })).flag!)
              .rollout!.state,
          {
            timeout: 60_000,
            interval: 200,
          },
        )
        .toBe('COMPLETED');
      const entries = dataOf(await own.gql(AuditLogDocument, { key: set.key, first: 50 })).auditLog.entries;
      expect(entries.filter((entry) => entry.actor === 'rollout-plan')).toHaveLength(2);
    } finally {
      await own.stop();
    }
  });
});
