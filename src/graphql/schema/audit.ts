/** The audit log: every committed change with its actor, time, comment, before and after. */
import { type ChangeRecord, environmentOf } from '../../store/types.js';
import { requireReader } from '../access.js';
import { builder } from '../builder.js';
import { apiError, mapErrors } from '../errors.js';

const AuditEntryRef = builder.objectRef<ChangeRecord>('AuditEntry').implement({
  fields: (t) => ({
    position: t.exposeInt('position'),
    kind: t.string({ resolve: (record) => record.ref.kind }),
    key: t.string({ resolve: (record) => record.ref.key }),
    environment: t.string({
      nullable: true,
      description:
        'The environment of an environment-scoped change: a segment write, or a toggleFlag / setFlagEnvironment of a flag. Null for changes of a whole flag, environment or API key.',
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

const AuditPageRef = builder
  .objectRef<{ items: ChangeRecord[]; endCursor: string | null; hasNextPage: boolean; totalCount: number }>('AuditPage')
  .implement({
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
    description:
      'Changes, newest first. Filter by document key (flag key, segment key, environment key or API key id), kind, environment (its segments and the environment-scoped changes of flags: toggleFlag, setFlagEnvironment), and commit time: since (inclusive) and until (exclusive), ISO-8601.',
    args: {
      key: t.arg.string(),
      kind: t.arg.string(),
      environment: t.arg.string(),
      since: t.arg.string(),
      until: t.arg.string(),
      first: t.arg.int(),
      after: t.arg.string(),
    },
    resolve: (_root, args, context) => {
      requireReader(context);
      const ref = {
        ...(args.key ? { key: args.key } : {}),
        ...(args.kind ? { kind: args.kind as ChangeRecord['ref']['kind'] } : {}),
        ...(args.environment ? { environment: args.environment } : {}),
      };
      const since = instant(args.since, 'since');
      const until = instant(args.until, 'until');
      const filter = { ref, ...(since ? { since } : {}), ...(until ? { until } : {}) };
      return mapErrors(() =>
        context.services.store.auditLog(filter, { first: args.first ?? 50, after: args.after ?? null }),
      );
    },
  }),
);

/** An ISO-8601 argument as the store writes instants (toISOString), so they compare as strings. */
function instant(value: string | null | undefined, field: string): string | undefined {
  if (value === null || value === undefined || value === '') return undefined;
  const time = Date.parse(value);
  if (Number.isNaN(time))
    throw apiError('VALIDATION', `${field} must be an ISO-8601 date or time, e.g. 2026-12-01T10:00:00Z`, { field });
  return new Date(time).toISOString();
}
