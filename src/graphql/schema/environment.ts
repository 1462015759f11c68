/** Environments (development, staging, production, …). */
import type { Environment } from '../../flags/model.js';
import { actorOf, requireAdmin, requireReader } from '../access.js';
import { builder } from '../builder.js';
import { mapErrors } from '../errors.js';

const EnvironmentRef = builder.objectRef<Environment>('Environment').implement({
  fields: (t) => ({ key: t.exposeString('key'), name: t.exposeString('name'), createdAt: t.exposeString('createdAt') }),
});

builder.queryField('environments', (t) =>
  t.field({
    type: [EnvironmentRef],
    resolve: (_root, _args, context) => {
      requireReader(context);
      return mapErrors(() => context.services.store.listEnvironments());
    },
  }),
);

builder.mutationField('createEnvironment', (t) =>
  t.field({
    type: EnvironmentRef,
    args: { key: t.arg.string({ required: true }), name: t.arg.string(), comment: t.arg.string() },
    resolve: (_root, args, context) => {
      const principal = requireAdmin(context);
      return mapErrors(async () => {
        const environment = await context.services.store.createEnvironment(
          { key: args.key, name: args.name ?? args.key },
          { actor: actorOf(principal), ...(args.comment ? { comment: args.comment } : {}) },
        );
        await context.services.sync.waitFor(() => context.services.engine.snapshot(environment.key) !== undefined);
        return environment;
      });
    },
  }),
);
