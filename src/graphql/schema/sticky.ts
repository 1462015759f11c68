/** Sticky assignments of experiments: `FlagEnvironment.sticky` and `resetStickyAssignments`. */
import { builder } from '../builder.js';
import { FlagEnvironmentRef, FlagRef, writeFlag } from './flag.js';

builder.objectField(FlagEnvironmentRef, 'sticky', (t) =>
  t.boolean({
    description:
      'Experiment flags only: the first variation a bucketing key gets from a split is recorded and served again after the weights change, until resetStickyAssignments.',
    resolve: (config) => config.sticky === true,
  }),
);

builder.objectField(FlagEnvironmentRef, 'stickyResetAt', (t) =>
  t.string({
    nullable: true,
    description: 'When the sticky assignments of this environment were last reset (ISO 8601).',
    resolve: (config) => config.stickyResetAt ?? null,
  }),
);

builder.mutationField('resetStickyAssignments', (t) =>
  t.field({
    type: FlagRef,
    description:
      'Ends a sticky experiment’s assignments in one environment: every key is bucketed afresh (and recorded again). An audited update of the flag; expectedVersion is optional.',
    args: {
      flag: t.arg.string({ required: true }),
      environment: t.arg.string({ required: true }),
      expectedVersion: t.arg.int(),
      comment: t.arg.string(),
    },
    resolve: (_root, args, context) =>
      writeFlag(context, args.comment, (meta) =>
        context.services.store.resetStickyAssignments(
          args.flag,
          args.environment,
          args.expectedVersion ?? undefined,
          meta,
        ),
      ),
  }),
);
