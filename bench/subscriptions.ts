/**
 * Live updates at scale: BENCH_SUBSCRIBERS (default 10,000) concurrent SSE subscribers of
 * `evaluationsChanged`, spread over BENCH_CONTEXTS (default 1,000) distinct contexts, against real
 * gateway processes (`node dist/cli/main.js serve`; built first if dist/ is missing or stale).
 *
 *   npx tsx bench/subscriptions.ts              single instance (embedded store), then two instances
 *   npx tsx bench/subscriptions.ts single       only the single instance
 *   npx tsx bench/subscriptions.ts two          only two instances on mongo-java-server
 *
 * Measured, for each setup:
 *   - latency from a mutation's acknowledgement (its HTTP response, in this process) to each affected
 *     subscriber's message (as this process reads it), over BENCH_MUTATIONS (default 10) mutations:
 *     p50, p99 and max over every affected subscriber, and the "last subscriber" time per mutation;
 *     for a change that moves every context (a kill switch) and for one that moves 1% of them (a rule
 *     `userId in [...]` listing 1% of the ids, added then removed). Subscribers that must not hear of
 *     a change are watched too: "unexpected" counts their messages.
 *   - the server's memory per subscriber: RSS and V8 heap of the server process after a forced GC
 *     (the server is started with --expose-gc and bench/lib/gc-on-signal.mjs; SIGUSR2 collects),
 *     before vs after connecting, divided by the number of subscribers.
 *   - two instances (mongo-java-server, change streams): the subscribers on B, the mutations on A,
 *     so every message crossed the store's change feed.
 * Targets: p99 under 1 s; under 20 KB per subscriber.
 * BENCH_PROFILE_DIR=<dir> writes a V8 CPU profile of each server (`--cpu-prof`) there on exit;
 * BENCH_SERVER_FLAGS="--trace-gc …" passes more flags to the servers' node.
 *
 * One client process (this one) holds every subscriber: raw `node:http` requests with `agent: false`
 * (one socket each), reading `text/event-stream`. Each socket is a file descriptor, so the script
 * first re-executes itself through `bash -c 'ulimit -n 65536 || ulimit -n <hard limit>'`; the servers
 * it spawns inherit the raised limit. (By hand: `ulimit -n 65536; npx tsx bench/subscriptions.ts`.)
 * Client and servers share this machine's cores: latencies include the client's own time to read
 * 10,000 sockets. Everything runs on the loopback interface.
 */
import { type ChildProcess, execFileSync, spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import http from 'node:http';
import { createServer } from 'node:net';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';
import { ensureBuiltServer } from './lib/built-package.js';
import { percentile, renderTable } from './lib/stats.js';

const script = fileURLToPath(import.meta.url);
const repo = fileURLToPath(new URL('..', import.meta.url));
const cliMain = join(repo, 'dist/cli/main.js');
const gcPreload = join(repo, 'bench/lib/gc-on-signal.mjs');

// ----------------------------------------------------------------------------------------------------
// raise the open-file limit: re-execute under bash with `ulimit -n`

if (process.env.VEXIL_BENCH_FD_RAISED !== '1') {
  const result = spawnSync(
    'bash',
    [
      '-c',
      'ulimit -n 65536 2>/dev/null || ulimit -n "$(ulimit -Hn)" 2>/dev/null; exec "$@"',
      'bench',
      process.execPath,
      ...process.execArgv,
      script,
      ...process.argv.slice(2),
    ],
    { stdio: 'inherit', env: { ...process.env, VEXIL_BENCH_FD_RAISED: '1' } },
  );
  process.exit(result.status ?? 1);
}

const subscriberCount = Number(process.env.BENCH_SUBSCRIBERS ?? 10_000);
const contextCount = Number(process.env.BENCH_CONTEXTS ?? 1_000);
const mutationCount = Number(process.env.BENCH_MUTATIONS ?? 10);
const openConcurrency = Number(process.env.BENCH_OPEN_CONCURRENCY ?? 200);
const parts = process.argv.slice(2);
const wanted = (part: string) => parts.length === 0 || parts.includes(part);
const adminKey = `vxl_admin_bench-subscriptions-${'x'.repeat(24)}`;
const PROD = 'production';
const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));
const now = () => performance.now();
const openFileLimit = Number(execFileSync('bash', ['-c', 'ulimit -n'], { encoding: 'utf8' }).trim());

// ----------------------------------------------------------------------------------------------------
// build and processes

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.on('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}

interface Server {
  name: string;
  child: ChildProcess;
  port: number;
  endpoint: string;
  output: () => string;
  stop(): Promise<void>;
}

const running = new Set<ChildProcess>();
process.on('exit', () => {
  for (const child of running) child.kill('SIGKILL');
});

async function startServer(name: string, env: NodeJS.ProcessEnv): Promise<Server> {
  const port = await freePort();
  const profile = process.env.BENCH_PROFILE_DIR ? ['--cpu-prof', '--cpu-prof-dir', process.env.BENCH_PROFILE_DIR] : [];
  const extraFlags = (process.env.BENCH_SERVER_FLAGS ?? '').split(' ').filter(Boolean);
  const child = spawn(
    process.execPath,
    ['--expose-gc', '--import', gcPreload, ...profile, ...extraFlags, cliMain, 'serve'],
    {
      cwd: repo,
      env: {
        PATH: process.env.PATH,
        HOME: process.env.HOME,
        HOST: '127.0.0.1',
        PORT: String(port),
        LOG_LEVEL: 'warn',
        VEXIL_SEED: 'false',
        VEXIL_BOOTSTRAP_ADMIN_KEY: adminKey,
        VEXIL_MAX_SUBSCRIPTIONS_PER_KEY: String(subscriberCount * 2),
        ...env,
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    },
  );
  running.add(child);
  let output = '';
  child.stdout!.setEncoding('utf8').on('data', (chunk: string) => (output = (output + chunk).slice(-20_000)));
  child.stderr!.setEncoding('utf8').on('data', (chunk: string) => (output = (output + chunk).slice(-20_000)));
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const endpoint = `http://127.0.0.1:${port}/graphql`;
  for (const deadline = Date.now() + 60_000; ; ) {
    if (child.exitCode !== null) throw new Error(`${name} exited (${child.exitCode}):\n${output}`);
    const ready = await fetch(`http://127.0.0.1:${port}/readyz`).then(
      (response) => response.status === 200,
      () => false,
    );
    if (ready) break;
    if (Date.now() > deadline) throw new Error(`${name} not ready within 60 s:\n${output}`);
    await sleep(100);
  }
  return {
    name,
    child,
    port,
    endpoint,
    output: () => output,
    async stop() {
      if (child.exitCode === null && child.signalCode === null) {
        child.kill('SIGTERM');
        const timer = setTimeout(() => child.kill('SIGKILL'), 15_000);
        await exited;
        clearTimeout(timer);
      }
      running.delete(child);
    },
  };
}

async function graphql<T>(
  endpoint: string,
  query: string,
  variables: Record<string, unknown> = {},
  key = adminKey,
): Promise<T> {
  const response = await fetch(endpoint, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${key}` },
    body: JSON.stringify({ query, variables }),
  });
  const body = (await response.json()) as { data?: T; errors?: unknown[] };
  if (body.errors?.length || !body.data) throw new Error(`GraphQL error: ${JSON.stringify(body).slice(0, 1000)}`);
  return body.data;
}

async function metrics(server: Server): Promise<{ heapUsed: number; rss: number; subscribers: number }> {
  const text = await (await fetch(`http://127.0.0.1:${server.port}/metrics`)).text();
  const value = (pattern: RegExp) => Number(pattern.exec(text)?.[1] ?? NaN);
  return {
    heapUsed: value(/^vexil_process_nodejs_heap_size_used_bytes (\S+)$/m),
    rss: value(/^vexil_process_process_resident_memory_bytes (\S+)$/m),
    subscribers: value(/^vexil_subscribers\{subscription="evaluationsChanged"\} (\S+)$/m),
  };
}

/** RSS (from /proc) and V8 heap (from /metrics) of a server, after a forced full GC. */
async function serverMemory(server: Server): Promise<{ rss: number; heapUsed: number }> {
  server.child.kill('SIGUSR2');
  await sleep(1500);
  server.child.kill('SIGUSR2');
  await sleep(1000);
  const status = readFileSync(`/proc/${server.child.pid}/status`, 'utf8');
  const rssKb = Number(/^VmRSS:\s+(\d+) kB/m.exec(status)?.[1] ?? NaN);
  const { heapUsed } = await metrics(server);
  return { rss: rssKb * 1024, heapUsed };
}

// ----------------------------------------------------------------------------------------------------
// the flags being changed

const ALL = 'bench-all';
const ONE_PERCENT = 'bench-1pct';
const userId = (context: number) => `user-${context}`;
/** Every hundredth context: 1%. */
const onePercentContexts = Array.from({ length: contextCount }, (_, index) => index).filter(
  (index) => index % 100 === 0,
);

function booleanFlag(key: string, config: Record<string, unknown>) {
  return {
    key,
    kind: 'OPS',
    valueType: 'BOOLEAN',
    variations: [
      { key: 'on', value: true },
      { key: 'off', value: false },
    ],
    environments: [{ environment: PROD, config }],
  };
}

const onePercentConfig = (targeted: boolean) => ({
  on: true,
  offVariation: 'off',
  defaultServe: { variation: 'off' },
  rules: targeted
    ? [
        {
          id: 'one-percent',
          condition: `userId in [${onePercentContexts.map((context) => JSON.stringify(userId(context))).join(', ')}]`,
          serve: { variation: 'on' },
        },
      ]
    : [],
});

async function prepare(endpoint: string): Promise<string> {
  await graphql(endpoint, `mutation ($input: CreateFlagInput!) { createFlag(input: $input) { version } }`, {
    input: booleanFlag(ALL, { on: true, offVariation: 'off', defaultServe: { variation: 'on' } }),
  });
  await graphql(endpoint, `mutation ($input: CreateFlagInput!) { createFlag(input: $input) { version } }`, {
    input: booleanFlag(ONE_PERCENT, onePercentConfig(false)),
  });
  const created = await graphql<{ createApiKey: { secret: string } }>(
    endpoint,
    `mutation { createApiKey(name: "bench-eval", kind: EVALUATION, environment: "production") { secret } }`,
  );
  return created.createApiKey.secret;
}

// ----------------------------------------------------------------------------------------------------
// the subscribers: raw node:http SSE readers

const SUBSCRIPTION = `subscription ($context: JSON!) { evaluationsChanged(context: $context, keys: ["${ALL}", "${ONE_PERCENT}"]) { snapshotVersion changedKeys evaluations { key value } } }`;

interface Subscriber {
  index: number;
  context: number;
  request: http.ClientRequest | null;
  buffer: string;
  initial: boolean;
  /** Arrival of the first message since the current mutation started (0: none yet). */
  arrival: number;
  messages: number;
}

class SubscriberPool {
  readonly subscribers: Subscriber[] = [];
  errors = 0;
  ended = 0;
  private measuring = false;
  private affected: Uint8Array = new Uint8Array(0);
  got = 0;
  unexpected = 0;

  constructor(
    private readonly endpoint: string,
    private readonly key: string,
  ) {}

  /** Opens `count` subscriptions, `concurrency` at a time; resolves when each has its first message. */
  async open(count: number, concurrency: number): Promise<{ openMs: number; failures: string[] }> {
    const started = now();
    const failures: string[] = [];
    let next = 0;
    const worker = async () => {
      while (next < count) {
        const index = next++;
        try {
          await this.openOne(index);
        } catch (error) {
          failures.push(`#${index}: ${(error as Error).message}`);
          if (failures.length > 20) throw new Error(`too many failures opening subscribers:\n${failures.join('\n')}`);
        }
      }
    };
    await Promise.all(Array.from({ length: concurrency }, worker));
    return { openMs: now() - started, failures };
  }

  private openOne(index: number): Promise<void> {
    const context = index % contextCount;
    const body = JSON.stringify({
      query: SUBSCRIPTION,
      variables: { context: { targetingKey: userId(context), userId: userId(context) } },
    });
    const subscriber: Subscriber = {
      index,
      context,
      request: null,
      buffer: '',
      initial: false,
      arrival: 0,
      messages: 0,
    };
    this.subscribers.push(subscriber);
    return new Promise((resolve, reject) => {
      const url = new URL(this.endpoint);
      const request = http.request({
        host: url.hostname,
        port: url.port,
        path: url.pathname,
        method: 'POST',
        agent: false,
        headers: {
          'content-type': 'application/json',
          'content-length': Buffer.byteLength(body),
          accept: 'text/event-stream',
          authorization: `Bearer ${this.key}`,
        },
      });
      subscriber.request = request;
      const timer = setTimeout(() => reject(new Error('no first message within 60 s')), 60_000);
      request.on('error', (error) => {
        clearTimeout(timer);
        reject(error);
      });
      request.on('response', (response) => {
        if (response.statusCode !== 200) {
          clearTimeout(timer);
          reject(new Error(`HTTP ${response.statusCode}`));
          response.resume();
          return;
        }
        response.setEncoding('utf8');
        response.on('data', (chunk: string) => {
          subscriber.buffer += chunk;
          for (let end = subscriber.buffer.indexOf('\n\n'); end >= 0; end = subscriber.buffer.indexOf('\n\n')) {
            const block = subscriber.buffer.slice(0, end);
            subscriber.buffer = subscriber.buffer.slice(end + 2);
            if (block.startsWith('event: next')) {
              if (block.includes('"errors"')) this.errors++;
              if (!subscriber.initial) {
                subscriber.initial = true;
                clearTimeout(timer);
                resolve();
              } else this.onMessage(subscriber);
            }
          }
        });
        response.on('end', () => this.ended++);
        response.on('error', () => {});
      });
      request.end(body);
    });
  }

  private onMessage(subscriber: Subscriber): void {
    const arrivedAt = now();
    subscriber.messages++;
    if (!this.measuring || subscriber.arrival !== 0) return;
    subscriber.arrival = arrivedAt;
    if (this.affected[subscriber.index]) this.got++;
    else this.unexpected++;
  }

  /**
   * Runs one mutation and collects, for each affected subscriber, the time from the mutation's
   * acknowledgement (and from its sending) to the message; and the CPU time the subscribers' server
   * and this client process spent until the last one arrived.
   */
  async measure(
    affectedContexts: ReadonlySet<number> | 'all',
    mutate: () => Promise<unknown>,
    server: Server,
  ): Promise<Run> {
    this.affected = new Uint8Array(this.subscribers.length);
    let expected = 0;
    for (const subscriber of this.subscribers) {
      subscriber.arrival = 0;
      if (affectedContexts === 'all' || affectedContexts.has(subscriber.context)) {
        this.affected[subscriber.index] = 1;
        expected++;
      }
    }
    this.got = 0;
    this.unexpected = 0;
    this.measuring = true;
    const serverCpuBefore = cpuMsOf(server);
    const clientCpuBefore = process.cpuUsage();
    const sentAt = now();
    await mutate();
    const ackAt = now();
    const deadline = Date.now() + 60_000;
    while (this.got < expected && Date.now() < deadline) await sleep(2);
    const serverCpuMs = cpuMsOf(server) - serverCpuBefore;
    const clientCpu = process.cpuUsage(clientCpuBefore);
    await sleep(300); // a quiet period: catches messages that must not come
    this.measuring = false;
    const latencies: number[] = [];
    for (const subscriber of this.subscribers)
      if (this.affected[subscriber.index] && subscriber.arrival !== 0) latencies.push(subscriber.arrival - ackAt);
    return {
      latencies,
      mutationMs: ackAt - sentAt,
      unexpected: this.unexpected,
      missing: expected - this.got,
      serverCpuMs,
      clientCpuMs: (clientCpu.user + clientCpu.system) / 1000,
    };
  }

  close(): void {
    for (const subscriber of this.subscribers) subscriber.request?.destroy();
  }
}

// ----------------------------------------------------------------------------------------------------
// one setup: open the subscribers, measure memory and latency

interface Run {
  /** Per affected subscriber: message arrival − mutation acknowledgement. */
  latencies: number[];
  /** Mutation sent → acknowledged. */
  mutationMs: number;
  unexpected: number;
  missing: number;
  serverCpuMs: number;
  clientCpuMs: number;
}

/** User + system CPU time of a process so far, from /proc (clock ticks of 10 ms). */
function cpuMsOf(server: Server): number {
  const fields = readFileSync(`/proc/${server.child.pid}/stat`, 'utf8').split(') ')[1]!.split(' ');
  return (Number(fields[11]) + Number(fields[12])) * 10;
}

interface LatencyFigures {
  kind: string;
  mutations: number;
  affectedPerMutation: number;
  samples: number;
  p50Ms: number;
  p99Ms: number;
  maxMs: number;
  minMs: number;
  lastSubscriberP50Ms: number;
  lastSubscriberMaxMs: number;
  /** The same from the moment the mutation was sent (includes the acknowledgement time). */
  fromSendP99Ms: number;
  fromSendLastMaxMs: number;
  mutationAckP50Ms: number;
  /** CPU per mutation until the last message arrived: the subscribers' server, and this client. */
  serverCpuMsPerMutation: number;
  clientCpuMsPerMutation: number;
  unexpected: number;
  missing: number;
}

interface SetupFigures {
  setup: string;
  subscribers: number;
  contexts: number;
  openMs: number;
  openFailures: number;
  serverSubscribersGauge: number;
  memory: {
    rssBefore: number;
    rssAfter: number;
    heapBefore: number;
    heapAfter: number;
    rssPerSubscriberBytes: number;
    heapPerSubscriberBytes: number;
  };
  latency: LatencyFigures[];
  errors: number;
  released: boolean;
}

function latencyFigures(kind: string, runs: Run[], affectedPerMutation: number): LatencyFigures {
  const all = runs.flatMap((run) => run.latencies);
  const lasts = runs.map((run) => Math.max(...run.latencies));
  const fromSend = runs.flatMap((run) => run.latencies.map((latency) => latency + run.mutationMs));
  const average = (values: number[]) => values.reduce((sum, value) => sum + value, 0) / values.length;
  return {
    kind,
    mutations: runs.length,
    affectedPerMutation,
    samples: all.length,
    p50Ms: percentile(all, 50),
    p99Ms: percentile(all, 99),
    maxMs: Math.max(...all),
    minMs: Math.min(...all),
    lastSubscriberP50Ms: percentile(lasts, 50),
    lastSubscriberMaxMs: Math.max(...lasts),
    fromSendP99Ms: percentile(fromSend, 99),
    fromSendLastMaxMs: Math.max(...fromSend),
    serverCpuMsPerMutation: average(runs.map((run) => run.serverCpuMs)),
    clientCpuMsPerMutation: average(runs.map((run) => run.clientCpuMs)),
    mutationAckP50Ms: percentile(
      runs.map((run) => run.mutationMs),
      50,
    ),
    unexpected: runs.reduce((sum, run) => sum + run.unexpected, 0),
    missing: runs.reduce((sum, run) => sum + run.missing, 0),
  };
}

async function runSetup(
  setup: string,
  subscribeTo: Server,
  mutateThrough: Server,
  evaluationKey: string,
): Promise<SetupFigures> {
  console.log(`\n[${setup}] subscribers on ${subscribeTo.name}, mutations through ${mutateThrough.name}`);
  const before = await serverMemory(subscribeTo);
  const pool = new SubscriberPool(subscribeTo.endpoint, evaluationKey);
  const opened = await pool.open(subscriberCount, openConcurrency);
  const connected = pool.subscribers.filter((subscriber) => subscriber.initial).length;
  console.log(
    `[${setup}] ${connected} subscribers connected in ${(opened.openMs / 1000).toFixed(1)} s (${opened.failures.length} failures${opened.failures.length ? `: ${opened.failures.slice(0, 3).join('; ')}` : ''})`,
  );
  await sleep(500);
  const after = await serverMemory(subscribeTo);
  const gauge = (await metrics(subscribeTo)).subscribers;
  console.log(
    `[${setup}] server: ${gauge} evaluationsChanged subscribers; RSS ${mb(before.rss)} → ${mb(after.rss)}, heap ${mb(before.heapUsed)} → ${mb(after.heapUsed)}`,
  );

  // warm-up: one of each, not counted
  let allOn = true;
  let targeted = false;
  let onePercentVersion = (
    await graphql<{ flag: { version: number } }>(
      mutateThrough.endpoint,
      `query { flag(key: "${ONE_PERCENT}") { version } }`,
    )
  ).flag.version;
  const toggleAll = () => {
    allOn = !allOn;
    return graphql(
      mutateThrough.endpoint,
      `mutation ($on: Boolean!) { toggleFlag(key: "${ALL}", environment: "production", on: $on) { version } }`,
      { on: allOn },
    );
  };
  const stepOnePercent = async () => {
    targeted = !targeted;
    const result = await graphql<{ setFlagEnvironment: { version: number } }>(
      mutateThrough.endpoint,
      `mutation ($config: EnvironmentConfigInput!, $v: Int!) { setFlagEnvironment(key: "${ONE_PERCENT}", environment: "production", config: $config, expectedVersion: $v) { version } }`,
      { config: onePercentConfig(targeted), v: onePercentVersion },
    );
    onePercentVersion = result.setFlagEnvironment.version;
  };
  const onePercentSet = new Set(onePercentContexts);
  await pool.measure('all', toggleAll, subscribeTo);
  await pool.measure(onePercentSet, stepOnePercent, subscribeTo);

  const allRuns: Run[] = [];
  for (let index = 0; index < mutationCount; index++) {
    allRuns.push(await pool.measure('all', toggleAll, subscribeTo));
    await sleep(200);
  }
  const onePercentRuns: Run[] = [];
  for (let index = 0; index < mutationCount; index++) {
    onePercentRuns.push(await pool.measure(onePercentSet, stepOnePercent, subscribeTo));
    await sleep(100);
  }
  const affectedOnePercent = pool.subscribers.filter((subscriber) => onePercentSet.has(subscriber.context)).length;
  const latency = [
    latencyFigures('all contexts (kill switch)', allRuns, connected),
    latencyFigures(`1% of contexts (userId in [${onePercentContexts.length} ids])`, onePercentRuns, affectedOnePercent),
  ];

  pool.close();
  let released = false;
  for (const deadline = Date.now() + 30_000; Date.now() < deadline; ) {
    if ((await metrics(subscribeTo)).subscribers === 0) {
      released = true;
      break;
    }
    await sleep(250);
  }
  return {
    setup,
    subscribers: connected,
    contexts: new Set(
      pool.subscribers.filter((subscriber) => subscriber.initial).map((subscriber) => subscriber.context),
    ).size,
    openMs: opened.openMs,
    openFailures: opened.failures.length,
    serverSubscribersGauge: gauge,
    memory: {
      rssBefore: before.rss,
      rssAfter: after.rss,
      heapBefore: before.heapUsed,
      heapAfter: after.heapUsed,
      rssPerSubscriberBytes: (after.rss - before.rss) / connected,
      heapPerSubscriberBytes: (after.heapUsed - before.heapUsed) / connected,
    },
    latency,
    errors: pool.errors,
    released,
  };
}

const mb = (bytes: number) => `${(bytes / 1024 / 1024).toFixed(1)} MB`;
const kb = (bytes: number) => `${(bytes / 1024).toFixed(1)} KB`;
const msText = (value: number) => `${value.toFixed(value < 10 ? 1 : 0)} ms`;

// ----------------------------------------------------------------------------------------------------
// main

async function main(): Promise<void> {
  console.log(
    `subscriptions benchmark: ${subscriberCount} SSE subscribers over ${contextCount} contexts, ${mutationCount} mutations of each kind`,
  );
  console.log(
    `open-file limit of this process (and its servers): ${openFileLimit}; load average at start: ${loadavg()
      .map((value) => value.toFixed(2))
      .join(' ')}; node ${process.version}`,
  );
  if (openFileLimit < subscriberCount + 200)
    console.log(
      `WARNING: the open-file limit (${openFileLimit}) is below ${subscriberCount} sockets + headroom; expect EMFILE`,
    );
  ensureBuiltServer();
  const results: SetupFigures[] = [];

  if (wanted('single')) {
    const dataDir = mkdtempSync(join(tmpdir(), 'vexil-bench-subs-'));
    const server = await startServer('instance (embedded store)', { VEXIL_DATA_DIR: dataDir });
    try {
      const key = await prepare(server.endpoint);
      results.push(await runSetup('one instance, embedded store', server, server, key));
    } finally {
      await server.stop();
      rmSync(dataDir, { recursive: true, force: true });
    }
  }

  if (wanted('two')) {
    const { startMongoTestServer } = await import('../test/support/mongo-java-server.js');
    const mongo = await startMongoTestServer();
    let a: Server | null = null;
    let b: Server | null = null;
    try {
      a = await startServer('instance A', { MONGODB_URI: mongo.uri });
      b = await startServer('instance B', { MONGODB_URI: mongo.uri });
      const key = await prepare(a.endpoint);
      // B learns of the key and flags from the feed
      for (const deadline = Date.now() + 20_000; ; ) {
        const known = await fetch(b.endpoint, {
          method: 'POST',
          headers: { 'content-type': 'application/json', authorization: `Bearer ${key}` },
          body: '{"query":"{ __typename }"}',
        });
        if (known.status === 200) break;
        if (Date.now() > deadline) throw new Error('instance B never learnt of the evaluation key');
        await sleep(100);
      }
      results.push(await runSetup('two instances, mongo-java-server: subscribers on B, mutations on A', b, a, key));
    } finally {
      await Promise.allSettled([a?.stop(), b?.stop()]);
      await mongo.close();
    }
  }

  // ---- report
  console.log(
    "\nLatency: mutation acknowledged → affected subscriber's message (over every affected subscriber of every mutation)",
  );
  console.log(
    renderTable(
      [
        'setup',
        'change',
        'subs/mutation',
        'mutations',
        'p50',
        'p99',
        'max',
        'last sub p50',
        'last sub max',
        'ack p50',
        'p99 from send',
        'max from send',
        'server CPU',
        'client CPU',
        'unexpected',
        'missing',
      ],
      results.flatMap((result) =>
        result.latency.map((figures) => [
          result.setup,
          figures.kind,
          String(figures.affectedPerMutation),
          String(figures.mutations),
          msText(figures.p50Ms),
          msText(figures.p99Ms),
          msText(figures.maxMs),
          msText(figures.lastSubscriberP50Ms),
          msText(figures.lastSubscriberMaxMs),
          msText(figures.mutationAckP50Ms),
          msText(figures.fromSendP99Ms),
          msText(figures.fromSendLastMaxMs),
          msText(figures.serverCpuMsPerMutation),
          msText(figures.clientCpuMsPerMutation),
          String(figures.unexpected),
          String(figures.missing),
        ]),
      ),
      [
        'left',
        'left',
        'right',
        'right',
        'right',
        'right',
        'right',
        'right',
        'right',
        'right',
        'right',
        'right',
        'right',
        'right',
        'right',
        'right',
      ],
    ),
  );
  console.log(
    '(p50/p99/max/last sub: from the acknowledgement; "from send": from the moment the mutation was sent. CPU: per mutation, until the last message arrived, of the subscribers\' server and of this client.)',
  );
  console.log('\nServer memory per subscriber (after a forced GC, before vs after connecting)');
  console.log(
    renderTable(
      [
        'setup',
        'subscribers',
        'contexts',
        'connect time',
        'RSS before',
        'RSS after',
        'RSS/sub',
        'heap before',
        'heap after',
        'heap/sub',
        'gauge',
        'released',
      ],
      results.map((result) => [
        result.setup,
        String(result.subscribers),
        String(result.contexts),
        `${(result.openMs / 1000).toFixed(1)} s`,
        mb(result.memory.rssBefore),
        mb(result.memory.rssAfter),
        kb(result.memory.rssPerSubscriberBytes),
        mb(result.memory.heapBefore),
        mb(result.memory.heapAfter),
        kb(result.memory.heapPerSubscriberBytes),
        String(result.serverSubscribersGauge),
        result.released ? 'yes' : 'NO',
      ]),
      ['left', 'right', 'right', 'right', 'right', 'right', 'right', 'right', 'right', 'right', 'right', 'left'],
    ),
  );
  const targets = results.flatMap((result) => [
    ...result.latency.map((figures) => ({
      what: `${result.setup} / ${figures.kind}: p99 < 1 s`,
      ok: figures.p99Ms < 1000 && figures.missing === 0,
    })),
    { what: `${result.setup}: < 20 KB per subscriber (RSS)`, ok: result.memory.rssPerSubscriberBytes < 20 * 1024 },
    { what: `${result.setup}: ${subscriberCount} subscribers connected`, ok: result.subscribers === subscriberCount },
  ]);
  console.log('\nTargets');
  for (const target of targets) console.log(`  ${target.ok ? 'PASS' : 'FAIL'}  ${target.what}`);
  console.log(
    `load average at end: ${loadavg()
      .map((value) => value.toFixed(2))
      .join(' ')}`,
  );
  console.log(
    `BENCH_JSON ${JSON.stringify({ benchmark: 'subscriptions', subscribers: subscriberCount, contexts: contextCount, mutations: mutationCount, openFileLimit, results, targets })}`,
  );
}

main().then(
  () => process.exit(0),
  (error: Error) => {
    console.error(error.stack ?? error.message);
    process.exit(1);
  },
);
