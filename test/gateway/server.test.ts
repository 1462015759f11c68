/**
 * The HTTP server of `vexil serve`, in-process on an ephemeral port: configuration, GraphQL over GET and
 * POST, GraphiQL only in development, /healthz, /readyz and /metrics.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { EvaluateDocument } from '../../src/client/generated/graphql.js';
import { configFromEnvironment } from '../../src/server/config.js';
import { dataOf, parseResponse, startTestGateway, type TestGateway } from '../support/gateway.js';
import { PROD } from '../fixtures/gateway/flags.js';

describe('configuration from the environment', () => {
  it('defaults to port 4000 on 0.0.0.0 with the embedded store in ./.vexil', () => {
    expect(configFromEnvironment({})).toMatchObject({
      port: 4000,
      host: '0.0.0.0',
      mongodbUri: undefined,
      dataDir: './.vexil',
      bootstrapAdminKey: undefined,
      dev: false,
    });
  });

  it('reads PORT, HOST, MONGODB_URI, VEXIL_DATA_DIR and VEXIL_BOOTSTRAP_ADMIN_KEY', () => {
    const config = configFromEnvironment({
      PORT: '8080',
      HOST: '127.0.0.1',
      MONGODB_URI: 'mongodb://db:27017/vexil',
      VEXIL_DATA_DIR: '/var/lib/vexil',
      VEXIL_BOOTSTRAP_ADMIN_KEY: 'vxl_admin_secret',
    });
    expect(config).toMatchObject({
      port: 8080,
      host: '127.0.0.1',
      mongodbUri: 'mongodb://db:27017/vexil',
      dataDir: '/var/lib/vexil',
      bootstrapAdminKey: 'vxl_admin_secret',
    });
  });

  it('enables development mode (GraphiQL) with NODE_ENV=development only', () => {
    expect(configFromEnvironment({ NODE_ENV: 'development' }).dev).toBe(true);
    expect(configFromEnvironment({ NODE_ENV: 'production' }).dev).toBe(false);
  });

  it('lets explicit overrides win over the environment', () => {
    expect(configFromEnvironment({ PORT: '8080' }, { port: 0 }).port).toBe(0);
  });

  it('rejects a PORT that is not a non-negative integer', () => {
    expect(() => configFromEnvironment({ PORT: 'http' })).toThrow(/PORT/);
    expect(() => configFromEnvironment({ PORT: '-1' })).toThrow(/PORT/);
  });
});

describe('the running server', () => {
  let gw: TestGateway;

  beforeAll(async () => {
    gw = await startTestGateway();
  });
  afterAll(async () => {
    await gw?.stop();
  });

  it('listens on the ephemeral port it was given with PORT=0', () => {
    expect(gw.gateway.port).toBeGreaterThan(0);
    expect(gw.url).toBe(`http://127.0.0.1:${gw.gateway.port}`);
  });

  it('answers /healthz with 200', async () => {
    const response = await fetch(`${gw.url}/healthz`);
    expect(response.status).toBe(200);
    expect(await response.json()).toEqual({ status: 'ok' });
  });

  it('answers /readyz with 200, naming the store and the change-feed mode, once the snapshot is loaded', async () => {
    const response = await fetch(`${gw.url}/readyz`);
    expect(response.status).toBe(200);
    expect(await response.json()).toMatchObject({
      ready: true,
      store: 'embedded',
      feedMode: 'in-process',
      snapshotLoaded: true,
    });
  });

  it('serves GraphQL over POST with application/json', async () => {
    const response = await gw.request({
      headers: { 'content-type': 'application/json', accept: 'application/json' },
      body: JSON.stringify({ query: '{ __typename }' }),
    });
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toMatch(/^application\/json/);
    expect(await response.json()).toEqual({ data: { __typename: 'Query' } });
  });

  it('serves GraphQL queries over GET with the query in the URL', async () => {
    const response = await gw.request({
      method: 'GET',
      search: `?query=${encodeURIComponent('{ __typename }')}`,
      headers: { accept: 'application/graphql-response+json' },
    });
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toMatch(/^application\/graphql-response\+json/);
    expect(await response.json()).toEqual({ data: { __typename: 'Query' } });
  });

  it('passes GET variables and the Authorization header through to resolvers', async () => {
    const query =
      'query ($key: String!, $context: JSON!, $environment: String) { evaluate(key: $key, context: $context, environment: $environment) { value reason } }';
    const variables = JSON.stringify({
      key: 'new_checkout',
      context: { targetingKey: 'u1', email: 'a@company.com' },
      environment: PROD,
    });
    const response = await gw.request({
      method: 'GET',
      key: gw.adminKey,
      search: `?query=${encodeURIComponent(query)}&variables=${encodeURIComponent(variables)}`,
      headers: { accept: 'application/json' },
    });
    expect(dataOf(await parseResponse<{ evaluate: unknown }>(response))).toEqual({
      evaluate: { value: true, reason: 'TARGETING_MATCH' },
    });
  });

  it('refuses mutations over GET with 405', async () => {
    const response = await gw.request({
      method: 'GET',
      key: gw.adminKey,
      search: `?query=${encodeURIComponent('mutation { createEnvironment(key: "via-get") { key } }')}`,
      headers: { accept: 'application/json' },
    });
    expect(response.status).toBe(405);
    expect(response.headers.get('allow')).toMatch(/POST/);
  });

  it('does not serve GraphiQL outside development', async () => {
    const response = await gw.request({ method: 'GET', headers: { accept: 'text/html' } });
    expect(response.headers.get('content-type') ?? '').not.toMatch(/text\/html/);
    expect(await response.text()).not.toMatch(/graphiql/i);
  });

  it('answers unknown paths with 404', async () => {
    const response = await fetch(`${gw.url}/nothing-here`);
    expect(response.status).toBe(404);
  });
});

describe('GraphiQL in development', () => {
  it('is served at /graphql to browsers with dev enabled', async () => {
    const gw = await startTestGateway({ config: { dev: true } });
    try {
      const response = await gw.request({ method: 'GET', headers: { accept: 'text/html' } });
      expect(response.status).toBe(200);
      expect(response.headers.get('content-type')).toMatch(/text\/html/);
      expect(await response.text()).toMatch(/graphiql/i);
    } finally {
      await gw.stop();
    }
  });

  it('is served when NODE_ENV=development', async () => {
    const gw = await startTestGateway({ env: { NODE_ENV: 'development' } });
    try {
      const response = await gw.request({ method: 'GET', headers: { accept: 'text/html' } });
      expect(response.status).toBe(200);
      expect(await response.text()).toMatch(/graphiql/i);
    } finally {
      await gw.stop();
    }
  });
});

describe('/metrics', () => {
  let gw: TestGateway;
  let metrics: string;
  let contentType: string | null;

  beforeAll(async () => {
    gw = await startTestGateway();
    const evalKey = (await gw.createKey('EVALUATION', PROD)).secret;
    for (let index = 0; index < 3; index++)
      dataOf(
        await gw.gql(
          EvaluateDocument,
          { key: 'new_checkout', context: { targetingKey: `staff-${index}`, email: `s${index}@company.com` } },
          evalKey,
        ),
      );
    for (let index = 0; index < 2; index++)
      dataOf(
        await gw.gql(
          EvaluateDocument,
          { key: 'new_checkout', context: { targetingKey: `user-${index}`, plan: 'free' } },
          evalKey,
        ),
      );
    await gw.gql('{ nope }');
    const response = await fetch(`${gw.url}/metrics`);
    contentType = response.headers.get('content-type');
    metrics = await response.text();
  });
  afterAll(async () => {
    await gw?.stop();
  });

  const sample = (name: string, labels: Record<string, string> = {}): number | undefined => {
    for (const line of metrics.split('\n')) {
      if (!line.startsWith(`${name}{`) && !line.startsWith(`${name} `)) continue;
      const labelText = line.slice(name.length).match(/^\{(.*)\}/)?.[1] ?? '';
      if (Object.entries(labels).every(([label, value]) => labelText.includes(`${label}="${value}"`)))
        return Number(line.split(' ').at(-1));
    }
    return undefined;
  };

  it('is in the Prometheus text format', () => {
    expect(contentType).toMatch(/^text\/plain/);
    expect(metrics).toMatch(/^# HELP /m);
  });

  it('counts HTTP requests by method, route and status', () => {
    expect(
      sample('vexil_http_requests_total', { method: 'POST', route: '/graphql', status: '200' }),
    ).toBeGreaterThanOrEqual(5);
    expect(
      sample('vexil_http_requests_total', { method: 'POST', route: '/graphql', status: '400' }),
    ).toBeGreaterThanOrEqual(1);
  });

  it('has a request latency histogram', () => {
    expect(metrics).toMatch(/^# TYPE vexil_http_request_duration_seconds histogram$/m);
    expect(
      sample('vexil_http_request_duration_seconds_bucket', { le: '+Inf', method: 'POST', route: '/graphql' }),
    ).toBeGreaterThanOrEqual(5);
    expect(
      sample('vexil_http_request_duration_seconds_count', { method: 'POST', route: '/graphql' }),
    ).toBeGreaterThanOrEqual(5);
  });

  it('counts evaluations per flag and variation', () => {
    expect(sample('vexil_evaluations_total', { environment: PROD, flag: 'new_checkout', variation: 'on' })).toBe(3);
    expect(sample('vexil_evaluations_total', { environment: PROD, flag: 'new_checkout', variation: 'off' })).toBe(2);
  });

  it('reports the snapshot version being served and its age', async () => {
    const ready = (await (await fetch(`${gw.url}/readyz`)).json()) as { snapshotVersion: number };
    expect(sample('vexil_snapshot_version')).toBe(ready.snapshotVersion);
    expect(sample('vexil_snapshot_age_seconds')).toBeGreaterThanOrEqual(0);
  });

  it('declares the store error counter', () => {
    expect(metrics).toMatch(/^# TYPE vexil_store_errors_total counter$/m);
  });

  it('counts GraphQL errors by code', () => {
    expect(sample('vexil_graphql_errors_total', { code: 'GRAPHQL_VALIDATION_FAILED' })).toBeGreaterThanOrEqual(1);
  });
});

describe('when the store becomes unreachable', () => {
  let gw: TestGateway;
  let evalKey: string;

  beforeAll(async () => {
    gw = await startTestGateway({ config: { usageFlushMs: 50 } });
    evalKey = (await gw.createKey('EVALUATION', PROD)).secret;
    await gw.gateway.store.close();
  });
  afterAll(async () => {
    await gw?.stop();
  });

  it('answers /readyz with 503 and still names the store and feed mode', async () => {
    const response = await fetch(`${gw.url}/readyz`);
    expect(response.status).toBe(503);
    expect(await response.json()).toMatchObject({ ready: false, store: 'embedded', feedMode: 'in-process' });
  });

  it('keeps answering /healthz (the process is alive)', async () => {
    expect((await fetch(`${gw.url}/healthz`)).status).toBe(200);
  });

  it('reports a failed write as STORE_UNAVAILABLE', async () => {
    const result = await gw.gql('mutation { createEnvironment(key: "unreachable") { key } }');
    expect(result.errors?.[0]?.extensions?.code).toBe('STORE_UNAVAILABLE');
  });

  it('keeps evaluating from the snapshot in memory', async () => {
    expect(
      dataOf(
        await gw.gql(
          EvaluateDocument,
          { key: 'new_checkout', context: { targetingKey: 'u1', userId: 'user_123' } },
          evalKey,
        ),
      ).evaluate,
    ).toMatchObject({ value: true, reason: 'TARGETING_MATCH' });
  });

  it('counts failed store operations in vexil_store_errors_total', async () => {
    // The evaluation's usage must be flushed (every 50 ms here), which now fails against the closed store.
    dataOf(await gw.gql(EvaluateDocument, { key: 'new_checkout', context: { targetingKey: 'u2' } }, evalKey));
    let total = 0;
    for (
      const started = Date.now();
      total === 0 && Date.now() - started < 5_000;
      await new Promise((resolve) => setTimeout(resolve, 100))
    ) {
      const metrics = await (await fetch(`${gw.url}/metrics`)).text();
      total = metrics
        .split('\n')
        .filter((line) => line.startsWith('vexil_store_errors_total{'))
        .reduce((sum, line) => sum + Number(line.split(' ').at(-1)), 0);
    }
    expect(total).toBeGreaterThan(0);
  });
});
