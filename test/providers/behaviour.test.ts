/**
 * Vexil's own providers (server SDK and web SDK) against the real gateway, with the OFREP clients'
 * behaviour table: every value type with its reason, variant and rule id, and every error code the
 * gateway can answer, the same as test/ofrep/clients-*.test.ts expect of the official OFREP providers.
 */
import { OpenFeature as ServerFeature } from '@openfeature/server-sdk';
import { OpenFeature as WebFeature } from '@openfeature/web-sdk';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { BOOL, createOfrepFlags, DISABLED, MISSING, NUMBER, OBJECT, STRING } from '../fixtures/gateway/ofrep-flags.js';
import { standardKeys, startTestGateway, type TestGateway } from '../support/gateway.js';
import { paradigms, providerClient } from './support.js';

vi.mock('graphql', async () => (await import('node:module')).createRequire(import.meta.url)('graphql'));

let gw: TestGateway;
let keys: Awaited<ReturnType<typeof standardKeys>>;

beforeAll(async () => {
  gw = await startTestGateway({ seed: false });
  keys = await standardKeys(gw);
  await createOfrepFlags(gw);
});

afterAll(async () => {
  await ServerFeature.close();
  await WebFeature.close();
  await gw?.stop();
});

const pro = { targetingKey: 'u1', plan: 'pro' };

describe.each(paradigms)('the Vexil %s provider', (paradigm) => {
  const connect = (context: Record<string, unknown>, apiKey = keys.evalProd) =>
    providerClient(paradigm, { url: gw.url, apiKey }, context);

  it('evaluates boolean, string, number and object flags with their reasons, variants and rule id', async () => {
    const client = await connect(pro);
    expect(await client.details('boolean', BOOL, false)).toMatchObject({
      value: true,
      reason: 'TARGETING_MATCH',
      variant: 'on',
      flagMetadata: { ruleId: 'pro' },
    });
    expect(await client.details('boolean', DISABLED, true)).toMatchObject({ value: false, reason: 'DISABLED' });
    expect(await client.details('number', NUMBER, 0)).toMatchObject({ value: 1.5, variant: 'low', reason: 'DEFAULT' });
    expect(await client.details('object', OBJECT, {})).toMatchObject({
      value: { theme: 'dark', size: 3 },
      variant: 'dark',
    });
    const other = await connect({ targetingKey: 'u1' });
    expect(await other.details('boolean', BOOL, true)).toMatchObject({
      value: false,
      reason: 'DEFAULT',
      variant: 'off',
    });
    const split = await (await connect({ targetingKey: 'u1', userId: 'user-7' })).details('string', STRING, 'none');
    expect(split).toMatchObject({ reason: 'SPLIT' });
    expect(['blue', 'green']).toContain(split.value);
  });

  it('answers every evaluation error with its OpenFeature error code and the default value', async () => {
    const client = await connect(pro);
    expect(await client.details('boolean', MISSING, true)).toMatchObject({
      value: true,
      reason: 'ERROR',
      errorCode: 'FLAG_NOT_FOUND',
    });
    expect(await client.details('boolean', NUMBER, true)).toMatchObject({ value: true, errorCode: 'TYPE_MISMATCH' });
    expect(await client.details('string', BOOL, 'x')).toMatchObject({ value: 'x', errorCode: 'TYPE_MISMATCH' });
    const anonymous = await connect({ targetingKey: 'u1' });
    expect(await anonymous.details('string', STRING, 'none')).toMatchObject({
      value: 'none',
      errorCode: 'TARGETING_KEY_MISSING',
    });
  });

  it('answers INVALID_CONTEXT for a context the gateway refuses', async () => {
    const huge = { targetingKey: 'u1', blob: 'x'.repeat(40 * 1024) };
    if (paradigm === 'web') {
      // The web SDK's context is the provider's: refusing it fails the provider's start.
      await expect(connect(huge)).rejects.toThrow(/context/);
      return;
    }
    const client = await connect(huge);
    expect(await client.details('boolean', BOOL, true)).toMatchObject({
      value: true,
      reason: 'ERROR',
      errorCode: 'INVALID_CONTEXT',
    });
  });

  it('fails to start with a key the gateway refuses (unknown, or not an evaluation key)', async () => {
    for (const secret of ['vxl_eval_unknown', keys.readOnly]) await expect(connect(pro, secret)).rejects.toThrow();
  });
});
