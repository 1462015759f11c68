/**
 * Two gateway PROCESSES (`node dist/cli/main.js serve`) on one MongoDB-protocol store
 * (mongo-java-server with change streams). Instances learn of changes only from the store's change
 * feed, so a mutation made through A reaches the subscribers of B — and A's own — exactly once each:
 * messages are counted, and counted again after a settle period. Revoking a key through one instance
 * ends its subscriptions on the other.
 */
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { booleanFlag, PROD } from '../fixtures/gateway/flags.js';
import { ensureBuilt, newAdminSecret } from '../support/gateway.js';
import {
  Admin,
  type CloseInfo,
  EVALUATIONS_CHANGED,
  type EvaluationsMessage,
  FLAG_CHANGED,
  type FlagChangedMessage,
  freePort,
  type Instance,
  LiveClients,
  type LiveSubscription,
  sleep,
  spawnInstance,
} from '../support/live-clients.js';
import { startMongoTestServer, type MongoTestServer } from '../support/mongo-java-server.js';

const SETTLE_MS = 1000;

let mongo: MongoTestServer;
let a: Instance;
let b: Instance;
let adminA: Admin;
let adminB: Admin;
let evalKey: string;
let readerKey: string;
const onA = new LiveClients(() => a.endpoint);
const onB = new LiveClients(() => b.endpoint);

beforeAll(async () => {
  await ensureBuilt();
  mongo = await startMongoTestServer();
  const adminKey = newAdminSecret();
  const env = { MONGODB_URI: mongo.uri, VEXIL_BOOTSTRAP_ADMIN_KEY: adminKey, VEXIL_SEED: 'false' };
  a = await spawnInstance({ name: 'instance A', port: await freePort(), env });
  b = await spawnInstance({ name: 'instance B', port: await freePort(), env });
  adminA = new Admin(a.endpoint, adminKey);
  adminB = new Admin(b.endpoint, adminKey);
  evalKey = (await adminA.createKey('EVALUATION', PROD, 'two-instances-eval')).secret;
  readerKey = (await adminB.createKey('READ_ONLY', undefined, 'two-instances-reader')).secret;
}, 240_000);

afterEach(async () => {
  await onA.closeAll();
  await onB.closeAll();
});

afterAll(async () => {
  await Promise.allSettled([a?.stop(), b?.stop()]);
  await mongo?.close();
  const noisy = [a, b].filter((instance) => instance && /"level":(50|60)/.test(instance.output()));
  if (noisy.length > 0)
    throw new Error(
      `an instance logged errors:\n${noisy.map((instance) => `${instance.name}:\n${instance.output()}`).join('\n')}`,
    );
});

/** Waits until a key created through one instance authenticates on the other (it learns of keys from the feed too). */
async function keyWorksOn(instance: Instance, key: string): Promise<void> {
  const deadline = Date.now() + 10_000;
  while (
    (
      await fetch(instance.endpoint, {
        method: 'POST',
        headers: { 'content-type': 'application/json', authorization: `Bearer ${key}` },
        body: '{"query":"{ __typename }"}',
      })
    ).status === 401
  ) {
    if (Date.now() > deadline) throw new Error(`key not known to ${instance.name} after 10 s`);
    await sleep(50);
  }
}

/** How many live flagChanged subscriptions `instance` counts (its vexil_subscribers gauge). */
async function flagWatchersOn(instance: Instance): Promise<number> {
  const text = await (await fetch(instance.endpoint.replace(/\/graphql$/, '/metrics'))).text();
  return Number(/^vexil_subscribers\{subscription="flagChanged"\} (\d+)/m.exec(text)?.[1] ?? 0);
}

/** Waits until `instance` counts at least `count` live flagChanged subscriptions. */
async function flagWatchersLiveOn(instance: Instance, count: number): Promise<void> {
  const deadline = Date.now() + 10_000;
  for (let live = await flagWatchersOn(instance); live < count; live = await flagWatchersOn(instance)) {
    if (Date.now() > deadline)
      throw new Error(`${instance.name} has ${live} flagChanged subscriptions after 10 s, not ${count}`);
    await sleep(50);
  }
}

/**
 * flagChanged sends nothing until a change: once the instances count the subscriptions as live (a
 * client's subscribe call may return before the server registered it), a probe change shows each works.
 */
async function primeFlagWatchers(
  subs: Array<LiveSubscription<FlagChangedMessage>>,
  probe: string,
  live: Array<[Instance, number]>,
): Promise<void> {
  for (const [instance, count] of live) await flagWatchersLiveOn(instance, count);
  await adminA.createFlag(booleanFlag(probe) as unknown as Record<string, unknown>);
  for (const sub of subs)
    expect((await sub.nextData(10_000)).flagChanged).toMatchObject({ key: probe, kind: 'create' });
}

describe('two instances on one MongoDB store', () => {
  it('a mutation through A reaches the subscribers on B and on A, once each', async () => {
    await keyWorksOn(b, evalKey);
    await keyWorksOn(a, readerKey);
    const flag = 'shared-flag';
    await adminA.createFlag(booleanFlag(flag) as unknown as Record<string, unknown>);
    const context = { targetingKey: 'two-user', plan: 'pro' };
    const variables = { context, keys: [flag] };
    const evaluations: Record<string, LiveSubscription<EvaluationsMessage>> = {
      'A/ws': await onA.evaluations('ws', evalKey, variables),
      'A/sse': await onA.evaluations('sse', evalKey, variables),
      'B/ws': await onB.evaluations('ws', evalKey, variables),
      'B/sse-fetch': await onB.evaluations('sse-fetch', evalKey, variables),
      'B/ws other context': await onB.evaluations('ws', evalKey, {
        context: { targetingKey: 'two-free', plan: 'free' },
        keys: [flag],
      }),
    };
    const [watchingA, watchingB] = [await flagWatchersOn(a), await flagWatchersOn(b)];
    const changes: Record<string, LiveSubscription<FlagChangedMessage>> = {
      'A/ws': await onA.flagChanges('ws', readerKey, { keys: [flag, 'probe-1'] }),
      'B/sse': await onB.flagChanges('sse', readerKey, { keys: [flag, 'probe-1'] }),
      'B/sse-fetch': await onB.flagChanges('sse-fetch', readerKey, { keys: [flag, 'probe-1'] }),
    };
    for (const sub of Object.values(evaluations))
      expect((await sub.nextData(10_000)).evaluationsChanged.changedKeys).toEqual([]);
    await primeFlagWatchers(Object.values(changes), 'probe-1', [
      [a, watchingA + 1],
      [b, watchingB + 2],
    ]);

    // five changes, alternating the instance they are made through
    const versions: number[] = [];
    for (let index = 0; index < 5; index++)
      versions.push(await (index % 2 === 0 ? adminA : adminB).toggle(flag, PROD, index % 2 === 1));

    for (const [name, sub] of Object.entries(evaluations)) {
      for (let index = 0; index < 5; index++) {
        const update = (await sub.nextData(10_000)).evaluationsChanged;
        expect(update.changedKeys, name).toEqual([flag]);
        expect(update.evaluations[0], name).toMatchObject({
          reason: index % 2 === 0 ? 'DISABLED' : name.includes('other') ? 'DEFAULT' : 'TARGETING_MATCH',
          flagVersion: versions[index],
        });
      }
    }
    for (const [name, sub] of Object.entries(changes)) {
      const received: Array<[string, number]> = [];
      for (let index = 0; index < 5; index++) {
        const change = (await sub.nextData(10_000)).flagChanged;
        received.push([change.kind, change.version]);
      }
      expect(received, name).toEqual(versions.map((version) => ['toggle', version]));
    }

    // no duplicates, no stragglers
    await sleep(SETTLE_MS);
    for (const [name, sub] of Object.entries(evaluations)) {
      expect(sub.messages.length, name).toBe(6);
      expect(sub.inbox.ended, name).toBeNull();
    }
    for (const [name, sub] of Object.entries(changes)) expect(sub.messages.length, name).toBe(6);
    // both instances agree on what each change was
    const fromA = changes['A/ws']!.messages.slice(1).map((message) => message.data!.flagChanged);
    const fromB = changes['B/sse']!.messages.slice(1).map((message) => message.data!.flagChanged);
    expect(fromB).toEqual(fromA);
  });

  it('a segment change through B reaches only the affected contexts on A, once', async () => {
    await adminB.createSegment({ key: 'two-seg', environment: PROD, included: [] });
    await adminB.createFlag({
      ...booleanFlag('two-seg-flag'),
      environments: [
        {
          environment: PROD,
          config: {
            on: true,
            offVariation: 'off',
            defaultServe: { variation: 'off' },
            rules: [{ condition: 'segment("two-seg")', serve: { variation: 'on' } }],
          },
        },
      ],
    });
    const [inside, outside] = await Promise.all(
      ['seg-in', 'seg-out'].map((user) =>
        onA.evaluations('ws', evalKey, { context: { targetingKey: user }, keys: ['two-seg-flag'] }),
      ),
    );
    for (const sub of [inside!, outside!])
      expect((await sub.nextData(10_000)).evaluationsChanged.evaluations[0]).toMatchObject({ value: false });
    await adminB.updateSegment(PROD, 'two-seg', { included: ['seg-in'] });
    expect((await inside!.nextData(10_000)).evaluationsChanged.evaluations[0]).toMatchObject({
      key: 'two-seg-flag',
      value: true,
      reason: 'TARGETING_MATCH',
    });
    // the outside context's next message is the next change that concerns it
    await adminB.toggle('two-seg-flag', PROD, false);
    expect((await outside!.nextData(10_000)).evaluationsChanged.evaluations[0]).toMatchObject({
      value: false,
      reason: 'DISABLED',
    });
    await sleep(SETTLE_MS);
    expect(inside!.messages).toHaveLength(3);
    expect(outside!.messages).toHaveLength(2);
  });

  it('a subscriber reconnecting to the other instance first gets the full current state', async () => {
    await adminA.createFlag(booleanFlag('two-resync') as unknown as Record<string, unknown>);
    const context = { targetingKey: 'resync-user', plan: 'pro' };
    const first = await onA.evaluations('sse-fetch', evalKey, { context, keys: ['two-resync'] });
    expect((await first.nextData(10_000)).evaluationsChanged.evaluations[0]).toMatchObject({ value: true });
    await first.close();
    await adminA.toggle('two-resync', PROD, false);
    // B learns of it from the feed; wait for it there through a query before reconnecting
    const deadline = Date.now() + 10_000;
    for (;;) {
      const result = await adminB.run<{ evaluate: { reason: string } }>(
        `query ($c: JSON!) { evaluate(key: "two-resync", context: $c, environment: "production") { reason } }`,
        { c: context },
      );
      if (result.evaluate.reason === 'DISABLED') break;
      if (Date.now() > deadline) throw new Error('B never saw the toggle');
      await sleep(50);
    }
    const second = await onB.evaluations('ws', evalKey, { context, keys: ['two-resync'] });
    const resync = (await second.nextData(10_000)).evaluationsChanged;
    expect(resync.changedKeys).toEqual([]);
    expect(resync.evaluations[0]).toMatchObject({ value: false, reason: 'DISABLED' });
  });

  it('revoking a key through A closes its WebSocket on B with 4403 and ends its SSE stream on B with UNAUTHENTICATED', async () => {
    const doomed = await adminA.createKey('EVALUATION', PROD, 'two-doomed');
    await keyWorksOn(b, doomed.secret);
    const connection = onB.ws(doomed.secret);
    const ws = connection.subscribe<EvaluationsMessage>(EVALUATIONS_CHANGED, {
      context: { targetingKey: 'doomed' },
      keys: [],
    });
    const sse = await onB.evaluations('sse-fetch', doomed.secret, { context: { targetingKey: 'doomed' }, keys: [] });
    const watchingB = await flagWatchersOn(b);
    const bystander = await onB.flagChanges('ws', readerKey, { keys: ['probe-2'] });
    await ws.nextData(10_000);
    await sse.nextData(10_000);
    await primeFlagWatchers([bystander], 'probe-2', [[b, watchingB + 1]]);

    await adminA.revokeKey(doomed.id);
    expect(((await connection.closed) as CloseInfo).code).toBe(4403);
    const error = await sse.nextError(10_000);
    expect(error.extensions?.code).toBe('UNAUTHENTICATED');
    expect((await sse.ended(10_000)).how).toBe('complete');
    const refused = await fetch(b.endpoint, {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        accept: 'text/event-stream',
        authorization: `Bearer ${doomed.secret}`,
      },
      body: JSON.stringify({ query: FLAG_CHANGED }),
    });
    expect(refused.status).toBe(401);
    await refused.body?.cancel();
    expect(bystander.inbox.ended).toBeNull();
  });
});
