/**
 * `flagChanged` end to end over graphql-ws, graphql-sse and a raw fetch reader: every committed change
 * of a flag or segment in scope, with its key, kind, new version, actor and time; `keys` and
 * `environment` narrow the scope. Admin and read-only keys only.
 */
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { booleanFlag, PROD, STAGING } from '../fixtures/gateway/flags.js';
import { startTestGateway, type TestGateway } from '../support/gateway.js';
import { Admin, eventually, type FlagChangeMessage, LiveClients, transports } from '../support/live-clients.js';

let gw: TestGateway;
let admin: Admin;
let readOnly: { secret: string; id: string; name: string };
let adminKeyId: string;
const clients = new LiveClients(() => gw.endpoint);

beforeAll(async () => {
  gw = await startTestGateway({ seed: false });
  admin = new Admin(gw.endpoint, gw.adminKey);
  readOnly = await admin.createKey('READ_ONLY', undefined, 'watcher');
  adminKeyId = gw.gateway.keys.authenticate(gw.adminKey)!.keyId;
});

afterEach(async () => {
  await clients.closeAll();
  await eventually(
    () => gw.gateway.live.flagChanges.size === 0,
    'the flagChanged hub to be empty after the clients closed',
  );
});

afterAll(async () => {
  await gw?.stop();
});

describe.each(transports)('flagChanged over %s', (transport) => {
  const key = (name: string) => `${name}-${transport}`;
  /** flagChanged only sends once a change happens: wait until the server holds the subscription. */
  const watch = async (secret: string, variables: { keys?: string[]; environment?: string } = {}, expected = 1) => {
    const before = gw.gateway.live.flagChanges.size;
    const sub = await clients.flagChanges(transport, secret, variables);
    await eventually(
      () => gw.gateway.live.flagChanges.size >= before + expected,
      'the flagChanged subscription to be registered',
    );
    return sub;
  };
  const next = async (sub: Awaited<ReturnType<typeof watch>>): Promise<FlagChangeMessage> =>
    (await sub.nextData()).flagChanged;

  it('reports every change of a flag with its kind, version, actor and time (read-only key)', async () => {
    const flag = key('lifecycle');
    const sub = await watch(readOnly.secret, { keys: [flag] });
    const started = Date.now();
    await admin.createFlag(booleanFlag(flag) as unknown as Record<string, unknown>);
    await admin.toggle(flag, PROD, false);
    await admin.setEnvironment(flag, STAGING, { on: true, offVariation: 'off', defaultServe: { variation: 'off' } });
    await admin.archive(flag);
    await admin.restore(flag);
    await admin.deleteFlag(flag);
    const changes: FlagChangeMessage[] = [];
    for (let index = 0; index < 6; index++) changes.push(await next(sub));
    expect(changes.map((change) => [change.kind, change.version])).toEqual([
      ['create', 1],
      ['toggle', 2],
      ['update', 3],
      ['archive', 4],
      ['restore', 5],
      ['delete', 6],
    ]);
    for (const change of changes) {
      expect(change).toMatchObject({
        key: flag,
        documentKind: 'flag',
        environment: null,
        actor: expect.stringContaining(adminKeyId),
      });
      expect(Date.parse(change.at)).toBeGreaterThanOrEqual(started - 1000);
      expect(Date.parse(change.at)).toBeLessThanOrEqual(Date.now() + 1000);
    }
  });

  it('reports segment changes with their environment, and narrows by environment and keys (admin key)', async () => {
    const segment = key('seg');
    const inProduction = await watch(gw.adminKey, { environment: PROD, keys: [segment] });
    const inStaging = await watch(gw.adminKey, { environment: STAGING, keys: [segment] });
    const everything = await watch(gw.adminKey);
    await admin.createSegment({ key: segment, environment: STAGING, included: ['a'] });
    await admin.createSegment({ key: segment, environment: PROD, included: ['a'] });
    await admin.updateSegment(PROD, segment, { included: ['a', 'b'] });
    await admin.createSegment({ key: key('other-seg'), environment: PROD, included: [] });
    await admin.deleteSegment(PROD, segment);

    const production: FlagChangeMessage[] = [];
    for (let index = 0; index < 3; index++) production.push(await next(inProduction));
    expect(production.map((change) => [change.kind, change.environment, change.version, change.documentKind])).toEqual([
      ['create', PROD, 1, 'segment'],
      ['update', PROD, 2, 'segment'],
      ['delete', PROD, 3, 'segment'],
    ]);
    expect((await next(inStaging)).environment).toBe(STAGING);
    const all: FlagChangeMessage[] = [];
    for (let index = 0; index < 5; index++) all.push(await next(everything));
    expect(all.map((change) => `${change.environment}/${change.key}/${change.kind}`)).toEqual([
      `${STAGING}/${segment}/create`,
      `${PROD}/${segment}/create`,
      `${PROD}/${segment}/update`,
      `${PROD}/${key('other-seg')}/create`,
      `${PROD}/${segment}/delete`,
    ]);
    // nothing else reached the narrowed watchers: the next change they hear of is this one
    await admin.createSegment({ key: segment, environment: PROD, included: [] });
    expect(await next(inProduction)).toMatchObject({ key: segment, environment: PROD, kind: 'create' });
    expect(inStaging.messages).toHaveLength(1);
  });

  it('does not report API key or environment changes; the next message is the next flag change', async () => {
    const flag = key('after-noise');
    const sub = await watch(readOnly.secret);
    await admin.createKey('EVALUATION', PROD);
    await admin.run(`mutation ($key: String!) { createEnvironment(key: $key) { key } }`, { key: key('env') });
    await admin.createFlag(booleanFlag(flag) as unknown as Record<string, unknown>);
    expect(await next(sub)).toMatchObject({ key: flag, kind: 'create' });
    expect(sub.messages).toHaveLength(1);
  });
});
