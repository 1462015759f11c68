/**
 * Graceful shutdown of a spawned `node dist/cli/main.js serve`: on SIGTERM it stops accepting, lets
 * in-flight requests finish, flushes usage statistics to the store, and exits 0; SIGINT does the same;
 * a request that never finishes is cut after VEXIL_SHUTDOWN_GRACE_MS and the process still exits 0.
 */
import { request as httpRequest } from 'node:http';
import { rm } from 'node:fs/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { EvaluateDocument } from '../../src/client/generated/graphql.js';
import { openStore } from '../../src/store/open-store.js';
import { PROD } from '../fixtures/gateway/flags.js';
import {
  createEvaluationKeyAt,
  dataOf,
  ensureBuilt,
  gqlAt,
  jsonLines,
  newAdminSecret,
  type ServeProcess,
  spawnServe,
  tempDir,
} from '../support/gateway.js';

const evaluateQuery = 'query ($context: JSON!) { evaluate(key: "new_checkout", context: $context) { value reason } }';

interface SlowRequest {
  /** Resolves once the TCP connection is established. */
  connected: Promise<void>;
  /** Sends the rest of the body. */
  finish(): void;
  /** The response status and body, or the error if the connection was cut. */
  response: Promise<{ status: number; body: string } | { error: string }>;
}

/**
 * A POST whose headers and first half of the body are sent now and the rest on finish(): the server is
 * in the middle of reading it, i.e. it is in flight.
 */
function slowRequest(endpoint: string, key: string, context: Record<string, unknown>): SlowRequest {
  const body = Buffer.from(JSON.stringify({ query: evaluateQuery, variables: { context } }));
  const half = Math.floor(body.length / 2);
  let finish = () => {};
  let onConnect = () => {};
  const connected = new Promise<void>((resolve) => (onConnect = resolve));
  const response = new Promise<{ status: number; body: string } | { error: string }>((resolve) => {
    const req = httpRequest(
      endpoint,
      {
        method: 'POST',
        agent: false,
        headers: { 'content-type': 'application/json', 'content-length': body.length, authorization: `Bearer ${key}` },
      },
      (res) => {
        let text = '';
        res.setEncoding('utf8').on('data', (chunk: string) => (text += chunk));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, body: text }));
        res.on('error', (error) => resolve({ error: error.message }));
      },
    );
    req.on('error', (error) => resolve({ error: error.message }));
    req.on('socket', (socket) => socket.once('connect', onConnect));
    req.write(body.subarray(0, half));
    finish = () => req.end(body.subarray(half));
  });
  return { connected, finish: () => finish(), response };
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * Waits until the server has taken up the slow requests: their connections are established, and a
 * request on a later connection has been answered (the server accepts connections in order), plus a
 * moment for it to read their headers.
 */
async function inFlight(server: ServeProcess, requests: SlowRequest[]): Promise<void> {
  await Promise.all(requests.map((request) => request.connected));
  await fetch(`${server.url}/healthz`, { headers: { connection: 'close' } });
  await sleep(200);
}

/** Polls until a new connection is refused (or 10 s pass); returns the last outcome. */
async function untilRefused(url: string): Promise<string> {
  let outcome = '';
  for (const started = Date.now(); Date.now() - started < 10_000; await sleep(50)) {
    outcome = await fetch(url, { headers: { connection: 'close' } }).then(
      (response) => `answered ${response.status}`,
      (error: Error & { cause?: { code?: string } }) => error.cause?.code ?? error.message,
    );
    if (!outcome.startsWith('answered')) break;
  }
  return outcome;
}

async function evaluationKey(server: ServeProcess, admin: string): Promise<string> {
  return createEvaluationKeyAt(server.endpoint, admin, 'shutdown-eval', PROD);
}

beforeAll(async () => {
  await ensureBuilt();
}, 240_000);

describe('SIGTERM with requests in flight', () => {
  const admin = newAdminSecret();
  let dataDir: string;
  let server: ServeProcess;
  let exit: { code: number | null; signal: NodeJS.Signals | null };
  let exitMs: number;
  let slowResponses: Array<Awaited<SlowRequest['response']>>;
  let refusedDuringShutdown: string | null = null;

  beforeAll(async () => {
    dataDir = await tempDir();
    server = await spawnServe({ dataDir, env: { VEXIL_BOOTSTRAP_ADMIN_KEY: admin, VEXIL_USAGE_FLUSH_MS: '3600000' } });
    const key = await evaluationKey(server, admin);
    // Counted evaluations before the signal: 4 staff (on), 3 visitors (off).
    for (let index = 0; index < 4; index++)
      dataOf(
        await gqlAt(
          server.endpoint,
          evaluateQuery,
          { context: { targetingKey: `s${index}`, email: `s${index}@company.com` } },
          key,
        ),
      );
    for (let index = 0; index < 3; index++)
      dataOf(await gqlAt(server.endpoint, evaluateQuery, { context: { targetingKey: `v${index}` } }, key));
    // Five requests in flight (half their body sent), all staff: five more `on` evaluations once they finish.
    const slow = Array.from({ length: 5 }, (_, index) =>
      slowRequest(server.endpoint, key, { targetingKey: `late${index}`, email: `late${index}@company.com` }),
    );
    await inFlight(server, slow);
    const signalled = Date.now();
    server.child.kill('SIGTERM');
    // The in-flight requests keep the process alive, so new connections must come to be refused.
    refusedDuringShutdown = await untilRefused(`${server.url}/healthz`);
    await sleep(200);
    for (const request of slow) request.finish();
    slowResponses = await Promise.all(slow.map((request) => request.response));
    exit = await server.exited;
    exitMs = Date.now() - signalled;
  }, 60_000);

  afterAll(async () => {
    await server?.stop('SIGKILL');
    if (dataDir) await rm(dataDir, { recursive: true, force: true });
  });

  it('stops accepting new connections', () => {
    // Refused once the listening socket is closed; reset if the connection raced the close.
    expect(refusedDuringShutdown).toMatch(/^(ECONNREFUSED|ECONNRESET|UND_ERR_SOCKET)$/);
  });

  it('finishes the in-flight requests with complete, correct responses', () => {
    expect(slowResponses).toHaveLength(5);
    for (const response of slowResponses) {
      expect(response).toMatchObject({ status: 200 });
      expect(JSON.parse((response as { body: string }).body)).toEqual({
        data: { evaluate: { value: true, reason: 'TARGETING_MATCH' } },
      });
    }
  });

  it('exits with code 0 soon after the last request finished', () => {
    expect(exit).toEqual({ code: 0, signal: null });
    expect(exitMs).toBeLessThan(8_000);
  });

  it('logs the shutdown as JSON and reports no errors', () => {
    const messages = jsonLines(server.stdout()).map((line) => line.msg);
    expect(messages).toEqual(expect.arrayContaining(['shutting down', 'shut down']));
    expect(jsonLines(server.stdout()).filter((line) => Number(line.level) >= 50)).toEqual([]);
    expect(server.stderr()).toBe('');
  });

  it('flushes the usage statistics of every evaluation, in-flight ones included, to the store', async () => {
    const store = await openStore({ dataDir });
    try {
      const usage = await store.readUsage();
      const count = (variation: string) =>
        usage.find(
          (entry) => entry.environment === PROD && entry.flagKey === 'new_checkout' && entry.variation === variation,
        )?.count;
      expect({ on: count('on'), off: count('off') }).toEqual({ on: 9, off: 3 });
    } finally {
      await store.close();
    }
  });
});

describe('SIGINT', () => {
  it('shuts down gracefully and exits 0, flushing usage', async () => {
    const admin = newAdminSecret();
    const dataDir = await tempDir();
    const server = await spawnServe({
      dataDir,
      env: { VEXIL_BOOTSTRAP_ADMIN_KEY: admin, VEXIL_USAGE_FLUSH_MS: '3600000' },
    });
    try {
      const key = await evaluationKey(server, admin);
      dataOf(
        await gqlAt(
          server.endpoint,
          EvaluateDocument,
          { key: 'new_checkout', context: { targetingKey: 'u', userId: 'user_123' } },
          key,
        ),
      );
      expect(await server.stop('SIGINT')).toEqual({ code: 0, signal: null });
      const store = await openStore({ dataDir });
      try {
        expect((await store.readUsage()).find((entry) => entry.flagKey === 'new_checkout')).toMatchObject({
          variation: 'on',
          count: 1,
        });
      } finally {
        await store.close();
      }
    } finally {
      await server.stop('SIGKILL');
      await rm(dataDir, { recursive: true, force: true });
    }
  });
});

describe('a request that never finishes', () => {
  it('is cut after the grace period, and the process still exits 0', async () => {
    const admin = newAdminSecret();
    const dataDir = await tempDir();
    const server = await spawnServe({
      dataDir,
      env: { VEXIL_BOOTSTRAP_ADMIN_KEY: admin, VEXIL_SHUTDOWN_GRACE_MS: '500' },
    });
    try {
      const stalled = slowRequest(server.endpoint, admin, { targetingKey: 'stuck' });
      await inFlight(server, [stalled]);
      const signalled = Date.now();
      const exit = await server.stop('SIGTERM');
      expect(exit).toEqual({ code: 0, signal: null });
      expect(Date.now() - signalled).toBeLessThan(5_000);
      expect(await stalled.response).toHaveProperty('error');
    } finally {
      await server.stop('SIGKILL');
      await rm(dataDir, { recursive: true, force: true });
    }
  });
});
