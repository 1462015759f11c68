/** The output types of rollout plans, and `FlagEnvironment.rollout`. */
import {
  nextAdvanceAt,
  type GuardCheck,
  type RolloutGuard,
  type RolloutPlan,
  type RolloutStage,
} from '../../flags/rollout-plan.js';
import { builder } from '../builder.js';
import { FlagEnvironmentRef, WeightRef } from './flag.js';

export const RolloutStateEnum = builder.enumType('RolloutState', {
  values: ['DRAFT', 'RUNNING', 'PAUSED', 'COMPLETED', 'ROLLED_BACK'] as const,
});

export const GuardBreachActionEnum = builder.enumType('GuardBreachAction', {
  description: 'What a guard breach does to a running plan.',
  values: {
    PAUSE: { description: 'Pause at the current stage.' },
    ROLLBACK: { description: 'Roll back to zero: the serve from before the plan started.' },
  } as const,
});

const GuardOutcomeEnum = builder.enumType('GuardOutcome', {
  values: {
    OK: { value: 'ok', description: 'At or below max.' },
    BREACH: { value: 'breach', description: 'Above max.' },
    UNKNOWN: {
      value: 'unknown',
      description: 'No usable answer (Prometheus unreachable, no data, NaN): never advances.',
    },
  } as const,
});

const RolloutGuardRef = builder.objectRef<RolloutGuard>('RolloutGuard').implement({
  fields: (t) => ({
    query: t.exposeString('query', { description: 'A PromQL instant query.' }),
    max: t.exposeFloat('max', { description: 'The highest value that lets the plan advance.' }),
  }),
});

const RolloutStageRef = builder.objectRef<RolloutStage>('RolloutStage').implement({
  fields: (t) => ({
    weights: t.field({ type: [WeightRef], resolve: (stage) => stage.weights }),
    holdSeconds: t.exposeInt('holdSeconds', { description: 'Minimum time in this stage before advancing.' }),
    enableRules: t.stringList({
      description: 'Rules switched on when this stage is entered.',
      resolve: (stage) => stage.enableRules ?? [],
    }),
    guard: t.field({ type: RolloutGuardRef, nullable: true, resolve: (stage) => stage.guard ?? null }),
  }),
});

const GuardCheckRef = builder.objectRef<GuardCheck>('GuardCheck').implement({
  fields: (t) => ({
    at: t.exposeString('at'),
    value: t.exposeFloat('value', { nullable: true, description: 'The observed value; null when there was none.' }),
    outcome: t.field({ type: GuardOutcomeEnum, resolve: (check) => check.outcome }),
    detail: t.exposeString('detail'),
  }),
});

export const RolloutPlanRef = builder.objectRef<RolloutPlan>('RolloutPlan').implement({
  fields: (t) => ({
    ruleId: t.exposeString('ruleId', {
      nullable: true,
      description: 'The rule whose serve the plan drives; null: the default serve.',
    }),
    stages: t.field({ type: [RolloutStageRef], resolve: (plan) => plan.stages }),
    onGuardBreach: t.field({ type: GuardBreachActionEnum, resolve: (plan) => plan.onGuardBreach }),
    state: t.field({ type: RolloutStateEnum, resolve: (plan) => plan.state }),
    currentStage: t.int({
      nullable: true,
      description: 'Index (from 0) of the stage in effect; null before the start and after a rollback to zero.',
      resolve: (plan) => (plan.currentStage < 0 ? null : plan.currentStage),
    }),
    stageEnteredAt: t.exposeString('stageEnteredAt', {
      nullable: true,
      description: 'When the current stage was entered.',
    }),
    nextAdvanceAt: t.string({
      nullable: true,
      description: 'When a running plan may advance next (its guard permitting); null unless RUNNING.',
      resolve: (plan) => nextAdvanceAt(plan),
    }),
    lastGuardCheck: t.field({ type: GuardCheckRef, nullable: true, resolve: (plan) => plan.lastGuardCheck }),
  }),
});

builder.objectField(FlagEnvironmentRef, 'rollout', (t) =>
  t.field({
    type: RolloutPlanRef,
    nullable: true,
    description: "This environment's rollout plan, if it has one.",
    resolve: (config) => config.rollout ?? null,
  }),
);
