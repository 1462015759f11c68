/** Input types of the flag mutations, and their conversion into model documents (validated by the store). */
import { builder } from '../builder.js';
import { FlagKindEnum, ValueTypeEnum } from './enums.js';
import { TargetInput } from './target.js';

export const VariationInput = builder.inputType('VariationInput', {
  fields: (t) => ({
    key: t.string({ required: true }),
    value: t.field({ type: 'JSON', required: true }),
    name: t.string(),
    description: t.string(),
  }),
});

export const WeightInput = builder.inputType('WeightInput', {
  description: 'Weights are in thousandths of a percent and sum to 100000.',
  fields: (t) => ({ variation: t.string({ required: true }), weight: t.int({ required: true }) }),
});

export const RolloutInput = builder.inputType('RolloutInput', {
  fields: (t) => ({
    bucketBy: t.string({ description: 'Attribute path to bucket by. Defaults to targetingKey.' }),
    weights: t.field({ type: [WeightInput], required: true }),
  }),
});

export const ServeInput = builder.inputType('ServeInput', {
  description: 'Exactly one of variation or rollout.',
  fields: (t) => ({ variation: t.string(), rollout: t.field({ type: RolloutInput }) }),
});

export const RuleInput = builder.inputType('RuleInput', {
  fields: (t) => ({
    id: t.string({ description: 'Stable identifier; generated when absent.' }),
    description: t.string(),
    condition: t.string({ required: true }),
    serve: t.field({ type: ServeInput, required: true }),
    enabled: t.boolean({ description: 'False: the rule never matches until switched on. Defaults to true.' }),
  }),
});

export const EnvironmentConfigInput = builder.inputType('EnvironmentConfigInput', {
  fields: (t) => ({
    on: t.boolean({ required: true }),
    offVariation: t.string({ required: true }),
    rules: t.field({
      type: [RuleInput],
      description:
        'The targeting rules, in order. Omitted (or null): the rules stay as they are (none for an environment not configured yet); [] removes them all.',
    }),
    defaultServe: t.field({ type: ServeInput, required: true }),
    targets: t.field({
      type: [TargetInput],
      description:
        'Individual targets, checked before the rules. Omitted (or null): the targets stay as they are; [] removes them all.',
    }),
    sticky: t.boolean({
      description:
        'Experiment flags only: record the first variation each key gets and keep serving it. Omitted (or null): stays as it is.',
    }),
  }),
});

export const FlagEnvironmentInput = builder.inputType('FlagEnvironmentInput', {
  fields: (t) => ({
    environment: t.string({ required: true }),
    config: t.field({ type: EnvironmentConfigInput, required: true }),
  }),
});

export const CreateFlagInput = builder.inputType('CreateFlagInput', {
  fields: (t) => ({
    key: t.string({ required: true }),
    name: t.string(),
    description: t.string(),
    kind: t.field({ type: FlagKindEnum, required: true }),
    valueType: t.field({ type: ValueTypeEnum, required: true }),
    variations: t.field({ type: [VariationInput], required: true }),
    tags: t.stringList(),
    owner: t.string(),
    expiresAt: t.string({
      description:
        'ISO-8601; must be in the future when set (VALIDATION on field expiresAt otherwise). RELEASE and EXPERIMENT flags created without one expire after a default (40 and 90 days; VEXIL_DEFAULT_EXPIRY_RELEASE / VEXIL_DEFAULT_EXPIRY_EXPERIMENT); OPS and PERMISSION flags stay permanent unless given one.',
    }),
    salt: t.string(),
    environments: t.field({ type: [FlagEnvironmentInput] }),
  }),
});

export const UpdateFlagInput = builder.inputType('UpdateFlagInput', {
  description: 'Fields to change; absent fields keep their value.',
  fields: (t) => ({
    name: t.string(),
    description: t.string(),
    kind: t.field({ type: FlagKindEnum }),
    variations: t.field({ type: [VariationInput] }),
    tags: t.stringList(),
    owner: t.string(),
    expiresAt: t.string({
      description:
        'ISO-8601; a new expiry must be in the future (VALIDATION on field expiresAt otherwise). Resending the current one is allowed. Extending an expiry (a later one, or null where there was one) needs a non-empty comment saying why (VALIDATION on field comment otherwise).',
    }),
    environments: t.field({
      type: [FlagEnvironmentInput],
      description: 'Environments to replace; the others are kept. An environment given without rules keeps its rules.',
    }),
  }),
});

type Input = Record<string, unknown>;

/** Drops null/undefined fields (GraphQL's "not given"), so the store's defaults and "keep" rules apply. */
function present(input: Input): Input {
  return Object.fromEntries(Object.entries(input).filter(([, value]) => value !== null && value !== undefined));
}

function serveToDocument(serve: Input | null | undefined): Input | undefined {
  if (!serve) return undefined;
  const rollout = serve.rollout as Input | null | undefined;
  return present({
    variation: serve.variation,
    rollout: rollout ? present({ bucketBy: rollout.bucketBy, weights: rollout.weights }) : undefined,
  });
}

/** `rules` not given stay absent, which the store reads as "keep the current rules" (never "none"). */
export function environmentConfigToDocument(config: Input): Input {
  const rules = config.rules as Input[] | null | undefined;
  return {
    on: config.on,
    offVariation: config.offVariation,
    ...(rules === null || rules === undefined
      ? {}
      : {
          rules: rules.map((rule) =>
            present({
              id: rule.id,
              description: rule.description,
              condition: rule.condition,
              serve: serveToDocument(rule.serve as Input),
              enabled: rule.enabled,
            }),
          ),
        }),
    defaultServe: serveToDocument(config.defaultServe as Input),
    ...targetsToDocument(config.targets as Input[] | null | undefined),
    ...(config.sticky === null || config.sticky === undefined ? {} : { sticky: config.sticky }),
  };
}

/** `targets` not given stay absent, which the store reads as "keep the current targets". */
function targetsToDocument(targets: Input[] | null | undefined): Input {
  if (targets === null || targets === undefined) return {};
  return { targets: targets.map((target) => present(target)) };
}

/** A create/update input as a flag document: the environment list becomes an object keyed by environment. */
export function flagInputToDocument(input: Input): Input {
  const environments = input.environments as Array<{ environment: string; config: Input }> | null | undefined;
  const document = present({
    ...input,
    environments: undefined,
    variations: (input.variations as Input[] | null | undefined)?.map((variation) => ({
      ...present(variation),
      value: variation.value,
    })),
  });
  if (environments)
    document.environments = Object.fromEntries(
      environments.map(({ environment, config }) => [environment, environmentConfigToDocument(config)]),
    );
  return document;
}
