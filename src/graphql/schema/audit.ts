/** The audit log: every committed change with its actor, time, comment, before and after. */
import { type ChangeRecord, environmentOf } from '../../store/types.js';
import { requireReader } from '../access.js';
import { builder } from '../builder.js';
import { mapErrors } from '../errors.js';

const AuditEntryRef = builder.objectRef<ChangeRecord>('AuditEntry').implement({
  fields: (t) => ({
    position: t.exposeInt('position'),
    kind: t.string({ resolve: (record) => record.ref.kind }),
    key: t.string({ resolve: (record) => record.ref.key }),
    environment: t.string({
      nullable: true,
      description: 'The environment of an environment-scoped change: a segment write, or a toggleFlag / setFlagEnvironment of a flag. Null for changes of a whole flag, environment or API key.',
      resolve: (record) => environmentOf(record),
    }),
    version: t.exposeInt('version'),
    action: t.exposeString('action'),
    actor: t.exposeString('actor'),
    comment: t.exposeString('comment', { nullable: true }),
    at: t.exposeString('at'),
    // API key records never hold secrets, only hashes; the hash is still not shown.
    before: t.field({ type: 'JSON', nullable: true, resolve: (record) => redact(record, record.before) }),
    after: t.field({ type: 'JSON', nullable: true, resolve: (record) => redact(record, record.after) }),
  }),
});

function redact(record: ChangeRecord, document: unknown): unknown {
  if (record.ref.kind !== 'apiKey' || !document || typeof document !== 'object') return document;
  const { secretHash: _hidden, ...rest } = document as Record<string, unknown>;
  return rest;
}

const AuditPageRef = builder.objectRef<{ items: ChangeRecord[]; endCursor: string | null; hasNextPage: boolean; totalCount: number }>('AuditPage').implement({
  fields: (t) => ({
    entries: t.field({ type: [AuditEntryRef], resolve: (page) => page.items }),
    endCursor: t.exposeString('endCursor', { nullable: true }),
    hasNextPage: t.exposeBoolean('hasNextPage'),
    totalCount: t.exposeInt('totalCount'),
  }),
});

builder.queryField('auditLog', (t) =>
  t.field({
    type: AuditPageRef,
    description: 'Changes, newest first. Filter by document key (flag key, segment key, environment key or API key id), kind, and environment (its segments and the environment-scoped changes of flags: toggleFlag, setFlagEnvironment).',
    args: { key: t.arg.string(), kind: t.arg.string(), environment: t.arg.string(), first: t.arg.int(), after: t.arg.string() },
    resolve: (_root, args, context) => {
      requireReader(context);
      const ref = {
        ...(args.key ? { key: args.key } : {}),
        ...(args.kind ? { kind: args.kind as ChangeRecord['ref']['kind'] } : {}),
        ...(args.environment ? { environment: args.environment } : {}),
      };
      return mapErrors(() => context.services.store.auditLog({ ref }, { first: args.first ?? 50, after: args.after ?? null }));
    },
  }),
);
