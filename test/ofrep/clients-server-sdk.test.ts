/**
 * The official OpenFeature server SDK with the registry's OFREP provider (@openfeature/ofrep-provider
 * 0.1.3, on @openfeature/ofrep-core 0.1.x) against the real gateway: every value type, every reason,
 * every error code the protocol lets a server answer, 401/403, and 429 pausing the provider.
 */
import { OFREPProvider } from '@openfeature/ofrep-provider';
import { type Client, type EvaluationContext, OpenFeature } from '@openfeature/server-sdk';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
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
import { standardKeys, startTestGateway, type TestGateway } from '../support/gateway.js';

vi.mock('graphql', async () => (await import('node:module')).createRequire(import.meta.url)('graphql'));

let gw: TestGateway;
let keys: Awaited<ReturnType<typeof standardKeys>>;
let limited: TestGateway;
let limitedKey: string;

/** A client of its own domain, its provider calling `baseUrl` with `secret`; `statuses` collects HTTP statuses seen. */
async function clientFor(domain: string, baseUrl: string, secret: string, statuses: number[] = []): Promise<Client> {
  const fetchImplementation = async (input: RequestInfo | URL, init?: RequestInit) => {
    const response = await fetch(input, init);
    statuses.push(response.status);
    return response;
  };
  await OpenFeature.setProviderAndWait(
    domain,
    new OFREPProvider({ baseUrl, headers: [['Authorization', `Bearer ${secret}`]], fetchImplementation }),
  );
  return OpenFeature.getClient(domain);
}

beforeAll(async () => {
  gw = await startTestGateway({ seed: false });
  keys = await standardKeys(gw);
  await createOfrepFlags(gw);
  ({ gateway: limited, secret: limitedKey } = await startRateLimitedGateway());
});

afterAll(async () => {
  await OpenFeature.close();
  await gw?.stop();
  await limited?.stop();
});

const pro: EvaluationContext = { targetingKey: 'u1', plan: 'pro' };

describe('@openfeature/server-sdk + @openfeature/ofrep-provider', () => {
  it('evaluates boolean, string, number and object flags with their reasons, variants and rule id', async () => {
    const client = await clientFor('values', gw.url, keys.evalProd);
    expect(await client.getBooleanDetails(BOOL, false, pro)).toMatchObject({
      value: true,
      reason: 'TARGETING_MATCH',
      variant: 'on',
      flagMetadata: { ruleId: 'pro' },
    });
    expect(await client.getBooleanDetails(BOOL, true, { targetingKey: 'u1' })).toMatchObject({
      value: false,
      reason: 'DEFAULT',
      variant: 'off',
    });
    expect(await client.getBooleanDetails(DISABLED, true, pro)).toMatchObject({ value: false, reason: 'DISABLED' });
    const split = await client.getStringDetails(STRING, 'none', { targetingKey: 'u1', userId: 'user-7' });
    expect(split).toMatchObject({ reason: 'SPLIT' });
    expect(['blue', 'green']).toContain(split.value);
    expect(await client.getNumberDetails(NUMBER, 0, pro)).toMatchObject({
      value: 1.5,
      variant: 'low',
      reason: 'DEFAULT',
    });
    expect(await client.getObjectDetails(OBJECT, {}, pro)).toMatchObject({
      value: { theme: 'dark', size: 3 },
      variant: 'dark',
    });
  });

  it('turns every error the server answers into its OpenFeature error code and the default value', async () => {
    const client = await clientFor('errors', gw.url, keys.evalProd);
    expect(await client.getBooleanDetails(MISSING, true, pro)).toMatchObject({
      value: true,
      reason: 'ERROR',
      errorCode: 'FLAG_NOT_FOUND',
    });
    expect(await client.getStringDetails(STRING, 'none', { targetingKey: 'u1' })).toMatchObject({
      value: 'none',
      errorCode: 'TARGETING_KEY_MISSING',
    });
    expect(
      await client.getBooleanDetails(BOOL, true, { targetingKey: 'u1', blob: 'x'.repeat(40 * 1024) }),
    ).toMatchObject({ value: true, errorCode: 'INVALID_CONTEXT' });
    // OFREP requests carry no type: the provider compares the value's type with the default's.
    expect(await client.getBooleanDetails(NUMBER, true, pro)).toMatchObject({
      value: true,
      errorCode: 'TYPE_MISMATCH',
    });
  });

  it('answers GENERAL for a key the server refuses (401 unknown, 403 not an evaluation key)', async () => {
    for (const secret of ['vxl_eval_unknown', keys.readOnly]) {
      const statuses: number[] = [];
      const client = await clientFor(`refused-${secret.length}`, gw.url, secret, statuses);
      expect(await client.getBooleanDetails(BOOL, true, pro)).toMatchObject({
        value: true,
        reason: 'ERROR',
        errorCode: 'GENERAL',
      });
      expect(statuses).toEqual([secret === keys.readOnly ? 403 : 401]);
    }
  });

  it('pauses after a 429 until Retry-After has passed, without calling the server', async () => {
    const statuses: number[] = [];
    const client = await clientFor('limited', limited.url, limitedKey, statuses);
    expect((await client.getBooleanDetails(BOOL, false, pro)).value).toBe(true);
    expect(await client.getBooleanDetails(BOOL, false, pro)).toMatchObject({ value: false, errorCode: 'GENERAL' });
    const paused = await client.getBooleanDetails(BOOL, false, pro);
    expect(paused).toMatchObject({
      value: false,
      errorCode: 'GENERAL',
      errorMessage: expect.stringMatching(/TooManyRequests/),
    });
    expect(statuses).toEqual([200, 429]);
  });
});
