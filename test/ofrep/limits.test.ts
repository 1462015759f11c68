/**
 * OFREP's 429 and 500 over HTTP: the per-key rate limit (VEXIL_OFREP_RATE_LIMIT) on the real gateway,
 * and the spec's 500 body when evaluating fails inside the server.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { FlagEngine } from '../../src/flags/engine.js';
import { generateSecret, hashSecret } from '../../src/server/api-keys.js';
import { KeyRegistry } from '../../src/server/key-registry.js';
import { createOfrepLane } from '../../src/server/ofrep-lane.js';
import { BOOL, createOfrepFlags } from '../fixtures/gateway/ofrep-flags.js';
import { standardKeys, startTestGateway, type TestGateway } from '../support/gateway.js';
import { ofrep } from './support.js';

vi.mock('graphql', async () => (await import('node:module')).createRequire(import.meta.url)('graphql'));

describe('rate limit', () => {
  let gw: TestGateway;
  let keys: Awaited<ReturnType<typeof standardKeys>>;

  beforeAll(async () => {
    gw = await startTestGateway({ seed: false, env: { VEXIL_OFREP_RATE_LIMIT: '3' } });
    keys = await standardKeys(gw);
    await createOfrepFlags(gw);
  });

  afterAll(async () => {
    await gw?.stop();
  });

  it('answers past VEXIL_OFREP_RATE_LIMIT requests a second with 429 and Retry-After, per key', async () => {
    const statuses: number[] = [];
    let refused;
    for (let i = 0; i < 6; i++) {
      const response = await ofrep(gw.url, i % 2 ? 'flags' : `flags/${BOOL}`, { key: keys.evalProd });
      statuses.push(response.status);
      if (response.status === 429) refused ??= response;
    }
    // Three a second: the first three pass at once; the requests right after wait for tokens.
    expect(statuses.slice(0, 3)).toEqual([200, 200, 200]);
    expect(statuses).toContain(429);
    expect(Number(refused!.headers.get('retry-after'))).toBeGreaterThanOrEqual(1);
    expect(refused!.body.errorDetails).toMatch(/3 requests a second/);
    expect((await ofrep(gw.url, `flags/${BOOL}`, { key: keys.evalStaging })).status).toBe(200);
  });

  it('leaves GraphQL alone', async () => {
    const response = await gw.gql(
      '{ evaluate(key: "ofrep-bool", context: {targetingKey: "u"}) { value } }',
      undefined,
      keys.evalProd,
    );
    expect(response.status).toBe(200);
  });
});

describe('server failure', () => {
  let server: Server;
  let url: string;
  const secret = generateSecret('evaluation');

  beforeAll(async () => {
    const keys = new KeyRegistry();
    keys.load([
      {
        id: 'key_1',
        name: 'e',
        kind: 'evaluation',
        environment: 'production',
        secretHash: hashSecret(secret),
        prefix: 'vxl_eval',
        createdAt: '',
        revokedAt: null,
        version: 1,
      },
    ]);
    // An engine that fails the way a defect would: by throwing out of evaluate.
    const engine = new (class extends FlagEngine {
      override evaluate(): never {
        throw new Error('defect');
      }
    })();
    const lane = createOfrepLane({ engine, keys, maxBodyBytes: 1024 });
    server = createServer((req, res) => void lane.handle(req, res));
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });

  afterAll(async () => {
    await new Promise((resolve) => server.close(resolve));
  });

  it('answers with 500 and the spec’s {errorDetails} body, without the error’s own message', async () => {
    const response = await ofrep(url, `flags/${BOOL}`, { key: secret });
    expect(response.status).toBe(500);
    expect(response.body).toEqual({ errorDetails: expect.any(String) });
    expect(response.text).not.toContain('defect');
  });
});
