/**
 * Evaluation: `evaluate`, `evaluateAll` and the `Evaluation` type.
 *
 * The field logic lives in plain functions the resolvers call, because the fast lane's evaluation
 * plan (server/evaluation-plan/) serves these fields without graphql execution and must behave the
 * same. A root field is split in two: `prepare…` runs every check (scope, environment, context size)
 * and may throw; the thunk it returns evaluates, which counts usage and never throws. The plan prepares
 * all its root fields before evaluating any, so a request that fails a check is handed to graphql
 * execution with nothing counted yet.
 */
import type { EvaluationResult } from '../../flags/evaluation.js';
import type { JsonValue } from '../../flags/model.js';
import { evaluationEnvironment } from '../access.js';
import { builder } from '../builder.js';
import type { GatewayContext } from '../context.js';
import { checkContext } from './context-arg.js';
import { EvaluationErrorCodeEnum, EvaluationReasonEnum } from './enums.js';

/** What each field of `Evaluation` resolves to (before its type serialises it). */
export const evaluationFields = {
  key: (result: EvaluationResult) => result.key,
  value: (result: EvaluationResult) => result.value ?? null,
  variation: (result: EvaluationResult) => result.variation ?? null,
  reason: (result: EvaluationResult) => result.reason,
  ruleId: (result: EvaluationResult) => result.ruleId ?? null,
  ruleIndex: (result: EvaluationResult) => result.ruleIndex ?? null,
  inRollout: (result: EvaluationResult) => result.inRollout ?? null,
  errorCode: (result: EvaluationResult) => result.errorCode ?? null,
  errorMessage: (result: EvaluationResult) => result.errorMessage ?? null,
  flagVersion: (result: EvaluationResult) => result.flagVersion,
  sticky: (result: EvaluationResult) => result.sticky ?? null,
  stickyAssignedAt: (result: EvaluationResult) => result.stickyAssignedAt ?? null,
} satisfies Record<string, (result: EvaluationResult) => unknown>;

export const EvaluationRef = builder.objectRef<EvaluationResult>('Evaluation').implement({
  description: 'Which variation of a flag a context gets, and why.',
  fields: (t) => ({
    key: t.string({ resolve: evaluationFields.key }),
    value: t.field({ type: 'JSON', nullable: true, resolve: evaluationFields.value }),
    variation: t.string({ nullable: true, resolve: evaluationFields.variation }),
    reason: t.field({ type: EvaluationReasonEnum, resolve: evaluationFields.reason }),
    ruleId: t.string({ nullable: true, resolve: evaluationFields.ruleId }),
    ruleIndex: t.int({ nullable: true, resolve: evaluationFields.ruleIndex }),
    inRollout: t.boolean({ nullable: true, resolve: evaluationFields.inRollout }),
    errorCode: t.field({ type: EvaluationErrorCodeEnum, nullable: true, resolve: evaluationFields.errorCode }),
    errorMessage: t.string({ nullable: true, resolve: evaluationFields.errorMessage }),
    flagVersion: t.int({ nullable: true, resolve: evaluationFields.flagVersion }),
    sticky: t.boolean({
      nullable: true,
      description:
        'For SPLIT of a sticky experiment: true when this is the key’s recorded assignment; false when the flag environment holds VEXIL_STICKY_MAX_PER_FLAG assignments, so the key was bucketed as usual and not recorded.',
      resolve: evaluationFields.sticky,
    }),
    stickyAssignedAt: t.string({
      nullable: true,
      description: 'When `sticky` is true: when the assignment was recorded (ISO 8601).',
      resolve: evaluationFields.stickyAssignedAt,
    }),
  }),
});

export interface EvaluateArgs {
  key: string;
  context?: unknown;
  defaultValue?: unknown;
  environment?: string | null;
}

export interface EvaluateAllArgs {
  context?: unknown;
  keys?: readonly string[] | null;
  environment?: string | null;
}

/** Checks an `evaluate` call (throws an API error) and returns the evaluation, not yet run. */
export function prepareEvaluate(args: EvaluateArgs, context: GatewayContext): () => EvaluationResult {
  const environment = evaluationEnvironment(context, args.environment);
  const checked = checkContext(args.context);
  const defaultValue = args.defaultValue === undefined ? undefined : (args.defaultValue as JsonValue);
  return () => context.services.engine.evaluate(args.key, checked, { environment, defaultValue });
}

/** Checks an `evaluateAll` call (throws an API error) and returns the evaluations, not yet run. */
export function prepareEvaluateAll(args: EvaluateAllArgs, context: GatewayContext): () => EvaluationResult[] {
  const environment = evaluationEnvironment(context, args.environment);
  const checked = checkContext(args.context);
  const keys = args.keys ?? undefined;
  const options = keys ? { environment, keys } : { environment };
  return () => context.services.engine.evaluateAll(checked, options);
}

builder.queryField('evaluate', (t) =>
  t.field({
    type: EvaluationRef,
    description:
      'Evaluates one flag for a context. Errors (unknown flag, bad context, type mismatch) come back as an ERROR evaluation carrying defaultValue.',
    args: {
      key: t.arg.string({ required: true }),
      context: t.arg({ type: 'JSON', required: true }),
      defaultValue: t.arg({ type: 'JSON' }),
      environment: t.arg.string({
        description: 'Required with admin and read-only keys; with an evaluation key omit it or give its own.',
      }),
    },
    resolve: (_root, args, context) => prepareEvaluate(args, context)(),
  }),
);

builder.queryField('evaluateAll', (t) =>
  t.field({
    type: [EvaluationRef],
    description: 'Evaluates every active flag (or the given keys) for a context, in key order.',
    args: {
      context: t.arg({ type: 'JSON', required: true }),
      keys: t.arg.stringList(),
      environment: t.arg.string(),
    },
    resolve: (_root, args, context) => prepareEvaluateAll(args, context)(),
  }),
);
