/**
 * OFREP over HTTP against the real server: the documented bodies and status codes of both endpoints,
 * authentication, the bulk ETag and 304, limits and metrics. The official clients are in clients-*.
 */
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { SetFlagEnvironmentDocument, ToggleFlagDocument } from '../../src/client/generated/graphql.js';
import { generateSecret, hashSecret } from '../../src/server/api-keys.js';
import type { ChangeRecord } from '../../src/store/types.js';
import { serveAll, STAGING, PROD } from '../fixtures/gateway/flags.js';
import {
  BOOL,
  createOfrepFlags,
  DISABLED,
  MISSING,
  NUMBER,
  OBJECT,
  ofrepFlagKeys,
  STRING,
} from '../fixtures/gateway/ofrep-flags.js';
import { dataOf, standardKeys, startTestGateway, type TestGateway } from '../support/gateway.js';
import { ofrep } from './support.js';

vi.mock('graphql', async () => (await import('node:module')).createRequire(import.meta.url)('graphql'));

let gw: TestGateway;
let keys: Awaited<ReturnType<typeof standardKeys>>;

beforeAll(async () => {
  gw = await startTestGateway({ seed: false, config: { maxBodyBytes: 64 * 1024 } });
  keys = await standardKeys(gw);
  await createOfrepFlags(gw);
});

afterAll(async () => {
  await gw?.stop();
});

const single = (flag: string, request: Parameters<typeof ofrep>[2] = {}) =>
  ofrep(gw.url, `flags/${encodeURIComponent(flag)}`, { key: keys.evalProd, ...request });
const bulk = (request: Parameters<typeof ofrep>[2] = {}) => ofrep(gw.url, 'flags', { key: keys.evalProd, ...request });

describe('single evaluation', () => {
  it('answers a rule match with TARGETING_MATCH, the variant and the rule id in metadata', async () => {
    const response = await single(BOOL, { context: { targetingKey: 'u1', plan: 'pro' } });
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toMatch(/^application\/json/);
    expect(response.body).toEqual({
      key: BOOL,
      value: true,
      reason: 'TARGETING_MATCH',
      variant: 'on',
      metadata: { ruleId: 'pro' },
    });
  });

  it('answers DEFAULT, DISABLED and SPLIT with their values', async () => {
    expect((await single(BOOL, { context: { targetingKey: 'u1', plan: 'free' } })).body).toEqual({
      key: BOOL,
      value: false,
      reason: 'DEFAULT',
      variant: 'off',
      metadata: {},
    });
    expect((await single(DISABLED)).body).toEqual({
      key: DISABLED,
      value: false,
      reason: 'DISABLED',
      variant: 'off',
      metadata: {},
    });
    const split = await single(STRING, { context: { targetingKey: 'u1', userId: 'user-7' } });
    expect(split.body).toMatchObject({ key: STRING, reason: 'SPLIT' });
    expect(['blue', 'green']).toContain(split.body.value);
  });

  it('serves number and object values as JSON numbers and objects', async () => {
    expect((await single(NUMBER)).body).toMatchObject({ value: 1.5, variant: 'low', reason: 'DEFAULT' });
    expect((await single(OBJECT)).body).toMatchObject({ value: { theme: 'dark', size: 3 }, variant: 'dark' });
  });

  it('answers an unknown flag with 404 FLAG_NOT_FOUND', async () => {
    const response = await single(MISSING);
    expect(response.status).toBe(404);
    expect(response.body).toEqual({
      key: MISSING,
      errorCode: 'FLAG_NOT_FOUND',
      errorDetails: expect.stringContaining(MISSING),
    });
  });

  it('answers a rollout without its bucketing attribute with 400 TARGETING_KEY_MISSING', async () => {
    const response = await single(STRING, { context: { targetingKey: 'u1' } });
    expect(response.status).toBe(400);
    expect(response.body).toMatchObject({ key: STRING, errorCode: 'TARGETING_KEY_MISSING' });
  });

  it('answers a context that is not an object, or a body that is not JSON, with 400 INVALID_CONTEXT', async () => {
    for (const request of [{ context: 'user-1' }, { context: [1] }, { body: '{"context":' }, { body: '"text"' }]) {
      const response = await single(BOOL, request);
      expect(response.status).toBe(400);
      expect(response.body).toEqual({ key: BOOL, errorCode: 'INVALID_CONTEXT', errorDetails: expect.any(String) });
    }
  });

  it('evaluates a body without context, as flagd does, with an empty context', async () => {
    expect((await single(BOOL, { body: '{}' })).body).toMatchObject({ reason: 'DEFAULT', value: false });
    expect((await single(BOOL, { body: '' })).status).toBe(200);
  });

  it('answers a key whose environment no longer exists with 400 GENERAL', async () => {
    // The store refuses such keys; one can outlive its environment only in a hand-edited database, so
    // the record goes straight into the registry as the change feed would bring it.
    const secret = generateSecret('evaluation');
    const record = {
      id: 'key_orphan',
      name: 'orphan',
      kind: 'evaluation' as const,
      environment: 'nowhere',
      secretHash: hashSecret(secret),
      prefix: 'vxl_eval',
      createdAt: new Date().toISOString(),
      revokedAt: null,
      version: 1,
    };
    gw.gateway.keys.apply({
      ref: { kind: 'apiKey', key: record.id },
      before: null,
      after: record,
    } as unknown as ChangeRecord);
    const response = await single(BOOL, { key: secret });
    expect(response.status).toBe(400);
    expect(response.body).toMatchObject({
      key: BOOL,
      errorCode: 'GENERAL',
      errorDetails: expect.stringContaining('nowhere'),
    });
  });

  it('answers a context over 32 KiB with 400 INVALID_CONTEXT and a body over VEXIL_MAX_BODY_BYTES with 413', async () => {
    const big = await single(BOOL, { context: { targetingKey: 'u1', blob: 'x'.repeat(40 * 1024) } });
    expect(big.status).toBe(400);
    expect(big.body).toMatchObject({ errorCode: 'INVALID_CONTEXT' });
    expect((await single(BOOL, { context: { blob: 'x'.repeat(70 * 1024) } })).status).toBe(413);
  });
});

describe('authentication', () => {
  it('accepts the evaluation key as a bearer token or in X-API-Key', async () => {
    expect((await single(BOOL, { key: keys.evalProd, apiKeyHeader: true })).status).toBe(200);
    expect((await single(BOOL, { key: keys.evalStaging })).body).toMatchObject({ value: true, reason: 'DEFAULT' });
  });

  it('answers no key or an unknown key with 401, on both endpoints', async () => {
    for (const key of [null, 'vxl_eval_not-a-key']) {
      expect((await single(BOOL, { key })).status).toBe(401);
      expect((await bulk({ key })).status).toBe(401);
    }
  });

  it('answers admin and read-only keys with 403: OFREP evaluates in an evaluation key’s environment', async () => {
    for (const key of [keys.admin, keys.readOnly]) {
      const response = await single(BOOL, { key });
      expect(response.status).toBe(403);
      expect(response.body.errorDetails).toMatch(/evaluation key/);
      expect((await bulk({ key })).status).toBe(403);
    }
  });

  it('answers other methods with 405 and other paths under /ofrep with 404', async () => {
    expect((await single(BOOL, { method: 'GET' })).status).toBe(405);
    expect((await ofrep(gw.url, 'nothing', { key: keys.evalProd })).status).toBe(404);
  });

  it('answers a CORS preflight so the web provider can call from a page', async () => {
    const response = await fetch(`${gw.url}/ofrep/v1/evaluate/flags`, {
      method: 'OPTIONS',
      headers: {
        origin: 'http://app.example',
        'access-control-request-method': 'POST',
        'access-control-request-headers': 'authorization, content-type, if-none-match',
      },
    });
    expect(response.status).toBe(204);
    expect(response.headers.get('access-control-allow-headers')).toContain('if-none-match');
    expect((await bulk()).headers.get('access-control-expose-headers')).toContain('ETag');
  });
});

describe('bulk evaluation', () => {
  it('answers every active flag in key order, failures included as items', async () => {
    const response = await bulk({ context: { targetingKey: 'u1', plan: 'pro' } });
    expect(response.status).toBe(200);
    expect(response.body.flags.map((flag: { key: string }) => flag.key)).toEqual(ofrepFlagKeys);
    expect(response.body.flags).toContainEqual({
      key: BOOL,
      value: true,
      reason: 'TARGETING_MATCH',
      variant: 'on',
      metadata: { ruleId: 'pro' },
    });
    expect(response.body.flags).toContainEqual({
      key: STRING,
      errorCode: 'TARGETING_KEY_MISSING',
      errorDetails: expect.any(String),
    });
  });

  it('answers a context that is not an object with 400 INVALID_CONTEXT and no key', async () => {
    const response = await bulk({ context: 42 });
    expect(response.status).toBe(400);
    expect(response.body).toEqual({ errorCode: 'INVALID_CONTEXT', errorDetails: expect.any(String) });
  });

  it('tags the answer with an ETag and answers If-None-Match with 304 and no body', async () => {
    const first = await bulk();
    const etag = first.headers.get('etag')!;
    expect(etag).toMatch(/^"[\w-]+"$/);
    expect(first.headers.get('cache-control')).toBe('no-store');
    expect(first.headers.get('access-control-allow-origin')).toBe('*');
    const again = await bulk({ headers: { 'if-none-match': etag } });
    expect(again.status).toBe(304);
    expect(again.text).toBe('');
    expect(again.headers.get('etag')).toBe(etag);
    expect(again.headers.get('access-control-expose-headers')).toContain('ETag');
    expect((await bulk({ headers: { 'if-none-match': `"other", W/${etag}` } })).status).toBe(304);
  });

  it('gives each context its own ETag', async () => {
    const pro = (await bulk({ context: { targetingKey: 'u1', plan: 'pro' } })).headers.get('etag');
    const free = (await bulk({ context: { targetingKey: 'u1', plan: 'free' } })).headers.get('etag');
    expect(pro).not.toBe(free);
  });

  it('keeps the ETag when a change leaves this context’s evaluations alone (another flag’s other environment)', async () => {
    const context = { targetingKey: 'u1', plan: 'free' };
    const before = await bulk({ context });
    const version = gw.gateway.engine.version;
    dataOf(
      await gw.gql(SetFlagEnvironmentDocument, {
        key: OBJECT,
        environment: STAGING,
        expectedVersion: 1,
        config: serveAll('light', [], 'dark'),
      }),
    );
    expect(gw.gateway.engine.version).toBeGreaterThan(version);
    const after = await bulk({ context, headers: { 'if-none-match': before.headers.get('etag')! } });
    expect(after.status).toBe(304);
  });

  it('changes the ETag exactly when this context’s evaluations change', async () => {
    const context = { targetingKey: 'u1', plan: 'free' };
    const before = await bulk({ context });
    dataOf(await gw.gql(ToggleFlagDocument, { key: DISABLED, environment: PROD, on: true }));
    const after = await bulk({ context, headers: { 'if-none-match': before.headers.get('etag')! } });
    expect(after.status).toBe(200);
    expect(after.headers.get('etag')).not.toBe(before.headers.get('etag'));
    expect(after.body.flags).toContainEqual(expect.objectContaining({ key: DISABLED, value: true, reason: 'DEFAULT' }));
    dataOf(await gw.gql(ToggleFlagDocument, { key: DISABLED, environment: PROD, on: false }));
    expect((await bulk({ context, headers: { 'if-none-match': before.headers.get('etag')! } })).status).toBe(304);
  });
});

describe('usage and metrics', () => {
  it('counts OFREP evaluations in usage as GraphQL ones are counted, and HTTP metrics under route /ofrep', async () => {
    const evaluations = async () =>
      (await gw.gateway.metrics.registry.getSingleMetric('vexil_evaluations_total')!.get()).values
        .filter((value) => value.labels.flag === NUMBER)
        .reduce((sum, value) => sum + value.value, 0);
    const before = await evaluations();
    await single(NUMBER);
    await bulk();
    expect(await evaluations()).toBe(before + 2);
    const text = await (await fetch(`${gw.url}/metrics`)).text();
    expect(text).toMatch(/vexil_http_requests_total\{method="POST",route="\/ofrep",status="200"\} \d+/);
    expect(text).toMatch(/vexil_http_requests_total\{method="POST",route="\/ofrep",status="404"\} \d+/);
  });
});
