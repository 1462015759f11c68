/** Flags: the `Flag` type, its targeting types, `flag`/`flags` queries and the flag mutations. */
import { flagCursor } from '../../store/paging.js';
import type { Flag, FlagEnvironmentConfig, Rollout, Serve, TargetingRule, Variation } from '../../flags/model.js';
import { TargetRef } from './target.js';
import { actorOf, requireAdmin, requireReader } from '../access.js';
import { builder } from '../builder.js';
import { mapErrors } from '../errors.js';
import { FlagKindEnum, ValueTypeEnum } from './enums.js';
import {
  EnvironmentConfigInput,
  flagInputToDocument,
  CreateFlagInput,
  UpdateFlagInput,
  environmentConfigToDocument,
} from './flag-inputs.js';

const VariationRef = builder.objectRef<Variation>('Variation').implement({
  fields: (t) => ({
    key: t.exposeString('key'),
    value: t.field({ type: 'JSON', nullable: true, resolve: (variation) => variation.value }),
    name: t.string({ nullable: true, resolve: (variation) => variation.name ?? null }),
    description: t.string({ nullable: true, resolve: (variation) => variation.description ?? null }),
  }),
});

export const WeightRef = builder.objectRef<{ variation: string; weight: number }>('Weight').implement({
  fields: (t) => ({
    variation: t.exposeString('variation'),
    weight: t.exposeInt('weight', { description: 'Thousandths of a percent.' }),
  }),
});

const RolloutRef = builder.objectRef<Rollout>('Rollout').implement({
  fields: (t) => ({
    bucketBy: t.string({ resolve: (rollout) => rollout.bucketBy ?? 'targetingKey' }),
    weights: t.field({ type: [WeightRef], resolve: (rollout) => rollout.weights }),
  }),
});

const ServeRef = builder.objectRef<Serve>('Serve').implement({
  description: 'Either one variation or a weighted rollout.',
  fields: (t) => ({
    variation: t.string({ nullable: true, resolve: (serve) => serve.variation ?? null }),
    rollout: t.field({ type: RolloutRef, nullable: true, resolve: (serve) => serve.rollout ?? null }),
  }),
});

const RuleRef = builder.objectRef<TargetingRule>('Rule').implement({
  fields: (t) => ({
    id: t.exposeString('id'),
    description: t.string({ nullable: true, resolve: (rule) => rule.description ?? null }),
    condition: t.exposeString('condition'),
    serve: t.field({ type: ServeRef, resolve: (rule) => rule.serve }),
    enabled: t.boolean({
      description: 'False: the rule never matches (a rollout plan switches it on at one of its stages).',
      resolve: (rule) => rule.enabled !== false,
    }),
  }),
});

export type FlagEnvironmentView = FlagEnvironmentConfig & { environment: string };

export const FlagEnvironmentRef = builder.objectRef<FlagEnvironmentView>('FlagEnvironment').implement({
  fields: (t) => ({
    environment: t.exposeString('environment'),
    on: t.exposeBoolean('on'),
    offVariation: t.exposeString('offVariation'),
    rules: t.field({ type: [RuleRef], resolve: (config) => config.rules }),
    defaultServe: t.field({ type: ServeRef, resolve: (config) => config.defaultServe }),
    // Individual targets: checked after the kill switch, before any rule (see the Target type).
    targets: t.field({ type: [TargetRef], resolve: (config) => config.targets ?? [] }),
  }),
});

export const FlagRef = builder.objectRef<Flag>('Flag').implement({
  fields: (t) => ({
    key: t.exposeString('key'),
    name: t.exposeString('name'),
    description: t.exposeString('description'),
    kind: t.field({ type: FlagKindEnum, resolve: (flag) => flag.kind }),
    valueType: t.field({ type: ValueTypeEnum, resolve: (flag) => flag.valueType }),
    variations: t.field({ type: [VariationRef], resolve: (flag) => flag.variations }),
    tags: t.exposeStringList('tags'),
    owner: t.exposeString('owner'),
    version: t.exposeInt('version'),
    archived: t.exposeBoolean('archived'),
    salt: t.exposeString('salt'),
    expiresAt: t.exposeString('expiresAt', { nullable: true }),
    createdAt: t.exposeString('createdAt'),
    updatedAt: t.exposeString('updatedAt'),
    // stale, staleReasons, usage and codeReferences: schema/stale.ts, flag-usage.ts, code-references.ts.
    environments: t.field({
      type: [FlagEnvironmentRef],
      args: { environment: t.arg.string({ description: 'Only this environment.' }) },
      resolve: (flag, args) =>
        Object.entries(flag.environments)
          .filter(([environment]) => !args.environment || environment === args.environment)
          .map(([environment, config]) => ({ environment, ...config })),
    }),
  }),
});

const PageInfoRef = builder.objectRef<{ hasNextPage: boolean; endCursor: string | null }>('PageInfo').implement({
  fields: (t) => ({
    hasNextPage: t.exposeBoolean('hasNextPage'),
    endCursor: t.exposeString('endCursor', { nullable: true }),
  }),
});

const FlagEdgeRef = builder.objectRef<{ cursor: string; node: Flag }>('FlagEdge').implement({
  fields: (t) => ({ cursor: t.exposeString('cursor'), node: t.field({ type: FlagRef, resolve: (edge) => edge.node }) }),
});

interface FlagPage {
  items: Flag[];
  endCursor: string | null;
  hasNextPage: boolean;
  totalCount: number;
}

const FlagConnectionRef = builder.objectRef<FlagPage>('FlagConnection').implement({
  fields: (t) => ({
    nodes: t.field({ type: [FlagRef], resolve: (page) => page.items }),
    // Every edge's cursor is valid as `after`: the next page starts after that flag.
    edges: t.field({
      type: [FlagEdgeRef],
      resolve: (page) => page.items.map((node) => ({ cursor: flagCursor(node.key), node })),
    }),
    pageInfo: t.field({
      type: PageInfoRef,
      resolve: (page) => ({ hasNextPage: page.hasNextPage, endCursor: page.endCursor }),
    }),
    totalCount: t.exposeInt('totalCount'),
  }),
});

builder.queryField('flag', (t) =>
  t.field({
    type: FlagRef,
    nullable: true,
    args: { key: t.arg.string({ required: true }) },
    resolve: (_root, args, context) => {
      requireReader(context);
      return mapErrors(() => context.services.store.getFlag(args.key));
    },
  }),
);

builder.queryField('flags', (t) =>
  t.field({
    type: FlagConnectionRef,
    args: {
      first: t.arg.int(),
      after: t.arg.string(),
      kind: t.arg({ type: FlagKindEnum }),
      tag: t.arg.string(),
      owner: t.arg.string(),
      archived: t.arg.boolean(),
      search: t.arg.string(),
    },
    resolve: (_root, args, context) => {
      requireReader(context);
      const filter = {
        ...(args.kind ? { kind: args.kind } : {}),
        ...(args.tag ? { tag: args.tag } : {}),
        ...(args.owner ? { owner: args.owner } : {}),
        ...(args.archived !== null && args.archived !== undefined ? { archived: args.archived } : {}),
        ...(args.search ? { search: args.search } : {}),
      };
      return mapErrors(() =>
        context.services.store.listFlags(filter, { first: args.first ?? 50, after: args.after ?? null }),
      );
    },
  }),
);

/** Runs a flag write as the calling admin, then waits until this instance's engine serves it. */
export async function writeFlag(
  context: Parameters<typeof requireAdmin>[0],
  comment: string | null | undefined,
  write: (meta: { actor: string; comment?: string }) => Promise<Flag>,
): Promise<Flag> {
  const principal = requireAdmin(context);
  return mapErrors(async () => {
    const flag = await write({ actor: actorOf(principal), ...(comment ? { comment } : {}) });
    await context.services.sync.waitForFlag(flag.key, flag.version);
    return flag;
  });
}

builder.mutationField('createFlag', (t) =>
  t.field({
    type: FlagRef,
    args: { input: t.arg({ type: CreateFlagInput, required: true }), comment: t.arg.string() },
    resolve: (_root, args, context) =>
      writeFlag(context, args.comment, (meta) =>
        context.services.store.createFlag(flagInputToDocument(args.input), meta),
      ),
  }),
);

builder.mutationField('updateFlag', (t) =>
  t.field({
    type: FlagRef,
    description: 'Changes descriptive fields and variations; environments are kept unless given.',
    args: {
      key: t.arg.string({ required: true }),
      input: t.arg({ type: UpdateFlagInput, required: true }),
      expectedVersion: t.arg.int({ required: true }),
      comment: t.arg.string(),
    },
    resolve: (_root, args, context) =>
      writeFlag(context, args.comment, (meta) =>
        context.services.store.updateFlag(args.key, flagInputToDocument(args.input), args.expectedVersion, meta),
      ),
  }),
);

builder.mutationField('setFlagEnvironment', (t) =>
  t.field({
    type: FlagRef,
    description:
      "Replaces one environment's targeting of a flag. config.rules omitted means the rules stay unchanged; pass [] to remove them.",
    args: {
      key: t.arg.string({ required: true }),
      environment: t.arg.string({ required: true }),
      config: t.arg({ type: EnvironmentConfigInput, required: true }),
      expectedVersion: t.arg.int({ required: true }),
      comment: t.arg.string(),
    },
    resolve: (_root, args, context) =>
      writeFlag(context, args.comment, (meta) =>
        context.services.store.setFlagEnvironment(
          args.key,
          args.environment,
          environmentConfigToDocument(args.config),
          args.expectedVersion,
          meta,
        ),
      ),
  }),
);

builder.mutationField('toggleFlag', (t) =>
  t.field({
    type: FlagRef,
    description:
      'The kill switch. expectedVersion is optional so an operator in an incident is never blocked by a concurrent edit. ' +
      "Toggling an environment the flag has no configuration in creates it from the flag's defaults (off: everyone gets the false-like variation; on: everyone gets the true-like one), " +
      'and like every environment-scoped change its audit entry names the environment.',
    args: {
      key: t.arg.string({ required: true }),
      environment: t.arg.string({ required: true }),
      on: t.arg.boolean({ required: true }),
      expectedVersion: t.arg.int(),
      comment: t.arg.string(),
    },
    resolve: (_root, args, context) =>
      writeFlag(context, args.comment, (meta) =>
        context.services.store.toggleFlag(args.key, args.environment, args.on, args.expectedVersion ?? undefined, meta),
      ),
  }),
);

for (const [name, method, description] of [
  ['archiveFlag', 'archiveFlag', 'Archives a flag: it stops being evaluated (FLAG_NOT_FOUND) but keeps its history.'],
  ['restoreFlag', 'restoreFlag', 'Brings an archived flag back.'],
] as const) {
  builder.mutationField(name, (t) =>
    t.field({
      type: FlagRef,
      description,
      args: { key: t.arg.string({ required: true }), expectedVersion: t.arg.int(), comment: t.arg.string() },
      resolve: (_root, args, context) =>
        writeFlag(context, args.comment, (meta) =>
          context.services.store[method](args.key, args.expectedVersion ?? undefined, meta),
        ),
    }),
  );
}

builder.mutationField('deleteFlag', (t) =>
  t.boolean({
    description:
      'Deletes a flag for good (its audit history stays). Rejected while another flag uses it as a prerequisite.',
    args: {
      key: t.arg.string({ required: true }),
      expectedVersion: t.arg.int({ required: true }),
      comment: t.arg.string(),
    },
    resolve: async (_root, args, context) => {
      const principal = requireAdmin(context);
      return mapErrors(async () => {
        await context.services.store.deleteFlag(args.key, args.expectedVersion, {
          actor: actorOf(principal),
          ...(args.comment ? { comment: args.comment } : {}),
        });
        await context.services.sync.waitForFlag(args.key, null);
        return true;
      });
    },
  }),
);
