/** Segments: reusable audiences per environment. Readable by admin and read-only keys; written by admins. */
import type { Segment } from '../../flags/model.js';
import { actorOf, requireAdmin, requireReader } from '../access.js';
import { builder } from '../builder.js';
import type { GatewayContext } from '../context.js';
import { mapErrors } from '../errors.js';

export const SegmentRef = builder.objectRef<Segment>('Segment').implement({
  fields: (t) => ({
    key: t.exposeString('key'),
    environment: t.exposeString('environment'),
    name: t.exposeString('name'),
    description: t.exposeString('description'),
    included: t.exposeStringList('included'),
    excluded: t.exposeStringList('excluded'),
    condition: t.exposeString('condition', { nullable: true }),
    version: t.exposeInt('version'),
    createdAt: t.exposeString('createdAt'),
    updatedAt: t.exposeString('updatedAt'),
  }),
});

const SegmentInput = builder.inputType('SegmentInput', {
  fields: (t) => ({
    key: t.string({ required: true }),
    environment: t.string({ required: true }),
    name: t.string(),
    description: t.string(),
    included: t.stringList(),
    excluded: t.stringList(),
    condition: t.string(),
  }),
});

const UpdateSegmentInput = builder.inputType('UpdateSegmentInput', {
  description: 'Fields to change; absent fields keep their value.',
  fields: (t) => ({
    name: t.string(),
    description: t.string(),
    included: t.stringList(),
    excluded: t.stringList(),
    condition: t.string(),
  }),
});

function withoutNulls(input: Record<string, unknown>): Record<string, unknown> {
  return Object.fromEntries(Object.entries(input).filter(([, value]) => value !== null && value !== undefined));
}

async function writeSegment(
  context: GatewayContext,
  comment: string | null | undefined,
  write: (meta: { actor: string; comment?: string }) => Promise<Segment>,
): Promise<Segment> {
  const principal = requireAdmin(context);
  return mapErrors(async () => {
    const segment = await write({ actor: actorOf(principal), ...(comment ? { comment } : {}) });
    await context.services.sync.waitForSegment(segment.environment, segment.key, segment.version);
    return segment;
  });
}

builder.queryField('segments', (t) =>
  t.field({
    type: [SegmentRef],
    args: { environment: t.arg.string() },
    resolve: (_root, args, context) => {
      requireReader(context);
      return mapErrors(() => context.services.store.listSegments(args.environment ?? undefined));
    },
  }),
);

builder.queryField('segment', (t) =>
  t.field({
    type: SegmentRef,
    nullable: true,
    args: { environment: t.arg.string({ required: true }), key: t.arg.string({ required: true }) },
    resolve: (_root, args, context) => {
      requireReader(context);
      return mapErrors(() => context.services.store.getSegment(args.environment, args.key));
    },
  }),
);

builder.mutationField('createSegment', (t) =>
  t.field({
    type: SegmentRef,
    args: { input: t.arg({ type: SegmentInput, required: true }), comment: t.arg.string() },
    resolve: (_root, args, context) =>
      writeSegment(context, args.comment, (meta) =>
        context.services.store.createSegment(withoutNulls(args.input), meta),
      ),
  }),
);

builder.mutationField('updateSegment', (t) =>
  t.field({
    type: SegmentRef,
    args: {
      environment: t.arg.string({ required: true }),
      key: t.arg.string({ required: true }),
      input: t.arg({ type: UpdateSegmentInput, required: true }),
      expectedVersion: t.arg.int({ required: true }),
      comment: t.arg.string(),
    },
    resolve: (_root, args, context) =>
      writeSegment(context, args.comment, (meta) =>
        context.services.store.updateSegment(
          args.environment,
          args.key,
          withoutNulls(args.input),
          args.expectedVersion,
          meta,
        ),
      ),
  }),
);

builder.mutationField('deleteSegment', (t) =>
  t.boolean({
    description: 'Rejected while a flag rule in that environment uses the segment.',
    args: {
      environment: t.arg.string({ required: true }),
      key: t.arg.string({ required: true }),
      expectedVersion: t.arg.int({ required: true }),
      comment: t.arg.string(),
    },
    resolve: async (_root, args, context) => {
      const principal = requireAdmin(context);
      return mapErrors(async () => {
        await context.services.store.deleteSegment(args.environment, args.key, args.expectedVersion, {
          actor: actorOf(principal),
          ...(args.comment ? { comment: args.comment } : {}),
        });
        await context.services.sync.waitForSegment(args.environment, args.key, null);
        return true;
      });
    },
  }),
);
