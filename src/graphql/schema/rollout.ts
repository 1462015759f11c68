/**
 * Rollout plans: `setRolloutPlan` / `deleteRolloutPlan` and the transitions (`startRollout`,
 * `pauseRollout`, `resumeRollout`, `advanceRollout`, `rollbackRollout`). Admin keys only; each is a
 * conditional, audited flag write (CONFLICT on a stale `expectedVersion`, like every flag write).
 */
import type { RolloutTransition } from '../../flags/rollout-steps.js';
import { builder } from '../builder.js';
import { FlagRef, writeFlag } from './flag.js';
import { WeightInput } from './flag-inputs.js';
import { GuardBreachActionEnum } from './rollout-types.js';

const RolloutGuardInput = builder.inputType('RolloutGuardInput', {
  fields: (t) => ({
    query: t.string({ required: true, description: 'A PromQL instant query against VEXIL_PROMETHEUS_URL.' }),
    max: t.float({ required: true, description: 'A value above max is a breach.' }),
  }),
});

const RolloutStageInput = builder.inputType('RolloutStageInput', {
  description: 'Exactly one of weights or percentage (boolean flags: the share of the true variation).',
  fields: (t) => ({
    weights: t.field({ type: [WeightInput] }),
    percentage: t.float(),
    holdSeconds: t.int({ description: 'Minimum time in the stage. Defaults to 0.' }),
    enableRules: t.stringList({ description: 'Rule ids switched on when the stage is entered.' }),
    guard: t.field({ type: RolloutGuardInput }),
  }),
});

const RolloutPlanInput = builder.inputType('RolloutPlanInput', {
  fields: (t) => ({
    ruleId: t.string({
      description: "The rule whose weighted serve the plan drives; omitted: the environment's default serve.",
    }),
    stages: t.field({ type: [RolloutStageInput], required: true }),
    onGuardBreach: t.field({ type: GuardBreachActionEnum, description: 'Defaults to PAUSE.' }),
  }),
});

const RollbackTargetEnum = builder.enumType('RollbackTarget', {
  values: {
    PREVIOUS: {
      description: 'The stage before the current one; the plan is PAUSED there (ROLLED_BACK before the first).',
    },
    ZERO: { description: 'The serve from before the plan started; the plan is ROLLED_BACK.' },
  } as const,
});

type Input = Record<string, unknown>;
const present = (input: Input) => Object.fromEntries(Object.entries(input).filter(([, value]) => value != null));

const target = (t: Parameters<Parameters<typeof builder.mutationField>[1]>[0]) => ({
  key: t.arg.string({ required: true }),
  environment: t.arg.string({ required: true }),
  expectedVersion: t.arg.int({ required: true }),
  comment: t.arg.string(),
});

builder.mutationField('setRolloutPlan', (t) =>
  t.field({
    type: FlagRef,
    description:
      'Creates or replaces the rollout plan of a flag environment, as a DRAFT. Refused while a plan is RUNNING or PAUSED.',
    args: { ...target(t), plan: t.arg({ type: RolloutPlanInput, required: true }) },
    resolve: (_root, args, context) =>
      writeFlag(context, args.comment, (meta) => {
        const plan = present({ ...args.plan, stages: args.plan.stages.map((stage) => present(stage)) });
        return context.services.store.rollouts.setPlan(args.key, args.environment, plan, args.expectedVersion, meta);
      }),
  }),
);

builder.mutationField('deleteRolloutPlan', (t) =>
  t.field({
    type: FlagRef,
    description: 'Removes the plan; the serve keeps the weights it has.',
    args: target(t),
    resolve: (_root, args, context) =>
      writeFlag(context, args.comment, (meta) =>
        context.services.store.rollouts.deletePlan(args.key, args.environment, args.expectedVersion, meta),
      ),
  }),
);

const transitions: Array<[string, RolloutTransition, string]> = [
  ['startRollout', 'start', 'Starts a DRAFT (or ROLLED_BACK) plan: its first stage takes effect now.'],
  ['pauseRollout', 'pause', 'Pauses a RUNNING plan at its current stage.'],
  ['resumeRollout', 'resume', 'Resumes a PAUSED plan; it advances once the current stage has been held long enough.'],
  ['advanceRollout', 'advance', 'Enters the next stage now, without waiting for the hold or the guard.'],
];

for (const [name, kind, description] of transitions) {
  builder.mutationField(name, (t) =>
    t.field({
      type: FlagRef,
      description,
      args: target(t),
      resolve: (_root, args, context) =>
        writeFlag(context, args.comment, (meta) =>
          context.services.store.rollouts.step(args.key, args.environment, kind, args.expectedVersion, meta),
        ),
    }),
  );
}

builder.mutationField('rollbackRollout', (t) =>
  t.field({
    type: FlagRef,
    description: 'Rolls a plan back to its previous stage or to zero.',
    args: { ...target(t), to: t.arg({ type: RollbackTargetEnum, required: true }) },
    resolve: (_root, args, context) =>
      writeFlag(context, args.comment, (meta) =>
        context.services.store.rollouts.step(
          args.key,
          args.environment,
          args.to === 'ZERO' ? 'rollbackZero' : 'rollbackPrevious',
          args.expectedVersion,
          meta,
        ),
      ),
  }),
);
