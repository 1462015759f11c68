/** `explainEvaluation`: the rule-by-rule account of one flag evaluation (admin and read-only keys). */
import type {
  FlagExplanation,
  RolloutExplanation,
  RuleExplanation,
  TargetExplanation,
} from '../../flags/explain-flag.js';
import { requireReader } from '../access.js';
import { builder } from '../builder.js';
import { apiError } from '../errors.js';
import { checkContext } from './context-arg.js';
import { EvaluationRef } from './evaluation.js';

const RolloutSliceRef = builder.objectRef<RolloutExplanation['slices'][number]>('RolloutSlice').implement({
  fields: (t) => ({
    variation: t.exposeString('variation'),
    from: t.exposeFloat('from', { description: 'Start of the slice, in percent.' }),
    to: t.exposeFloat('to', { description: 'End of the slice (exclusive), in percent.' }),
    weight: t.exposeInt('weight'),
  }),
});

const RolloutTraceRef = builder.objectRef<RolloutExplanation>('RolloutTrace').implement({
  fields: (t) => ({
    bucketBy: t.exposeString('bucketBy'),
    bucketValue: t.field({ type: 'JSON', nullable: true, resolve: (rollout) => rollout.bucketValue }),
    bucket: t.exposeFloat('bucket', { nullable: true, description: "The context's position in [0, 100)." }),
    slices: t.field({ type: [RolloutSliceRef], resolve: (rollout) => rollout.slices }),
    variation: t.exposeString('variation', { nullable: true }),
    inRollout: t.exposeBoolean('inRollout', { nullable: true }),
  }),
});

const RuleTraceRef = builder.objectRef<RuleExplanation>('RuleTrace').implement({
  fields: (t) => ({
    index: t.exposeInt('index'),
    id: t.exposeString('id'),
    description: t.exposeString('description', { nullable: true }),
    condition: t.exposeString('condition'),
    evaluated: t.exposeBoolean('evaluated', { description: 'False for rules after the first match.' }),
    matched: t.exposeBoolean('matched'),
    trace: t.field({ type: 'JSON', nullable: true, resolve: (rule) => rule.trace?.tree ?? null }),
    serveVariation: t.string({ nullable: true, resolve: (rule) => rule.serve.variation }),
    servesRollout: t.boolean({ resolve: (rule) => rule.serve.rollout }),
  }),
});

const TargetTraceRef = builder.objectRef<TargetExplanation>('TargetTrace').implement({
  description: 'The individual target that decided the evaluation (reason TARGET_MATCH).',
  fields: (t) => ({
    attribute: t.exposeString('attribute', {
      description: 'The context attribute looked up: targetingKey unless a test override names another.',
    }),
    value: t.exposeString('value'),
    variation: t.exposeString('variation'),
  }),
});

const ExplanationRef = builder.objectRef<FlagExplanation>('Explanation').implement({
  fields: (t) => ({
    flagKey: t.exposeString('flagKey'),
    environment: t.exposeString('environment'),
    flagVersion: t.exposeInt('flagVersion'),
    on: t.exposeBoolean('on'),
    matchedRuleIndex: t.exposeInt('matchedRuleIndex', { nullable: true }),
    rules: t.field({ type: [RuleTraceRef], resolve: (explanation) => explanation.rules }),
    rollout: t.field({ type: RolloutTraceRef, nullable: true, resolve: (explanation) => explanation.rollout }),
    target: t.field({
      type: TargetTraceRef,
      nullable: true,
      description: 'The individual target the context hit; when set, no rule was evaluated.',
      resolve: (explanation) => explanation.target,
    }),
    result: t.field({ type: EvaluationRef, resolve: (explanation) => explanation.result }),
  }),
});

builder.queryField('explainEvaluation', (t) =>
  t.field({
    type: ExplanationRef,
    args: {
      key: t.arg.string({ required: true }),
      context: t.arg({ type: 'JSON', required: true }),
      environment: t.arg.string({ required: true }),
    },
    resolve: (_root, args, context) => {
      requireReader(context);
      if (!context.services.engine.snapshot(args.environment))
        throw apiError('NOT_FOUND', `environment '${args.environment}' does not exist`);
      const explanation = context.services.engine.explain(args.key, checkContext(args.context), args.environment);
      if (!explanation) throw apiError('NOT_FOUND', `flag '${args.key}' does not exist`);
      return explanation;
    },
  }),
);
