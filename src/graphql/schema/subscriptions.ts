/** Live updates: `evaluationsChanged` (evaluation keys; admin keys naming an environment) and `flagChanged` (admin, read-only). */
import type { Principal } from '../principal.js';
import { evaluationEnvironment, requireKey, requireReaderOrServer } from '../access.js';
import { builder } from '../builder.js';
import type { GatewayContext } from '../context.js';
import { apiError } from '../errors.js';
import { EndWithError } from '../live/bounded-queue.js';
import type { EvaluationsUpdate } from '../live/evaluation-hub.js';
import type { FlagChange } from '../live/flag-change-hub.js';
import { SHARED_RESULTS } from '../live/shared-results.js';
import { checkContext } from './context-arg.js';
import { EvaluationRef } from './evaluation.js';

builder.subscriptionType({});

const EvaluationsUpdateRef = builder.objectRef<EvaluationsUpdate>('EvaluationsUpdate').implement({
  fields: (t) => ({
    snapshotVersion: t.exposeInt('snapshotVersion', {
      description: 'Version of the snapshot these evaluations come from.',
    }),
    evaluations: t.field({
      type: [EvaluationRef],
      description: 'First message: every flag. Later: only the flags that changed for this context.',
      resolve: (update) => update.evaluations,
    }),
    changedKeys: t.exposeStringList('changedKeys', { description: 'Empty in the first message.' }),
  }),
});

const FlagChangeRef = builder.objectRef<FlagChange>('FlagChange').implement({
  fields: (t) => ({
    key: t.exposeString('key'),
    environment: t.exposeString('environment', {
      nullable: true,
      description: "The segment's environment; null for flags.",
    }),
    kind: t.exposeString('kind', {
      description: 'What the change did: create, update, toggle, archive, restore or delete.',
    }),
    documentKind: t.exposeString('documentKind', { description: 'flag or segment.' }),
    version: t.exposeInt('version'),
    actor: t.exposeString('actor', { nullable: true }),
    at: t.exposeString('at'),
  }),
});

/** A queued message, or the final error that ends a dropped or revoked subscription. */
function unwrap<T>(payload: T | EndWithError): T {
  if (payload instanceof EndWithError) throw payload.error;
  return payload;
}

function identity(principal: Principal, context: GatewayContext) {
  return { keyId: principal.keyId, connection: context.connection };
}

builder.subscriptionField('evaluationsChanged', (t) =>
  t.field({
    type: EvaluationsUpdateRef,
    args: { context: t.arg({ type: 'JSON', required: true }), keys: t.arg.stringList(), environment: t.arg.string() },
    subscribe: (_root, args, context) => {
      const principal = requireKey(context);
      if (principal.kind === 'read-only')
        throw apiError('FORBIDDEN', 'evaluationsChanged needs an evaluation key, or an admin key with an environment');
      const environment = evaluationEnvironment(context, args.environment);
      if (!context.services.engine.snapshot(environment))
        throw apiError('NOT_FOUND', `environment '${environment}' does not exist`);
      return context.services.live.evaluations.subscribe(
        identity(principal, context),
        environment,
        checkContext(args.context),
        args.keys ?? null,
      );
    },
    resolve: (payload) => unwrap(payload as EvaluationsUpdate | EndWithError),
    // Neither resolve() nor anything under it reads arguments or context: subscribers may share results.
    extensions: { [SHARED_RESULTS]: true },
  }),
);

builder.subscriptionField('flagChanged', (t) =>
  t.field({
    type: FlagChangeRef,
    args: { keys: t.arg.stringList(), environment: t.arg.string() },
    subscribe: (_root, args, context) => {
      const principal = requireReaderOrServer(context);
      // A server key hears about flags and its own environment's segments only.
      const environment =
        principal.kind === 'server' ? evaluationEnvironment(context, args.environment) : args.environment;
      return context.services.live.flagChanges.subscribe(
        identity(principal, context),
        args.keys ?? null,
        environment ?? null,
      );
    },
    resolve: (payload) => unwrap(payload as FlagChange | EndWithError),
    extensions: { [SHARED_RESULTS]: true },
  }),
);
