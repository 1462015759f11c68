/** Evaluation: `evaluate`, `evaluateAll` and the `Evaluation` type. */
import type { EvaluationResult } from '../../flags/evaluation.js';
import type { JsonValue } from '../../flags/model.js';
import { evaluationEnvironment } from '../access.js';
import { builder } from '../builder.js';
import { checkContext } from './context-arg.js';
import { EvaluationErrorCodeEnum, EvaluationReasonEnum } from './enums.js';

export const EvaluationRef = builder.objectRef<EvaluationResult>('Evaluation').implement({
  description: 'Which variation of a flag a context gets, and why.',
  fields: (t) => ({
    key: t.exposeString('key'),
    value: t.field({ type: 'JSON', nullable: true, resolve: (result) => result.value ?? null }),
    variation: t.exposeString('variation', { nullable: true }),
    reason: t.field({ type: EvaluationReasonEnum, resolve: (result) => result.reason }),
    ruleId: t.string({ nullable: true, resolve: (result) => result.ruleId ?? null }),
    ruleIndex: t.int({ nullable: true, resolve: (result) => result.ruleIndex ?? null }),
    inRollout: t.boolean({ nullable: true, resolve: (result) => result.inRollout ?? null }),
    errorCode: t.field({ type: EvaluationErrorCodeEnum, nullable: true, resolve: (result) => result.errorCode ?? null }),
    errorMessage: t.string({ nullable: true, resolve: (result) => result.errorMessage ?? null }),
    flagVersion: t.int({ nullable: true, resolve: (result) => result.flagVersion }),
  }),
});

builder.queryField('evaluate', (t) =>
  t.field({
    type: EvaluationRef,
    description: 'Evaluates one flag for a context. Errors (unknown flag, bad context, type mismatch) come back as an ERROR evaluation carrying defaultValue.',
    args: {
      key: t.arg.string({ required: true }),
      context: t.arg({ type: 'JSON', required: true }),
      defaultValue: t.arg({ type: 'JSON' }),
      environment: t.arg.string({ description: 'Required with admin and read-only keys; with an evaluation key omit it or give its own.' }),
    },
    resolve: (_root, args, context) => {
      const environment = evaluationEnvironment(context, args.environment);
      const defaultValue = args.defaultValue === undefined ? undefined : (args.defaultValue as JsonValue);
      return context.services.engine.evaluate(args.key, checkContext(args.context), { environment, defaultValue });
    },
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
    resolve: (_root, args, context) => {
      const environment = evaluationEnvironment(context, args.environment);
      return context.services.engine.evaluateAll(checkContext(args.context), { environment, ...(args.keys ? { keys: args.keys } : {}) });
    },
  }),
);
