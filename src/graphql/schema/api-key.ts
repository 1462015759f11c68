/** API keys: metadata only (the secret is shown once, at creation). */
import { type ApiKeyRecord, isEnvironmentBound } from '../../store/types.js';
import type { Principal } from '../principal.js';
import { actorOf, requireAdmin, requireReader } from '../access.js';
import { builder } from '../builder.js';
import { apiError, mapErrors } from '../errors.js';
import { ApiKeyKindEnum } from './enums.js';

const ApiKeyRef = builder.objectRef<ApiKeyRecord>('ApiKey').implement({
  fields: (t) => ({
    id: t.exposeID('id'),
    name: t.exposeString('name'),
    kind: t.field({ type: ApiKeyKindEnum, resolve: (key) => key.kind }),
    environment: t.exposeString('environment', { nullable: true }),
    prefix: t.exposeString('prefix', { description: 'The first characters of the secret, to recognise the key.' }),
    createdAt: t.exposeString('createdAt'),
    revokedAt: t.exposeString('revokedAt', { nullable: true }),
  }),
});

const CreatedApiKeyRef = builder.objectRef<{ apiKey: ApiKeyRecord; secret: string }>('CreatedApiKey').implement({
  fields: (t) => ({
    apiKey: t.field({ type: ApiKeyRef, resolve: (created) => created.apiKey }),
    secret: t.exposeString('secret', { description: 'Shown only this once; only its hash is stored.' }),
  }),
});

builder.queryField('apiKeys', (t) =>
  t.field({
    type: [ApiKeyRef],
    resolve: (_root, _args, context) => {
      requireReader(context);
      return mapErrors(() => context.services.store.listApiKeys());
    },
  }),
);

builder.mutationField('createApiKey', (t) =>
  t.field({
    type: CreatedApiKeyRef,
    args: {
      name: t.arg.string({ required: true }),
      kind: t.arg({ type: ApiKeyKindEnum, required: true }),
      environment: t.arg.string(),
    },
    resolve: (_root, args, context) => {
      const principal = requireAdmin(context);
      if (isEnvironmentBound(args.kind) && !args.environment)
        throw apiError('VALIDATION', `${args.kind} keys need an environment`, { field: 'environment' });
      if (!isEnvironmentBound(args.kind) && args.environment)
        throw apiError('VALIDATION', 'only evaluation and server keys are bound to an environment', {
          field: 'environment',
        });
      return mapErrors(async () => {
        const { secret, record } = await context.services.createApiKey(
          { name: args.name, kind: args.kind, environment: args.environment ?? null },
          actorOf(principal),
        );
        return { apiKey: record, secret };
      });
    },
  }),
);

builder.mutationField('revokeApiKey', (t) =>
  t.field({
    type: ApiKeyRef,
    args: { id: t.arg.id({ required: true }) },
    resolve: (_root, args, context) => {
      const principal = requireAdmin(context);
      return mapErrors(() => context.services.store.revokeApiKey(String(args.id), { actor: actorOf(principal) }));
    },
  }),
);

/**
 * The calling key itself, so a client (the console) can tell an admin key from a read-only one
 * without trying a write; never the secret. Readers only: an evaluation key reaches nothing but
 * evaluation (test/gateway/introspection-scope.test.ts), so it gets FORBIDDEN here too.
 */
const ViewerRef = builder.objectRef<Principal>('Viewer').implement({
  fields: (t) => ({
    kind: t.field({ type: ApiKeyKindEnum, resolve: (principal) => principal.kind }),
    name: t.exposeString('name'),
  }),
});

builder.queryField('viewer', (t) =>
  t.field({
    type: ViewerRef,
    description: 'The API key of this request (admin and read-only keys): kind, name.',
    resolve: (_root, _args, context) => requireReader(context),
  }),
);
