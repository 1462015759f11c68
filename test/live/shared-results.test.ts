/**
 * Subscribers of one payload share it: the hub builds one update per (context, `keys` filter), the
 * plugin use-shared-subscription-results executes it once per document, and the SSE lane serialises
 * that result once. Sharing must change nothing anyone receives: each subscriber still gets exactly
 * its own keys-filtered messages over every transport, a selection that reads variables is executed
 * per subscriber, and a request error is the normal executor's.
 */
import {
  type DocumentNode,
  type ExecutionResult,
  GraphQLObjectType,
  GraphQLSchema,
  GraphQLString,
  parse,
} from 'graphql';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { TouchedFlags } from '../../src/flags/engine.js';
import { EvaluationHub, type EvaluationsUpdate } from '../../src/graphql/live/evaluation-hub.js';
import { isShareable, SHARED_RESULTS } from '../../src/graphql/live/shared-results.js';
import { gatewaySchema } from '../../src/graphql/schema-builder.js';
import { SubscriptionLimits } from '../../src/graphql/live/subscription-limits.js';
import type { ChangeRecord } from '../../src/store/types.js';
import { booleanFlag, followerFlag, PROD } from '../fixtures/gateway/flags.js';
import { standardKeys, startTestGateway, type TestGateway } from '../support/gateway.js';
import { Admin, eventually, LiveClients, transports } from '../support/live-clients.js';

let gw: TestGateway;
let admin: Admin;
let evalKey: string;
const clients = new LiveClients(() => gw.endpoint);

beforeAll(async () => {
  gw = await startTestGateway({ seed: false });
  admin = new Admin(gw.endpoint, gw.adminKey);
  evalKey = (await standardKeys(gw)).evalProd;
});

afterEach(async () => {
  await clients.closeAll();
  await eventually(() => gw.gateway.live.evaluations.size === 0, 'the hub to be empty after the clients closed');
});

afterAll(async () => {
  await gw?.stop();
});

/** Only the keys and values: what a filter lets through. */
const SUBSCRIPTION = /* GraphQL */ `
  subscription ($context: JSON!, $keys: [String!]) {
    evaluationsChanged(context: $context, keys: $keys) { changedKeys evaluations { key value } }
  }
`;

/** The value is selected or not depending on a variable: not shareable. */
const WITH_VARIABLE = /* GraphQL */ `
  subscription ($context: JSON!, $keys: [String!], $withValue: Boolean!) {
    evaluationsChanged(context: $context, keys: $keys) { changedKeys evaluations { key value @include(if: $withValue) reason } }
  }
`;

type Message = {
  evaluationsChanged: { changedKeys: string[]; evaluations: Array<{ key: string; value?: unknown; reason?: string }> };
};

/** `parent` (on for plan "pro"), `child` following it, and an unrelated `other`: toggling the parent moves two flags at once. */
async function family(prefix: string) {
  const [parent, child, other] = [`${prefix}-parent`, `${prefix}-child`, `${prefix}-other`];
  await admin.createFlag(booleanFlag(parent) as unknown as Record<string, unknown>);
  await admin.createFlag(followerFlag(child, parent));
  await admin.createFlag(booleanFlag(other) as unknown as Record<string, unknown>);
  return { parent, child, other };
}

const sorted = (keys: string[]) => [...keys].sort();

describe.each(transports)('subscribers of one context over %s', (transport) => {
  it('each gets exactly its keys-filtered updates, whatever the others watch', async () => {
    const { parent, child, other } = await family(`filters-${transport}`);
    const context = { targetingKey: `filters-${transport}`, plan: 'pro' };
    const subscribe = (keys?: string[]) =>
      clients.subscribe<Message>(transport, evalKey, SUBSCRIPTION, { context, ...(keys ? { keys } : {}) });
    const both = await subscribe([parent, child]);
    const bothReversed = await subscribe([child, parent, child]);
    const parentOnly = await subscribe([parent]);
    const everything = await subscribe();
    const otherOnly = await subscribe([other]);
    for (const sub of [both, bothReversed, parentOnly, everything, otherOnly]) await sub.nextData();

    await admin.toggle(parent, PROD, false);
    for (const sub of [both, bothReversed, everything])
      expect(sorted((await sub.nextData()).evaluationsChanged.changedKeys)).toEqual(sorted([parent, child]));
    expect((await parentOnly.nextData()).evaluationsChanged).toEqual({
      changedKeys: [parent],
      evaluations: [{ key: parent, value: false }],
    });

    // the `other` watcher heard nothing of it: its next message is its own flag's change
    await admin.toggle(other, PROD, false);
    expect((await otherOnly.nextData()).evaluationsChanged).toEqual({
      changedKeys: [other],
      evaluations: [{ key: other, value: false }],
    });
    expect((await everything.nextData()).evaluationsChanged.changedKeys).toEqual([other]);
    expect(otherOnly.messages).toHaveLength(2);
    for (const sub of [both, bothReversed, parentOnly]) expect(sub.messages).toHaveLength(2);
  });

  it('a selection that reads a variable is executed for each subscriber with its own variables', async () => {
    const { parent } = await family(`variables-${transport}`);
    const variables = { context: { targetingKey: `variables-${transport}`, plan: 'pro' }, keys: [parent] };
    const withValue = await clients.subscribe<Message>(transport, evalKey, WITH_VARIABLE, {
      ...variables,
      withValue: true,
    });
    const without = await clients.subscribe<Message>(transport, evalKey, WITH_VARIABLE, {
      ...variables,
      withValue: false,
    });
    expect((await withValue.nextData()).evaluationsChanged.evaluations).toEqual([
      { key: parent, value: true, reason: 'TARGETING_MATCH' },
    ]);
    expect((await without.nextData()).evaluationsChanged.evaluations).toEqual([
      { key: parent, reason: 'TARGETING_MATCH' },
    ]);

    await admin.toggle(parent, PROD, false);
    expect((await withValue.nextData()).evaluationsChanged.evaluations).toEqual([
      { key: parent, value: false, reason: 'DISABLED' },
    ]);
    expect((await without.nextData()).evaluationsChanged.evaluations).toEqual([{ key: parent, reason: 'DISABLED' }]);
  });

  it('a variable that does not coerce is the normal executor’s BAD_USER_INPUT error', async () => {
    const sub = await clients.subscribe<Message>(transport, evalKey, SUBSCRIPTION, {});
    const error = await sub.nextError();
    expect(error.extensions?.code).toBe('BAD_USER_INPUT');
    expect(error.message).toContain('$context');
    expect((await sub.ended()).how).toBe('complete');
  });
});

describe('what is shared', () => {
  let hub: EvaluationHub;
  const onChange = (_record: ChangeRecord, touched: TouchedFlags) => hub.onChange(touched);

  beforeAll(() => {
    hub = new EvaluationHub(gw.gateway.engine, new SubscriptionLimits(100, 100), 8);
    gw.gateway.sync.on('change', onChange);
  });

  afterAll(() => {
    gw.gateway.sync.off('change', onChange);
  });

  const identity = () => ({ keyId: 'shared-key', connection: {} });
  const nextUpdate = async (queue: AsyncIterator<unknown>) => (await queue.next()).value as EvaluationsUpdate;

  it('the hub hands one update object to the subscribers with the same keys filter, and one per other filter', async () => {
    const { parent, child } = await family('hub-objects');
    const context = { targetingKey: 'hub-objects', plan: 'pro' };
    const [first, sameKeys, otherOrder, everything] = [[parent, child], [parent, child], [child, parent], null].map(
      (keys) => hub.subscribe(identity(), PROD, context, keys),
    );
    const initial = await Promise.all([first, sameKeys, otherOrder, everything].map((queue) => nextUpdate(queue!)));
    expect(new Set(initial).size).toBe(4); // first messages follow each subscriber's own order of keys: not shared
    expect(initial[2]!.evaluations.map((evaluation) => evaluation.key)).toEqual([child, parent]);

    await admin.toggle(parent, PROD, false);
    const [a, b, c, d] = await Promise.all(
      [first, sameKeys, otherOrder, everything].map((queue) => nextUpdate(queue!)),
    );
    expect(b).toBe(a);
    expect(c).toBe(a);
    expect(d).not.toBe(a);
    expect(sorted(d!.changedKeys)).toEqual(sorted(a!.changedKeys));
    for (const queue of [first, sameKeys, otherOrder, everything]) await queue!.return!();
  });

  it('a subscriber joining while an update is on its way does not get it a second time', async () => {
    const { parent } = await family('hub-join');
    const context = { targetingKey: 'hub-join', plan: 'pro' };
    const early = hub.subscribe(identity(), PROD, context, [parent]);
    let late: AsyncIterableIterator<unknown> | null = null;
    // joins after the change was evaluated, before its update is handed out (on a later turn)
    const join = () => (late ??= hub.subscribe(identity(), PROD, context, [parent]));
    gw.gateway.sync.once('change', join);
    await nextUpdate(early);
    await admin.toggle(parent, PROD, false);
    await admin.toggle(parent, PROD, true);
    expect((await nextUpdate(early)).evaluations[0]!.value).toBe(false);
    expect((await nextUpdate(early)).evaluations[0]!.value).toBe(true);
    expect((await nextUpdate(late!)).evaluations[0]!.value).toBe(false); // its first message: the state it joined in
    expect((await nextUpdate(late!)).evaluations[0]!.value).toBe(true); // then the next change, not the one before
    await early.return!();
    await late!.return!();
  });

  it('subscribers of one document receive the very same result object; with a variable in the selection, each its own', async () => {
    const { parent } = await family('plugin-objects');
    const principal = gw.gateway.keys.authenticate(evalKey)!;
    const subscribe = async (query: string, variables: Record<string, unknown>) => {
      const enveloped = gw.gateway.yoga.getEnveloped({ authenticated: { principal, connection: {} } });
      const document: DocumentNode = enveloped.parse(query);
      const args = {
        schema: enveloped.schema,
        document,
        variableValues: variables,
        contextValue: await enveloped.contextFactory(),
      };
      return (await enveloped.subscribe(args)) as AsyncIterableIterator<ExecutionResult>;
    };
    const variables = { context: { targetingKey: 'plugin-objects', plan: 'pro' }, keys: [parent] };
    const shared = await Promise.all([subscribe(SUBSCRIPTION, variables), subscribe(SUBSCRIPTION, variables)]);
    const own = await Promise.all([
      subscribe(WITH_VARIABLE, { ...variables, withValue: true }),
      subscribe(WITH_VARIABLE, { ...variables, withValue: true }),
    ]);
    for (const stream of [...shared, ...own]) await stream.next();

    await admin.toggle(parent, PROD, false);
    const [a, b] = await Promise.all(shared.map(async (stream) => (await stream.next()).value as ExecutionResult));
    expect(b).toBe(a);
    expect(a!.data).toEqual({
      evaluationsChanged: { changedKeys: [parent], evaluations: [{ key: parent, value: false }] },
    });
    const [c, d] = await Promise.all(own.map(async (stream) => (await stream.next()).value as ExecutionResult));
    expect(d).not.toBe(c);
    expect(d).toEqual(c);
    for (const stream of [...shared, ...own]) await stream.return!();
  });
});

describe('which documents share results', () => {
  const cases: Array<[string, string, boolean]> = [
    [
      'variables only in the root field’s arguments',
      'subscription ($c: JSON!, $k: [String!]) { evaluationsChanged(context: $c, keys: $k) { changedKeys evaluations { key value } } }',
      true,
    ],
    [
      'a fragment without variables',
      'subscription ($c: JSON!) { evaluationsChanged(context: $c) { ...U } } fragment U on EvaluationsUpdate { changedKeys }',
      true,
    ],
    ['flagChanged', 'subscription ($k: [String!]) { flagChanged(keys: $k) { key version } }', true],
    [
      'a variable in a directive below the root field',
      'subscription ($c: JSON!, $v: Boolean!) { evaluationsChanged(context: $c) { changedKeys @include(if: $v) } }',
      false,
    ],
    [
      'a variable in a fragment it spreads',
      'subscription ($c: JSON!, $v: Boolean!) { evaluationsChanged(context: $c) { ...U } } fragment U on EvaluationsUpdate { ...V } fragment V on EvaluationsUpdate { changedKeys @skip(if: $v) }',
      false,
    ],
    [
      'a variable in a directive on the root field',
      'subscription ($c: JSON!, $v: Boolean!) { evaluationsChanged(context: $c) @include(if: $v) { changedKeys } }',
      false,
    ],
    [
      'a root field behind a fragment',
      'subscription ($c: JSON!) { ... on Subscription { evaluationsChanged(context: $c) { changedKeys } } }',
      false,
    ],
    ['a query', '{ __typename }', false],
  ];
  it.each(cases)('%s: %s → %s', (_what, query, expected) => {
    expect(isShareable(gatewaySchema(), parse(query), undefined)).toBe(expected);
  });

  it('a field without the SHARED_RESULTS extension never shares', () => {
    const field = (extensions: Record<string, unknown>) => ({ type: GraphQLString, extensions });
    const schema = new GraphQLSchema({
      query: new GraphQLObjectType({ name: 'Query', fields: { ok: { type: GraphQLString } } }),
      subscription: new GraphQLObjectType({
        name: 'Subscription',
        fields: { plain: field({}), shared: field({ [SHARED_RESULTS]: true }) },
      }),
    });
    expect(isShareable(schema, parse('subscription { plain }'), undefined)).toBe(false);
    expect(isShareable(schema, parse('subscription { shared }'), undefined)).toBe(true);
  });
});
