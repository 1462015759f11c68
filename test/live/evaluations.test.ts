/**
 * `evaluationsChanged` end to end, over the graphql-ws client, the graphql-sse client and a raw fetch
 * reader of text/event-stream, against the real server (in-process, port 0, temporary data dir):
 * the first message is the full current state; later messages come only when a committed change
 * alters the value, variation or reason of a flag for that context, and carry only those flags.
 * Absence is proven by ordering, not by sleeping: after a change that must not be delivered, a change
 * that must be is made, and the next message has to be that one.
 */
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { bucketIndex } from '../../src/index.js';
import { stableKey } from '../../src/graphql/live/stable-key.js';
import { booleanFlag, followerFlag, PROD, serveAll, STAGING } from '../fixtures/gateway/flags.js';
import { standardKeys, startTestGateway, type TestGateway } from '../support/gateway.js';
import { Admin, eventually, LiveClients, transports, valuesOf } from '../support/live-clients.js';

let gw: TestGateway;
let admin: Admin;
let keys: Awaited<ReturnType<typeof standardKeys>>;
const clients = new LiveClients(() => gw.endpoint);

beforeAll(async () => {
  gw = await startTestGateway({ seed: false });
  admin = new Admin(gw.endpoint, gw.adminKey);
  keys = await standardKeys(gw);
});

afterEach(async () => {
  await clients.closeAll();
  // Every transport releases its subscriptions when the client goes: nothing is left in the hub.
  await eventually(() => gw.gateway.live.evaluations.size === 0, 'the hub to be empty after the clients closed');
});

afterAll(async () => {
  await gw?.stop();
});

const first = <T>(items: T[]) => items[0]!;

/** A boolean flag: production serves `on` to plan "pro", else `off`; staging serves `on`. */
const proFlag = (key: string) => admin.createFlag(booleanFlag(key) as unknown as Record<string, unknown>);

describe.each(transports)('evaluationsChanged over %s', (transport) => {
  const key = (name: string) => `${name}-${transport}`;

  it('first sends the full current state for the context, with empty changedKeys', async () => {
    await proFlag(key('init-a'));
    await proFlag(key('init-b'));
    const sub = await clients.evaluations(transport, keys.evalProd, { context: { targetingKey: 'u1', plan: 'pro' } });
    const update = (await sub.nextData()).evaluationsChanged;
    expect(update.changedKeys).toEqual([]);
    expect(update.snapshotVersion).toBe(gw.gateway.engine.version);
    const byKey = new Map(update.evaluations.map((evaluation) => [evaluation.key, evaluation]));
    expect(byKey.get(key('init-a'))).toMatchObject({
      value: true,
      variation: 'on',
      reason: 'TARGETING_MATCH',
      ruleId: 'pro',
    });
    expect(byKey.get(key('init-b'))).toMatchObject({ value: true, variation: 'on', reason: 'TARGETING_MATCH' });
    // every active flag of the environment is in it
    const all = (
      await admin.run<{ evaluateAll: Array<{ key: string }> }>(
        `query ($c: JSON!) { evaluateAll(context: $c, environment: "production") { key } }`,
        { c: { targetingKey: 'u1', plan: 'pro' } },
      )
    ).evaluateAll;
    expect(update.evaluations.map((evaluation) => evaluation.key).sort()).toEqual(
      all.map((evaluation) => evaluation.key).sort(),
    );
  });

  it('limits the first message to `keys`, an unknown key reported as FLAG_NOT_FOUND', async () => {
    await proFlag(key('keys-a'));
    await proFlag(key('keys-b'));
    const sub = await clients.evaluations(transport, keys.evalProd, {
      context: { targetingKey: 'u2' },
      keys: [key('keys-b'), 'no-such-flag'],
    });
    const update = (await sub.nextData()).evaluationsChanged;
    expect(update.evaluations.map((evaluation) => evaluation.key).sort()).toEqual(
      [key('keys-b'), 'no-such-flag'].sort(),
    );
    expect(update.evaluations.find((evaluation) => evaluation.key === 'no-such-flag')).toMatchObject({
      reason: 'ERROR',
      errorCode: 'FLAG_NOT_FOUND',
    });
    expect(update.evaluations.find((evaluation) => evaluation.key === key('keys-b'))).toMatchObject({
      value: false,
      reason: 'DEFAULT',
    });
  });

  it('accepts an admin key naming an environment, and a staging evaluation key in staging', async () => {
    await proFlag(key('envs'));
    const asAdmin = await clients.evaluations(transport, gw.adminKey, {
      context: { targetingKey: 'u3' },
      keys: [key('envs')],
      environment: STAGING,
    });
    const asStaging = await clients.evaluations(transport, keys.evalStaging, {
      context: { targetingKey: 'u3' },
      keys: [key('envs')],
      environment: STAGING,
    });
    for (const sub of [asAdmin, asStaging])
      expect(first((await sub.nextData()).evaluationsChanged.evaluations)).toMatchObject({
        key: key('envs'),
        value: true,
        reason: 'DEFAULT',
      });
  });

  it('delivers a change that alters the value, with only the changed flags', async () => {
    await proFlag(key('change-a'));
    await proFlag(key('change-b'));
    const sub = await clients.evaluations(transport, keys.evalProd, { context: { targetingKey: 'u4', plan: 'pro' } });
    const initial = (await sub.nextData()).evaluationsChanged;
    await admin.toggle(key('change-a'), PROD, false);
    const update = (await sub.nextData()).evaluationsChanged;
    expect(update.changedKeys).toEqual([key('change-a')]);
    expect(update.evaluations).toEqual([
      expect.objectContaining({ key: key('change-a'), value: false, variation: 'off', reason: 'DISABLED' }),
    ]);
    expect(update.snapshotVersion).toBeGreaterThan(initial.snapshotVersion);
    expect(update.snapshotVersion).toBe(gw.gateway.engine.version);
  });

  it('does not deliver changes that leave the context alone: the next message is the next change that does', async () => {
    const flag = key('quiet');
    await proFlag(flag);
    const free = await clients.evaluations(transport, keys.evalProd, {
      context: { targetingKey: 'free-user', plan: 'free' },
      keys: [flag],
    });
    const enterprise = await clients.evaluations(transport, keys.evalProd, {
      context: { targetingKey: 'ent-user', plan: 'enterprise' },
      keys: [flag],
    });
    expect(first((await free.nextData()).evaluationsChanged.evaluations)).toMatchObject({
      value: false,
      reason: 'DEFAULT',
    });
    expect(first((await enterprise.nextData()).evaluationsChanged.evaluations)).toMatchObject({
      value: false,
      reason: 'DEFAULT',
    });

    // 1. a rule edit that moves enterprise users only
    await admin.setEnvironment(
      flag,
      PROD,
      serveAll('off', [
        { id: 'pro', condition: 'plan == "pro"', serve: { variation: 'on' } },
        { id: 'ent', condition: 'plan == "enterprise"', serve: { variation: 'on' } },
      ]),
    );
    // 2. a change in another environment
    await admin.toggle(flag, STAGING, false);
    // 3. a rule edit in another environment
    await admin.setEnvironment(
      flag,
      STAGING,
      serveAll('off', [{ id: 'free', condition: 'plan == "free"', serve: { variation: 'on' } }]),
    );
    // 4. descriptive fields only
    await admin.updateFlag(flag, { description: 'new words', tags: ['quiet'] });
    // 5. the change that does reach the free user: off → same value and variation, but reason DISABLED
    await admin.toggle(flag, PROD, false);

    const next = (await free.nextData()).evaluationsChanged;
    expect(next.changedKeys).toEqual([flag]);
    expect(first(next.evaluations)).toMatchObject({ value: false, variation: 'off', reason: 'DISABLED' });
    // the enterprise user heard of the rule edit (so it was committed and processed), then of the toggle
    expect(first((await enterprise.nextData()).evaluationsChanged.evaluations)).toMatchObject({
      value: true,
      reason: 'TARGETING_MATCH',
      ruleId: 'ent',
    });
    expect(first((await enterprise.nextData()).evaluationsChanged.evaluations)).toMatchObject({
      value: false,
      reason: 'DISABLED',
    });
    expect(free.inbox.unread()).toEqual([]);
    expect(free.messages).toHaveLength(2);
  });

  it('a rollout step notifies only the contexts it moves', async () => {
    const flag = key('rollout');
    const salt = `salt-${flag}`;
    const rollout = (percent: number) => ({
      on: true,
      offVariation: 'off',
      defaultServe: {
        rollout: {
          weights: [
            { variation: 'on', weight: percent * 1000 },
            { variation: 'off', weight: 100_000 - percent * 1000 },
          ],
        },
      },
    });
    await admin.createFlag({ ...booleanFlag(flag), salt, environments: [{ environment: PROD, config: rollout(10) }] });
    const candidates = Array.from({ length: 400 }, (_, index) => `r-${transport}-${index}`);
    const inTen = candidates.find((user) => bucketIndex(salt, user) < 10_000)!;
    const between = candidates.find((user) => bucketIndex(salt, user) >= 10_000 && bucketIndex(salt, user) < 20_000)!;
    const outside = candidates.find((user) => bucketIndex(salt, user) >= 20_000)!;
    const subs = Object.fromEntries(
      await Promise.all(
        Object.entries({ inTen, between, outside }).map(
          async ([name, user]) =>
            [
              name,
              await clients.evaluations(transport, keys.evalProd, { context: { targetingKey: user }, keys: [flag] }),
            ] as const,
        ),
      ),
    );
    const initial = async (name: string) => first((await subs[name]!.nextData()).evaluationsChanged.evaluations);
    expect(await initial('inTen')).toMatchObject({ value: true, reason: 'SPLIT' });
    expect(await initial('between')).toMatchObject({ value: false, reason: 'SPLIT' });
    expect(await initial('outside')).toMatchObject({ value: false, reason: 'SPLIT' });

    await admin.setEnvironment(flag, PROD, rollout(20));
    expect(first((await subs.between!.nextData()).evaluationsChanged.evaluations)).toMatchObject({
      value: true,
      reason: 'SPLIT',
    });

    // nobody else moved: the next message of the others is the kill switch
    await admin.toggle(flag, PROD, false);
    for (const name of ['inTen', 'outside']) {
      const update = (await subs[name]!.nextData()).evaluationsChanged;
      expect(first(update.evaluations)).toMatchObject({ reason: 'DISABLED' });
      expect(subs[name]!.messages).toHaveLength(2);
    }
  });

  it('a segment change reaches the contexts it moves, and only those', async () => {
    const segment = key('seg');
    const flag = key('seg-flag');
    await admin.createSegment({ key: segment, environment: PROD, included: [] });
    await admin.createFlag({
      ...booleanFlag(flag),
      environments: [
        {
          environment: PROD,
          config: serveAll('off', [{ id: 'in-seg', condition: `segment("${segment}")`, serve: { variation: 'on' } }]),
        },
      ],
    });
    // a staging segment with the same key, used by nothing in production
    await admin.createSegment({ key: segment, environment: STAGING, included: [] });
    const [a, b] = await Promise.all(
      ['seg-a', 'seg-b'].map((user) =>
        clients.evaluations(transport, keys.evalProd, { context: { targetingKey: user }, keys: [flag] }),
      ),
    );
    for (const sub of [a!, b!])
      expect(first((await sub.nextData()).evaluationsChanged.evaluations)).toMatchObject({
        value: false,
        reason: 'DEFAULT',
      });

    await admin.updateSegment(PROD, segment, { included: ['seg-a'] });
    expect(first((await a!.nextData()).evaluationsChanged.evaluations)).toMatchObject({
      key: flag,
      value: true,
      reason: 'TARGETING_MATCH',
      ruleId: 'in-seg',
    });

    await admin.updateSegment(STAGING, segment, { included: ['seg-a', 'seg-b'] }); // another environment: nothing
    await admin.updateSegment(PROD, segment, { included: ['seg-a', 'seg-b'] }); // moves b only
    expect(first((await b!.nextData()).evaluationsChanged.evaluations)).toMatchObject({
      value: true,
      reason: 'TARGETING_MATCH',
    });

    await admin.updateSegment(PROD, segment, { included: [] }); // moves both
    expect(first((await a!.nextData()).evaluationsChanged.evaluations)).toMatchObject({
      value: false,
      reason: 'DEFAULT',
    });
    expect(first((await b!.nextData()).evaluationsChanged.evaluations)).toMatchObject({
      value: false,
      reason: 'DEFAULT',
    });
    expect(a!.messages).toHaveLength(3);
    expect(b!.messages).toHaveLength(3);
  });

  it('a prerequisite change reaches the subscribers of its dependents', async () => {
    const parent = key('parent');
    const child = key('child');
    await proFlag(parent);
    await admin.createFlag(followerFlag(child, parent));
    const onlyChild = await clients.evaluations(transport, keys.evalProd, {
      context: { targetingKey: 'p1', plan: 'pro' },
      keys: [child],
    });
    const both = await clients.evaluations(transport, keys.evalProd, {
      context: { targetingKey: 'p1', plan: 'pro' },
      keys: [parent, child],
    });
    expect(valuesOf((await onlyChild.nextData()).evaluationsChanged)).toEqual({ [child]: true });
    expect(valuesOf((await both.nextData()).evaluationsChanged)).toEqual({ [parent]: true, [child]: true });

    await admin.toggle(parent, PROD, false);
    const childOnly = (await onlyChild.nextData()).evaluationsChanged;
    expect(childOnly.changedKeys).toEqual([child]);
    expect(first(childOnly.evaluations)).toMatchObject({ key: child, value: false, reason: 'DEFAULT' });
    const update = (await both.nextData()).evaluationsChanged;
    expect([...update.changedKeys].sort()).toEqual([child, parent].sort());
    expect(valuesOf(update)).toEqual({ [parent]: false, [child]: false });
  });

  it('reports a flag created, archived and restored', async () => {
    const flag = key('lifecycle');
    const sub = await clients.evaluations(transport, gw.adminKey, {
      context: { targetingKey: 'l1', plan: 'pro' },
      environment: PROD,
    });
    expect((await sub.nextData()).evaluationsChanged.evaluations.map((evaluation) => evaluation.key)).not.toContain(
      flag,
    );
    await proFlag(flag);
    const created = (await sub.nextData()).evaluationsChanged;
    expect(created.changedKeys).toEqual([flag]);
    expect(first(created.evaluations)).toMatchObject({
      key: flag,
      value: true,
      reason: 'TARGETING_MATCH',
      flagVersion: 1,
    });
    await admin.archive(flag);
    expect(first((await sub.nextData()).evaluationsChanged.evaluations)).toMatchObject({
      key: flag,
      reason: 'ERROR',
      errorCode: 'FLAG_NOT_FOUND',
    });
    await admin.restore(flag);
    expect(first((await sub.nextData()).evaluationsChanged.evaluations)).toMatchObject({
      key: flag,
      value: true,
      reason: 'TARGETING_MATCH',
    });
  });

  it('a subscriber with `keys` hears only of those flags', async () => {
    await proFlag(key('watched'));
    await proFlag(key('ignored'));
    const sub = await clients.evaluations(transport, keys.evalProd, {
      context: { targetingKey: 'k1', plan: 'pro' },
      keys: [key('watched')],
    });
    await sub.nextData();
    await admin.toggle(key('ignored'), PROD, false);
    await admin.toggle(key('watched'), PROD, false);
    expect((await sub.nextData()).evaluationsChanged.changedKeys).toEqual([key('watched')]);
    expect(sub.messages).toHaveLength(2);
  });
});

describe('evaluationsChanged: one evaluation per distinct context and change', () => {
  it('re-evaluates each distinct context once per change, only for the touched flags, whatever the number of subscribers and transports', async () => {
    const touchedFlag = 'shared-touched';
    await proFlag(touchedFlag);
    await proFlag('shared-untouched');
    const pro = { targetingKey: 'shared-pro', plan: 'pro' };
    const free = { targetingKey: 'shared-free', plan: 'free' };
    const subs = [
      await clients.evaluations('ws', keys.evalProd, { context: pro }),
      await clients.evaluations('sse', keys.evalProd, { context: { plan: 'pro', targetingKey: 'shared-pro' } }), // same context, other key order
      await clients.evaluations('sse-fetch', keys.evalProd, { context: pro }),
      await clients.evaluations('ws', gw.adminKey, { context: pro, environment: PROD }),
      await clients.evaluations('ws', keys.evalProd, { context: free }),
      await clients.evaluations('sse', keys.evalProd, { context: free }),
    ];
    for (const sub of subs) await sub.nextData();
    expect(gw.gateway.live.evaluations.size).toBe(6);
    expect(gw.gateway.live.evaluations.distinctContexts).toBe(2);

    const evaluate = vi.spyOn(gw.gateway.engine, 'evaluate');
    try {
      await admin.toggle(touchedFlag, PROD, false);
      const proUpdates = await Promise.all(
        subs.slice(0, 4).map(async (sub) => (await sub.nextData()).evaluationsChanged),
      );
      const freeUpdates = await Promise.all(
        subs.slice(4).map(async (sub) => (await sub.nextData()).evaluationsChanged),
      );
      for (const update of proUpdates)
        expect(update.evaluations).toEqual([
          expect.objectContaining({ key: touchedFlag, value: false, reason: 'DISABLED' }),
        ]);
      for (const update of freeUpdates)
        expect(update.evaluations).toEqual([
          expect.objectContaining({ key: touchedFlag, value: false, reason: 'DISABLED' }),
        ]);
      const calls = evaluate.mock.calls.map(
        ([flagKey, context, options]) => `${options.environment}/${flagKey}/${stableKey(context)}`,
      );
      expect(calls.sort()).toEqual(
        [`${PROD}/${touchedFlag}/${stableKey(free)}`, `${PROD}/${touchedFlag}/${stableKey(pro)}`].sort(),
      );
    } finally {
      evaluate.mockRestore();
    }
  });
});
