/**
 * Real clients for the live-update tests (test/live/*): the `graphql-ws` client over WebSocket, the
 * `graphql-sse` client (distinct connections mode), a raw `fetch` reader of `text/event-stream`, and
 * a pausable `node:http` reader (slow consumers). All of them feed the same `LiveSubscription`, so a
 * test can run one scenario over every transport. Plus: free ports and spawned `vexil serve`
 * instances with a port of our choosing (PORT=0 is not printed at LOG_LEVEL=warn).
 */
import { type ChildProcess, spawn } from 'node:child_process';
import http from 'node:http';
import { createServer } from 'node:net';
import type { ExecutionResult } from 'graphql';
import { createClient as createSseClient } from 'graphql-sse';
import { createClient as createWsClient, type Client as WsClient } from 'graphql-ws';
import WebSocket from 'ws';
import { cliEnv, cliMain, dataOf, gqlAt, type GqlError, repoRoot } from './gateway.js';

// ----------------------------------------------------------------------------------------------------
// subscription documents and their payloads

export const EVALUATIONS_CHANGED = /* GraphQL */ `
  subscription EvaluationsChanged($context: JSON!, $keys: [String!], $environment: String) {
    evaluationsChanged(context: $context, keys: $keys, environment: $environment) {
      snapshotVersion
      changedKeys
      evaluations { key value variation reason ruleId errorCode flagVersion }
    }
  }
`;

export const FLAG_CHANGED = /* GraphQL */ `
  subscription FlagChanged($keys: [String!], $environment: String) {
    flagChanged(keys: $keys, environment: $environment) { key environment kind documentKind version actor at }
  }
`;

export interface LiveEvaluation {
  key: string;
  value: unknown;
  variation: string | null;
  reason: string;
  ruleId: string | null;
  errorCode: string | null;
  flagVersion: number | null;
}

export interface EvaluationsUpdate {
  snapshotVersion: number;
  changedKeys: string[];
  evaluations: LiveEvaluation[];
}

export interface FlagChangeMessage {
  key: string;
  environment: string | null;
  kind: string;
  documentKind: string;
  version: number;
  actor: string | null;
  at: string;
}

export type EvaluationsMessage = { evaluationsChanged: EvaluationsUpdate };
export type FlagChangedMessage = { flagChanged: FlagChangeMessage };

/** `{ key: value }` of the evaluations in an update. */
export function valuesOf(update: EvaluationsUpdate): Record<string, unknown> {
  return Object.fromEntries(update.evaluations.map((evaluation) => [evaluation.key, evaluation.value]));
}

// ----------------------------------------------------------------------------------------------------
// an inbox: messages in arrival order, read one at a time with a deadline

export interface StreamEnd {
  /** Why it ended: `complete` (server said so), `error` (client/transport error), `closed` (connection ended). */
  how: 'complete' | 'error' | 'closed';
  error?: unknown;
}

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

export class Inbox<T> {
  readonly items: T[] = [];
  private cursor = 0;
  private endInfo: StreamEnd | null = null;
  private wakers = new Set<() => void>();

  push(item: T): void {
    this.items.push(item);
    this.wake();
  }

  finish(end: StreamEnd): void {
    if (this.endInfo) return;
    this.endInfo = end;
    this.wake();
  }

  get ended(): StreamEnd | null {
    return this.endInfo;
  }

  /** Items received and not read yet. */
  unread(): T[] {
    return this.items.slice(this.cursor);
  }

  /** The next unread item; rejects when none arrives within `timeoutMs` or the stream ends first. */
  async next(timeoutMs = 5000, describe = 'message'): Promise<T> {
    const deadline = Date.now() + timeoutMs;
    while (this.cursor >= this.items.length) {
      if (this.endInfo)
        throw new Error(
          `the stream ended (${this.endInfo.how}${this.endInfo.error ? `: ${describeError(this.endInfo.error)}` : ''}) before the next ${describe}`,
        );
      const left = deadline - Date.now();
      if (left <= 0)
        throw new Error(`no ${describe} within ${timeoutMs} ms (received ${this.items.length}, read ${this.cursor})`);
      await this.waitForNews(left);
    }
    return this.items[this.cursor++]!;
  }

  /** Resolves with how the stream ended; rejects after `timeoutMs`. */
  async end(timeoutMs = 5000): Promise<StreamEnd> {
    const deadline = Date.now() + timeoutMs;
    while (!this.endInfo) {
      const left = deadline - Date.now();
      if (left <= 0)
        throw new Error(`the stream did not end within ${timeoutMs} ms (received ${this.items.length} messages)`);
      await this.waitForNews(left);
    }
    return this.endInfo;
  }

  /** Waits until `count` items have arrived in total (whether read or not). */
  async received(count: number, timeoutMs = 5000): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    while (this.items.length < count) {
      if (this.endInfo)
        throw new Error(`the stream ended (${this.endInfo.how}) after ${this.items.length} of ${count} messages`);
      const left = deadline - Date.now();
      if (left <= 0) throw new Error(`only ${this.items.length} of ${count} messages within ${timeoutMs} ms`);
      await this.waitForNews(left);
    }
  }

  private wake(): void {
    const wakers = [...this.wakers];
    this.wakers.clear();
    for (const waker of wakers) waker();
  }

  private waitForNews(timeoutMs: number): Promise<void> {
    return new Promise((resolve) => {
      const timer = setTimeout(done, timeoutMs);
      const wakers = this.wakers;
      function done() {
        clearTimeout(timer);
        wakers.delete(done);
        resolve();
      }
      wakers.add(done);
    });
  }
}

export function describeError(error: unknown): string {
  if (Array.isArray(error)) return error.map(describeError).join('; ');
  if (error && typeof error === 'object') {
    const record = error as { code?: unknown; reason?: unknown; message?: unknown; extensions?: { code?: unknown } };
    if (typeof record.code === 'number') return `close ${record.code} ${String(record.reason ?? '')}`;
    if (typeof record.message === 'string')
      return `${record.extensions?.code ? `${String(record.extensions.code)}: ` : ''}${record.message}`;
  }
  return String(error);
}

// ----------------------------------------------------------------------------------------------------
// one subscription, whatever the transport

export type Transport = 'ws' | 'sse' | 'sse-fetch';

/** Every transport, so each live suite runs over all of them. */
export const transports: readonly Transport[] = ['ws', 'sse', 'sse-fetch'];

export type Result<T> = ExecutionResult<T> & { errors?: GqlError[] };

export class LiveSubscription<T> {
  readonly inbox = new Inbox<Result<T>>();

  constructor(
    readonly transport: Transport,
    private readonly dispose: () => void | Promise<void>,
  ) {}

  /** The next message (data or errors). */
  next(timeoutMs?: number): Promise<Result<T>> {
    return this.inbox.next(timeoutMs, `${this.transport} message`);
  }

  /** The next message, which must carry data and no errors. */
  async nextData(timeoutMs?: number): Promise<T> {
    const message = await this.next(timeoutMs);
    if (message.errors?.length || !message.data)
      throw new Error(`expected data over ${this.transport}, got ${JSON.stringify(message).slice(0, 1000)}`);
    return message.data;
  }

  /** The next message, which must be an error; returns its first error. */
  async nextError(timeoutMs?: number): Promise<GqlError> {
    const message = await this.next(timeoutMs);
    if (!message.errors?.length)
      throw new Error(`expected an error over ${this.transport}, got ${JSON.stringify(message).slice(0, 1000)}`);
    return message.errors[0]!;
  }

  /** Resolves with how the stream ended. */
  ended(timeoutMs?: number): Promise<StreamEnd> {
    return this.inbox.end(timeoutMs);
  }

  /** Every message received so far, read or not. */
  get messages(): Array<Result<T>> {
    return this.inbox.items;
  }

  async close(): Promise<void> {
    await this.dispose();
  }
}

// ----------------------------------------------------------------------------------------------------
// WebSocket (graphql-ws client)

export interface CloseInfo {
  code: number;
  reason: string;
}

export interface WsConnection {
  client: WsClient;
  /** The current socket (after it was opened), e.g. to pause reading. */
  socket(): WebSocket | null;
  /** Resolves with the first close of the socket. */
  closed: Promise<CloseInfo>;
  subscribe<T>(query: string, variables?: Record<string, unknown>): LiveSubscription<T>;
  close(): Promise<void>;
}

export function wsUrl(endpoint: string): string {
  return endpoint.replace(/^http/, 'ws');
}

/** A graphql-ws client authenticating with `key` in connection_init (none when null); no retries. */
export function wsConnect(
  endpoint: string,
  key: string | null,
  connectionParams?: Record<string, unknown>,
): WsConnection {
  let current: WebSocket | null = null;
  let resolveClosed!: (info: CloseInfo) => void;
  const closed = new Promise<CloseInfo>((resolve) => (resolveClosed = resolve));
  class TrackedWebSocket extends WebSocket {
    constructor(...args: ConstructorParameters<typeof WebSocket>) {
      super(...args);
      current = this;
    }
  }
  const client = createWsClient({
    url: wsUrl(endpoint),
    webSocketImpl: TrackedWebSocket,
    connectionParams: connectionParams ?? (key ? { authorization: `Bearer ${key}` } : {}),
    retryAttempts: 0,
    shouldRetry: () => false,
    lazy: true,
    on: {
      closed: (event) =>
        resolveClosed({ code: (event as CloseInfo).code, reason: String((event as CloseInfo).reason ?? '') }),
    },
  });
  return {
    client,
    socket: () => current,
    closed,
    subscribe<T>(query: string, variables: Record<string, unknown> = {}) {
      let unsubscribe: () => void = () => {};
      const subscription = new LiveSubscription<T>('ws', () => unsubscribe());
      unsubscribe = client.subscribe<T>(
        { query, variables },
        {
          next: (message) => subscription.inbox.push(message as Result<T>),
          error: (error) => subscription.inbox.finish({ how: 'error', error }),
          complete: () => subscription.inbox.finish({ how: 'complete' }),
        },
      );
      return subscription;
    },
    close: () => client.dispose() as Promise<void>,
  };
}

// ----------------------------------------------------------------------------------------------------
// SSE: the graphql-sse client, and a raw fetch reader

export function authorization(key: string | null | undefined): Record<string, string> {
  return key ? { authorization: `Bearer ${key}` } : {};
}

/** One subscription through the graphql-sse client (distinct connections mode), no retries. */
export function sseClientSubscribe<T>(
  endpoint: string,
  key: string | null,
  query: string,
  variables: Record<string, unknown> = {},
): LiveSubscription<T> {
  const client = createSseClient({ url: endpoint, headers: authorization(key), retryAttempts: 0 });
  let unsubscribe: () => void = () => {};
  const subscription = new LiveSubscription<T>('sse', () => {
    unsubscribe();
    client.dispose();
  });
  unsubscribe = client.subscribe<T>(
    { query, variables },
    {
      next: (message) => subscription.inbox.push(message as Result<T>),
      error: (error) => subscription.inbox.finish({ how: 'error', error }),
      complete: () => subscription.inbox.finish({ how: 'complete' }),
    },
  );
  return subscription;
}

/** Splits an SSE byte stream into events (`event:` and joined `data:` lines); comments are counted apart. */
export class SseParser {
  private buffer = '';
  comments = 0;

  constructor(private readonly onEvent: (event: string, data: string) => void) {}

  feed(chunk: string): void {
    this.buffer += chunk;
    for (let end = this.buffer.indexOf('\n\n'); end >= 0; end = this.buffer.indexOf('\n\n')) {
      const block = this.buffer.slice(0, end);
      this.buffer = this.buffer.slice(end + 2);
      let event = 'message';
      const data: string[] = [];
      let fields = 0;
      for (const line of block.split('\n')) {
        if (line.startsWith(':')) continue;
        fields++;
        if (line.startsWith('event:')) event = line.slice(6).trim();
        else if (line.startsWith('data:')) data.push(line.slice(5).replace(/^ /, ''));
      }
      if (fields === 0) this.comments++;
      else this.onEvent(event, data.join('\n'));
    }
  }
}

export interface SseResponse<T> {
  status: number;
  contentType: string | null;
  subscription: LiveSubscription<T>;
  parser: SseParser;
}

/** POST /graphql with `accept: text/event-stream` and reads the stream with fetch. */
export async function sseFetch<T>(
  endpoint: string,
  key: string | null,
  query: string,
  variables: Record<string, unknown> = {},
): Promise<SseResponse<T>> {
  const abort = new AbortController();
  const response = await fetch(endpoint, {
    method: 'POST',
    signal: abort.signal,
    headers: { 'content-type': 'application/json', accept: 'text/event-stream', ...authorization(key) },
    body: JSON.stringify({ query, variables }),
  });
  const subscription = new LiveSubscription<T>('sse-fetch', () => abort.abort());
  const parser = new SseParser((event, data) => {
    if (event === 'next') subscription.inbox.push(JSON.parse(data) as Result<T>);
    else if (event === 'complete') subscription.inbox.finish({ how: 'complete' });
  });
  void (async () => {
    const decoder = new TextDecoder();
    try {
      for await (const chunk of response.body as unknown as AsyncIterable<Uint8Array>)
        parser.feed(decoder.decode(chunk, { stream: true }));
      subscription.inbox.finish({ how: 'closed' });
    } catch (error) {
      subscription.inbox.finish({ how: 'error', error });
    }
  })();
  return { status: response.status, contentType: response.headers.get('content-type'), subscription, parser };
}

/**
 * An SSE subscription over a raw `node:http` request whose reading can be paused (`pause()` stops
 * reading the socket, so TCP back-pressure reaches the server) and resumed.
 */
export interface PausableSse<T> {
  subscription: LiveSubscription<T>;
  status: Promise<number>;
  pause(): void;
  resume(): void;
  /** Bytes received so far. */
  bytes(): number;
}

export function sseHttp<T>(
  endpoint: string,
  key: string | null,
  query: string,
  variables: Record<string, unknown> = {},
  { pauseAfterFirst = false } = {},
): PausableSse<T> {
  const body = JSON.stringify({ query, variables });
  let response: http.IncomingMessage | null = null;
  let bytes = 0;
  let paused = false;
  const request = http.request(endpoint, {
    method: 'POST',
    agent: false,
    headers: {
      'content-type': 'application/json',
      'content-length': Buffer.byteLength(body),
      accept: 'text/event-stream',
      ...authorization(key),
    },
  });
  const subscription = new LiveSubscription<T>('sse-fetch', () => {
    request.destroy();
  });
  const parser = new SseParser((event, data) => {
    if (event === 'next') {
      subscription.inbox.push(JSON.parse(data) as Result<T>);
      if (pauseAfterFirst && subscription.inbox.items.length === 1) {
        paused = true;
        response?.pause();
      }
    } else if (event === 'complete') subscription.inbox.finish({ how: 'complete' });
  });
  const status = new Promise<number>((resolve, reject) => {
    request.on('error', (error) => {
      subscription.inbox.finish({ how: 'error', error });
      reject(error);
    });
    request.on('response', (res) => {
      response = res;
      resolve(res.statusCode ?? 0);
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => {
        bytes += Buffer.byteLength(chunk);
        parser.feed(chunk);
      });
      res.on('end', () => subscription.inbox.finish({ how: 'closed' }));
      res.on('error', (error) => subscription.inbox.finish({ how: 'error', error }));
    });
  });
  status.catch(() => {});
  request.end(body);
  return {
    subscription,
    status,
    pause: () => {
      paused = true;
      response?.pause();
    },
    resume: () => {
      if (!paused) return;
      paused = false;
      response?.resume();
    },
    bytes: () => bytes,
  };
}

// ----------------------------------------------------------------------------------------------------
// many subscriptions, closed together

/** Opens subscriptions over any transport and closes all of them in `closeAll` (afterEach). */
export class LiveClients {
  private readonly open: Array<{ close(): Promise<void> | void }> = [];

  constructor(private readonly endpoint: () => string) {}

  /** A subscription over `transport`; over WebSocket each gets its own connection. */
  async subscribe<T>(
    transport: Transport,
    key: string | null,
    query: string,
    variables: Record<string, unknown> = {},
  ): Promise<LiveSubscription<T>> {
    if (transport === 'ws') {
      const connection = this.ws(key);
      return connection.subscribe<T>(query, variables);
    }
    if (transport === 'sse') return this.track(sseClientSubscribe<T>(this.endpoint(), key, query, variables));
    return this.track((await sseFetch<T>(this.endpoint(), key, query, variables)).subscription);
  }

  evaluations(
    transport: Transport,
    key: string | null,
    variables: { context: unknown; keys?: string[]; environment?: string },
  ): Promise<LiveSubscription<EvaluationsMessage>> {
    return this.subscribe<EvaluationsMessage>(transport, key, EVALUATIONS_CHANGED, variables);
  }

  flagChanges(
    transport: Transport,
    key: string | null,
    variables: { keys?: string[]; environment?: string } = {},
  ): Promise<LiveSubscription<FlagChangedMessage>> {
    return this.subscribe<FlagChangedMessage>(transport, key, FLAG_CHANGED, variables);
  }

  /** A WebSocket connection (several subscriptions may share it). */
  ws(key: string | null, connectionParams?: Record<string, unknown>): WsConnection {
    return this.track(wsConnect(this.endpoint(), key, connectionParams));
  }

  async sseFetch<T>(
    key: string | null,
    query: string,
    variables: Record<string, unknown> = {},
  ): Promise<SseResponse<T>> {
    const response = await sseFetch<T>(this.endpoint(), key, query, variables);
    this.track(response.subscription);
    return response;
  }

  sseHttp<T>(
    key: string | null,
    query: string,
    variables: Record<string, unknown> = {},
    options?: { pauseAfterFirst?: boolean },
  ): PausableSse<T> {
    const stream = sseHttp<T>(this.endpoint(), key, query, variables, options);
    this.track(stream.subscription);
    return stream;
  }

  track<C extends { close(): Promise<void> | void }>(closable: C): C {
    this.open.push(closable);
    return closable;
  }

  async closeAll(): Promise<void> {
    const open = this.open.splice(0);
    await Promise.allSettled(open.map(async (closable) => closable.close()));
  }
}

// ----------------------------------------------------------------------------------------------------
// polling helpers

/** Polls `check` until it returns true; throws with `what` after `timeoutMs`. */
export async function eventually(
  check: () => boolean | Promise<boolean>,
  what: string,
  timeoutMs = 5000,
  intervalMs = 20,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (await check()) return;
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await sleep(intervalMs);
  }
}

export { sleep };

// ----------------------------------------------------------------------------------------------------
// spawned `vexil serve` instances on ports of our choosing

/** A TCP port that was free a moment ago (bind 0, read, close). */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.unref();
    server.on('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}

export interface Instance {
  name: string;
  child: ChildProcess;
  port: number;
  url: string;
  endpoint: string;
  output(): string;
  stop(): Promise<void>;
}

/**
 * Spawns `node dist/cli/main.js serve` on 127.0.0.1:`port` (dist must be built: see ensureBuilt) and
 * resolves once /readyz answers 200.
 */
export async function spawnInstance({
  name,
  port,
  env,
  timeoutMs = 30_000,
}: {
  name: string;
  port: number;
  env: NodeJS.ProcessEnv;
  timeoutMs?: number;
}): Promise<Instance> {
  const child = spawn(process.execPath, [cliMain, 'serve'], {
    cwd: repoRoot,
    env: cliEnv({ HOST: '127.0.0.1', PORT: String(port), LOG_LEVEL: 'warn', ...env }),
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout!.setEncoding('utf8').on('data', (chunk: string) => (output += chunk));
  child.stderr!.setEncoding('utf8').on('data', (chunk: string) => (output += chunk));
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const url = `http://127.0.0.1:${port}`;
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (child.exitCode !== null || child.signalCode !== null)
      throw new Error(`${name} exited (${child.exitCode ?? child.signalCode}) before it was ready:\n${output}`);
    const ready = await fetch(`${url}/readyz`).then(
      (response) => response.status === 200,
      () => false,
    );
    if (ready) break;
    if (Date.now() > deadline) {
      child.kill('SIGKILL');
      throw new Error(`${name} was not ready on port ${port} within ${timeoutMs} ms:\n${output}`);
    }
    await sleep(100);
  }
  return {
    name,
    child,
    port,
    url,
    endpoint: `${url}/graphql`,
    output: () => output,
    async stop() {
      if (child.exitCode === null && child.signalCode === null) {
        child.kill('SIGTERM');
        const timer = setTimeout(() => child.kill('SIGKILL'), 10_000);
        await exited;
        clearTimeout(timer);
      }
    },
  };
}

// ----------------------------------------------------------------------------------------------------
// admin actions over GraphQL (any instance), with the versions they need

export class Admin {
  constructor(
    readonly endpoint: string,
    readonly key: string,
  ) {}

  /** Runs one operation; throws with the errors unless it succeeded. */
  async run<T = Record<string, unknown>>(
    query: string,
    variables: Record<string, unknown> = {},
    key: string = this.key,
  ): Promise<T> {
    const result = await gqlAt<T, Record<string, unknown>>(this.endpoint, query, variables, key);
    return dataOf(result);
  }

  async createFlag(input: Record<string, unknown>): Promise<number> {
    return (
      await this.run<{ createFlag: { version: number } }>(
        `mutation ($input: CreateFlagInput!) { createFlag(input: $input) { version } }`,
        { input },
      )
    ).createFlag.version;
  }

  async toggle(key: string, environment: string, on: boolean): Promise<number> {
    return (
      await this.run<{ toggleFlag: { version: number } }>(
        `mutation ($key: String!, $environment: String!, $on: Boolean!) { toggleFlag(key: $key, environment: $environment, on: $on) { version } }`,
        { key, environment, on },
      )
    ).toggleFlag.version;
  }

  async flagVersion(key: string): Promise<number> {
    return (
      await this.run<{ flag: { version: number } }>(`query ($key: String!) { flag(key: $key) { version } }`, { key })
    ).flag.version;
  }

  async setEnvironment(key: string, environment: string, config: Record<string, unknown>): Promise<number> {
    const expectedVersion = await this.flagVersion(key);
    return (
      await this.run<{ setFlagEnvironment: { version: number } }>(
        `mutation ($key: String!, $environment: String!, $config: EnvironmentConfigInput!, $expectedVersion: Int!) { setFlagEnvironment(key: $key, environment: $environment, config: $config, expectedVersion: $expectedVersion) { version } }`,
        { key, environment, config, expectedVersion },
      )
    ).setFlagEnvironment.version;
  }

  async updateFlag(key: string, input: Record<string, unknown>): Promise<number> {
    const expectedVersion = await this.flagVersion(key);
    return (
      await this.run<{ updateFlag: { version: number } }>(
        `mutation ($key: String!, $input: UpdateFlagInput!, $v: Int!) { updateFlag(key: $key, input: $input, expectedVersion: $v) { version } }`,
        { key, input, v: expectedVersion },
      )
    ).updateFlag.version;
  }

  async archive(key: string): Promise<number> {
    return (
      await this.run<{ archiveFlag: { version: number } }>(
        `mutation ($key: String!) { archiveFlag(key: $key) { version } }`,
        { key },
      )
    ).archiveFlag.version;
  }

  async restore(key: string): Promise<number> {
    return (
      await this.run<{ restoreFlag: { version: number } }>(
        `mutation ($key: String!) { restoreFlag(key: $key) { version } }`,
        { key },
      )
    ).restoreFlag.version;
  }

  async deleteFlag(key: string): Promise<void> {
    const expectedVersion = await this.flagVersion(key);
    await this.run(`mutation ($key: String!, $v: Int!) { deleteFlag(key: $key, expectedVersion: $v) }`, {
      key,
      v: expectedVersion,
    });
  }

  async createSegment(input: Record<string, unknown>): Promise<number> {
    return (
      await this.run<{ createSegment: { version: number } }>(
        `mutation ($input: SegmentInput!) { createSegment(input: $input) { version } }`,
        { input },
      )
    ).createSegment.version;
  }

  async segmentVersion(environment: string, key: string): Promise<number> {
    return (
      await this.run<{ segment: { version: number } }>(
        `query ($environment: String!, $key: String!) { segment(environment: $environment, key: $key) { version } }`,
        { environment, key },
      )
    ).segment.version;
  }

  async updateSegment(
    environment: string,
    key: string,
    input: Record<string, unknown>,
    expectedVersion?: number,
  ): Promise<number> {
    const version = expectedVersion ?? (await this.segmentVersion(environment, key));
    return (
      await this.run<{ updateSegment: { version: number } }>(
        `mutation ($environment: String!, $key: String!, $input: UpdateSegmentInput!, $v: Int!) { updateSegment(environment: $environment, key: $key, input: $input, expectedVersion: $v) { version } }`,
        { environment, key, input, v: version },
      )
    ).updateSegment.version;
  }

  async deleteSegment(environment: string, key: string): Promise<void> {
    const version = await this.segmentVersion(environment, key);
    await this.run(
      `mutation ($environment: String!, $key: String!, $v: Int!) { deleteSegment(environment: $environment, key: $key, expectedVersion: $v) }`,
      { environment, key, v: version },
    );
  }

  async createKey(
    kind: 'ADMIN' | 'READ_ONLY' | 'EVALUATION',
    environment?: string,
    name = `${kind.toLowerCase()}-${Math.random().toString(36).slice(2, 8)}`,
  ): Promise<{ secret: string; id: string; name: string }> {
    const created = (
      await this.run<{ createApiKey: { secret: string; apiKey: { id: string } } }>(
        `mutation ($name: String!, $kind: ApiKeyKind!, $environment: String) { createApiKey(name: $name, kind: $kind, environment: $environment) { secret apiKey { id } } }`,
        { name, kind, environment: environment ?? null },
      )
    ).createApiKey;
    return { secret: created.secret, id: created.apiKey.id, name };
  }

  async revokeKey(id: string): Promise<void> {
    await this.run(`mutation ($id: ID!) { revokeApiKey(id: $id) { id } }`, { id });
  }
}
