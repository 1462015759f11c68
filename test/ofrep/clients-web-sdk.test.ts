/**
 * The official OpenFeature web SDK with @openfeature/ofrep-web-provider (0.4.3, on ofrep-core 2.x)
 * against the real gateway: bulk evaluation of every value type, per-flag errors, polling with ETag
 * and 304, configuration-changed events exactly when this context's evaluations change, 400, 401,
 * 403 and 429.
 * The provider runs in Node (its cache off; it needs no DOM then), calling the server with real fetch.
 */
import { OFREPWebProvider } from '@openfeature/ofrep-web-provider';
import { type Client, type EvaluationContext, OpenFeature, ProviderEvents } from '@openfeature/web-sdk';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { SetFlagEnvironmentDocument, ToggleFlagDocument } from '../../src/client/generated/graphql.js';
import { PROD, serveAll, STAGING } from '../fixtures/gateway/flags.js';
import {
  BOOL,
  createOfrepFlags,
  DISABLED,
  MISSING,
  NUMBER,
  OBJECT,
  STRING,
  startRateLimitedGateway,
} from '../fixtures/gateway/ofrep-flags.js';
import { dataOf, standardKeys, startTestGateway, type TestGateway } from '../support/gateway.js';

vi.mock('graphql', async () => (await import('node:module')).createRequire(import.meta.url)('graphql'));

let gw: TestGateway;
let keys: Awaited<ReturnType<typeof standardKeys>>;

interface Seen {
  status: number;
  ifNoneMatch: string | null;
  at: number;
}

function providerFor(baseUrl: string, secret: string, seen: Seen[] = [], pollInterval = 100): OFREPWebProvider {
  const fetchImplementation = async (input: RequestInfo | URL, init?: RequestInit) => {
    const ifNoneMatch = input instanceof Request ? input.headers.get('if-none-match') : null;
    const response = await fetch(input, init);
    seen.push({ status: response.status, ifNoneMatch, at: Date.now() });
    return response;
  };
  return new OFREPWebProvider({
    baseUrl,
    headers: [['Authorization', `Bearer ${secret}`]],
    fetchImplementation,
    pollInterval,
    changeDetection: 'polling',
    cacheMode: 'disabled',
    disableVisibilityRefresh: true,
  });
}

async function clientFor(domain: string, provider: OFREPWebProvider, context: EvaluationContext): Promise<Client> {
  await OpenFeature.setProviderAndWait(domain, provider, context);
  return OpenFeature.getClient(domain);
}

beforeAll(async () => {
  gw = await startTestGateway({ seed: false });
  keys = await standardKeys(gw);
  await createOfrepFlags(gw);
});

afterAll(async () => {
  await OpenFeature.close();
  await gw?.stop();
});

const pro: EvaluationContext = { targetingKey: 'u1', plan: 'pro' };

describe('@openfeature/web-sdk + @openfeature/ofrep-web-provider', () => {
  it('evaluates boolean, string, number and object flags from one bulk request', async () => {
    const client = await clientFor('values', providerFor(gw.url, keys.evalProd, [], 0), { ...pro, userId: 'user-7' });
    expect(client.getBooleanDetails(BOOL, false)).toMatchObject({
      value: true,
      reason: 'TARGETING_MATCH',
      variant: 'on',
      flagMetadata: { ruleId: 'pro' },
    });
    expect(client.getBooleanDetails(DISABLED, true)).toMatchObject({ value: false, reason: 'DISABLED' });
    expect(client.getStringDetails(STRING, 'none')).toMatchObject({
      reason: 'SPLIT',
      value: expect.stringMatching(/^(blue|green)$/),
    });
    expect(client.getNumberDetails(NUMBER, 0)).toMatchObject({ value: 1.5, reason: 'DEFAULT' });
    expect(client.getObjectDetails(OBJECT, {})).toMatchObject({ value: { theme: 'dark', size: 3 } });
  });

  it('gives per-flag errors their OpenFeature codes', async () => {
    const client = await clientFor('errors', providerFor(gw.url, keys.evalProd, [], 0), pro);
    expect(client.getStringDetails(STRING, 'none')).toMatchObject({
      value: 'none',
      reason: 'ERROR',
      errorCode: 'TARGETING_KEY_MISSING',
    });
    expect(client.getBooleanDetails(MISSING, true)).toMatchObject({ value: true, errorCode: 'FLAG_NOT_FOUND' });
    expect(client.getBooleanDetails(NUMBER, true)).toMatchObject({ value: true, errorCode: 'TYPE_MISMATCH' });
  });

  it('polls with If-None-Match, gets 304 while nothing changes, and emits ConfigurationChanged exactly on a change', async () => {
    const seen: Seen[] = [];
    const client = await clientFor('polling', providerFor(gw.url, keys.evalProd, seen), pro);
    const changes: Array<string[] | undefined> = [];
    client.addHandler(ProviderEvents.ConfigurationChanged, (details) => changes.push(details?.flagsChanged));
    await vi.waitFor(() => expect(seen.filter((request) => request.status === 304).length).toBeGreaterThanOrEqual(2), {
      timeout: 5000,
    });
    expect(seen[0]).toMatchObject({ status: 200, ifNoneMatch: null });
    expect(seen[1]!.ifNoneMatch).toMatch(/^"[\w-]+"$/);

    // Another flag's other environment: the snapshot changes, this context's evaluations do not.
    dataOf(
      await gw.gql(SetFlagEnvironmentDocument, {
        key: OBJECT,
        environment: STAGING,
        expectedVersion: 1,
        config: serveAll('light', [], 'dark'),
      }),
    );
    const afterUnrelated = seen.length;
    await vi.waitFor(() => expect(seen.length).toBeGreaterThanOrEqual(afterUnrelated + 2), { timeout: 5000 });
    expect(seen.slice(afterUnrelated).every((request) => request.status === 304)).toBe(true);
    expect(changes).toEqual([]);

    dataOf(await gw.gql(ToggleFlagDocument, { key: DISABLED, environment: PROD, on: true }));
    await vi.waitFor(() => expect(changes).toEqual([[DISABLED]]), { timeout: 5000 });
    expect(client.getBooleanDetails(DISABLED, false)).toMatchObject({ value: true, reason: 'DEFAULT' });
    dataOf(await gw.gql(ToggleFlagDocument, { key: DISABLED, environment: PROD, on: false }));
    await vi.waitFor(() => expect(changes).toEqual([[DISABLED], [DISABLED]]), { timeout: 5000 });
  });

  it('re-evaluates on a context change', async () => {
    const client = await clientFor('context', providerFor(gw.url, keys.evalProd, [], 0), pro);
    await OpenFeature.setContext('context', { targetingKey: 'u1', plan: 'free' });
    expect(client.getBooleanDetails(BOOL, true)).toMatchObject({ value: false, reason: 'DEFAULT' });
  });

  it('reports a context the server refuses (400 INVALID_CONTEXT) as the provider does', async () => {
    const seen: Seen[] = [];
    const domain = 'invalid-context';
    const attempt = await OpenFeature.setProviderAndWait(domain, providerFor(gw.url, keys.evalProd, seen, 0), {
      targetingKey: 'u1',
      blob: 'x'.repeat(40 * 1024),
    }).then(
      () => 'ok',
      (error: Error) => `${error.name}: ${error.message}`,
    );
    // The server answers {errorCode: INVALID_CONTEXT} (protocol.test.ts); this provider version turns
    // any bulk status but 200 and 304 into a GeneralError naming the status, and serves defaults.
    expect(attempt).toBe('GeneralError: Failed OFREP bulk evaluation request, status: 400');
    expect(seen.map((request) => request.status)).toEqual([400]);
    expect(OpenFeature.getClient(domain).getBooleanDetails(BOOL, true)).toMatchObject({ value: true, reason: 'ERROR' });
  });

  it('fails initialisation for good on 401 and 403 (PROVIDER_FATAL)', async () => {
    for (const secret of ['vxl_eval_unknown', keys.admin]) {
      const seen: Seen[] = [];
      const domain = `refused-${secret.length}`;
      await expect(OpenFeature.setProviderAndWait(domain, providerFor(gw.url, secret, seen, 0), pro)).rejects.toThrow();
      expect(OpenFeature.getClient(domain).getBooleanDetails(BOOL, true)).toMatchObject({
        value: true,
        errorCode: 'PROVIDER_FATAL',
      });
      expect(seen.map((request) => request.status)).toEqual([secret === keys.admin ? 403 : 401]);
    }
  });
});

describe('rate limit', () => {
  let limited: TestGateway;
  let secret: string;

  beforeAll(async () => {
    ({ gateway: limited, secret } = await startRateLimitedGateway());
  });

  afterAll(async () => {
    await limited?.stop();
  });

  it('marks the flags stale on 429 and waits out Retry-After before polling again', async () => {
    const seen: Seen[] = [];
    const client = await clientFor('limited', providerFor(limited.url, secret, seen, 50), pro);
    let stale = 0;
    client.addHandler(ProviderEvents.Stale, () => stale++);
    await vi.waitFor(() => expect(seen.filter((request) => request.status !== 429).length).toBeGreaterThanOrEqual(2), {
      timeout: 8000,
    });
    const refused = seen.findIndex((request) => request.status === 429);
    expect(refused).toBeGreaterThan(0);
    expect(stale).toBeGreaterThanOrEqual(1);
    // Polling every 50 ms, but nothing is sent until the second Retry-After named has passed.
    expect(seen[refused + 1]!.at - seen[refused]!.at).toBeGreaterThanOrEqual(900);
    expect(client.getBooleanDetails(BOOL, false).value).toBe(true);
  });
});
