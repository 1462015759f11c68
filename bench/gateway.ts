/**
 * Gateway throughput: autocannon (50 connections) against the real server, in one run:
 *   - a bare node:http server returning a fixed JSON body (the ceiling of this machine),
 *   - the gateway's trivial query `{ __typename }` (the cost of GraphQL over HTTP itself),
 *   - `evaluate` of one flag, and `evaluateAll` for one context over 20 and over 100 flags,
 *   - the same evaluations over OFREP (`POST /ofrep/v1/evaluate/flags/{key}` and the bulk endpoint).
 * Servers run in their own processes (`node dist/cli/main.js serve`), so the load generator does not
 * share their event loop. dist/ is built first when it is missing or older than src/.
 *
 * On a shared machine req/s swing with other load; two things help compare runs: the server's CPU
 * time per request (from /proc, Linux only), which moves far less, and BENCH_ROUNDS=n, which measures
 * every target n times in turn and reports the median round.
 *
 * On Linux with `taskset` and two or more CPUs, the servers run on the last CPU and the load generator
 * on the others (BENCH_PIN=false turns this off), so what a server can do is not mixed up with how
 * much CPU autocannon took from it at the moment: a Node server uses one core for its requests anyway.
 *
 * `evaluateAll (20 flags)` asks for one context, the same in every request, as the issue sets it;
 * `…, a new context per request` sends another user (targetingKey and userId) each time, so rollouts
 * land differently from one request to the next.
 *
 * Gateways run with NODE_ENV=production, as deployed (graphql-js skips its development-only checks);
 * set NODE_ENV to override. BENCH_PROFILE_DIR=<dir> writes a V8 CPU profile of each gateway there;
 * BENCH_ONLY=<text> measures only the targets whose name contains it (the trivial query is kept as
 * the reference), e.g. to profile one of them alone.
 */
import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import { availableParallelism } from 'node:os';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import autocannon from 'autocannon';
import { ensureBuiltServer } from './lib/built-package.js';

const connections = Number(process.env.BENCH_CONNECTIONS ?? 50);
const duration = Number(process.env.BENCH_SECONDS ?? 8);
const rounds = Number(process.env.BENCH_ROUNDS ?? 1);
const adminKey = 'vxl_admin_bench-secret-0123456789';
const repo = new URL('..', import.meta.url).pathname;

interface Figures {
  name: string;
  requestsPerSecond: number;
  p50Ms: number;
  p99Ms: number;
  errors: number;
  non2xx: number;
  /** Server CPU time (user + system) per request, in µs; null where /proc is not available. */
  cpuUsPerRequest: number | null;
}

/** Where servers and the load generator run: `taskset` CPU lists, or null to leave them to the scheduler. */
function cpuPinning(): { servers: string; load: string } | null {
  const cpus = availableParallelism();
  if (process.env.BENCH_PIN === 'false' || process.platform !== 'linux' || cpus < 2) return null;
  try {
    execFileSync('taskset', ['-V'], { stdio: 'ignore' });
  } catch {
    return null;
  }
  return { servers: String(cpus - 1), load: cpus === 2 ? '0' : `0-${cpus - 2}` };
}

const pinning = cpuPinning();

/** Starts a server process, on the servers' CPU when pinning. */
function spawnServer(args: string[], options: Parameters<typeof spawn>[2]): ChildProcess {
  return pinning ? spawn('taskset', ['-c', pinning.servers, process.execPath, ...args], options) : spawn(process.execPath, args, options);
}

/** A server process's CPU time so far in ms, from /proc/<pid>/stat (utime + stime, in clock ticks of 10 ms). */
function cpuMs(pid: number | undefined): number | null {
  try {
    const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.split(' ');
    return (Number(fields[11]) + Number(fields[12])) * 10;
  } catch {
    return null;
  }
}

function waitForLine(child: ChildProcess, pattern: RegExp): Promise<void> {
  return new Promise((resolve, reject) => {
    let seen = '';
    const onData = (chunk: Buffer) => {
      seen += chunk.toString();
      if (pattern.test(seen)) resolve();
    };
    child.stdout?.on('data', onData);
    child.stderr?.on('data', onData);
    child.once('exit', (code) => reject(new Error(`server exited (${code}): ${seen.slice(-2000)}`)));
  });
}

async function startGateway(port: number): Promise<{ child: ChildProcess; dir: string }> {
  const dir = mkdtempSync(join(tmpdir(), 'vexil-bench-'));
  const profile = process.env.BENCH_PROFILE_DIR ? ['--cpu-prof', `--cpu-prof-dir=${process.env.BENCH_PROFILE_DIR}`] : [];
  const child = spawnServer([...profile, 'dist/cli/main.js', 'serve'], {
    cwd: repo,
    env: { NODE_ENV: 'production', ...process.env, PORT: String(port), HOST: '127.0.0.1', VEXIL_DATA_DIR: dir, VEXIL_BOOTSTRAP_ADMIN_KEY: adminKey, VEXIL_SEED: 'false', LOG_LEVEL: 'info' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  await waitForLine(child, /vexil is listening/);
  return { child, dir };
}

function startBareServer(port: number): Promise<ChildProcess> {
  const code = `require('node:http').createServer((req, res) => { const body = '{"data":{"ok":true}}'; res.writeHead(200, { 'content-type': 'application/json', 'content-length': body.length }); res.end(body); }).listen(${port}, '127.0.0.1', () => console.log('listening'));`;
  const child = spawnServer(['-e', code], { stdio: ['ignore', 'pipe', 'pipe'] });
  return waitForLine(child, /listening/).then(() => child);
}

async function graphql(port: number, query: string, variables: Record<string, unknown>, key = adminKey): Promise<unknown> {
  const response = await fetch(`http://127.0.0.1:${port}/graphql`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${key}` },
    body: JSON.stringify({ query, variables }),
  });
  const body = (await response.json()) as { data?: unknown; errors?: unknown };
  if (body.errors) throw new Error(JSON.stringify(body.errors));
  return body.data;
}

/** Mixed targeting, like a real flag set: equality, lists, suffixes, rollouts, semver, plain defaults. */
const conditions = [
  'plan == "premium"',
  'country in ["US", "CA", "GB"] and accountAgeDays > 30',
  'email endsWith "@company.com"',
  'semver(appVersion) >= semver("2.3.0")',
  'bucket(userId) < 25',
];

async function createFlags(port: number, count: number): Promise<void> {
  for (let i = 0; i < count; i++) {
    const rules = i % 6 === 5 ? [] : [{ id: 'r1', condition: conditions[i % conditions.length], serve: { variation: 'on' } }];
    const defaultServe = i % 4 === 0 ? { rollout: { weights: [{ variation: 'on', weight: 20_000 }, { variation: 'off', weight: 80_000 }] } } : { variation: 'off' };
    await graphql(port, 'mutation($input: CreateFlagInput!) { createFlag(input: $input) { key } }', {
      input: {
        key: `bench-${String(i).padStart(3, '0')}`,
        kind: 'OPS',
        valueType: 'BOOLEAN',
        variations: [{ key: 'on', value: true }, { key: 'off', value: false }],
        environments: [{ environment: 'production', config: { on: true, offVariation: 'off', rules, defaultServe } }],
      },
    });
  }
}

async function evaluationKey(port: number): Promise<string> {
  const data = (await graphql(port, 'mutation { createApiKey(name: "bench", kind: EVALUATION, environment: "production") { secret } }', {})) as { createApiKey: { secret: string } };
  return data.createApiKey.secret;
}

const context = { targetingKey: 'user-42', userId: 'user-42', plan: 'premium', country: 'US', accountAgeDays: 90, email: 'ann@example.com', appVersion: '2.4.1' };

interface Target {
  name: string;
  server: ChildProcess;
  port: number;
  /** A fixed body, or one made afresh for every request. */
  body: string | (() => string) | null;
  key: string | null;
  /** The request path. @default "/graphql" with a body, "/" without */
  path?: string;
}

/** A short unmeasured run first, so every target is measured JIT-warm. */
async function load(target: Target): Promise<Figures> {
  await run(target, 2);
  const before = cpuMs(target.server.pid);
  const { requests, ...figures } = await run(target, duration);
  const after = cpuMs(target.server.pid);
  return { ...figures, cpuUsPerRequest: before === null || after === null || requests === 0 ? null : ((after - before) * 1000) / requests };
}

/** Every target `rounds` times, in turn; per target, the round with the median rate. */
async function measure(targets: Target[]): Promise<Figures[]> {
  const results = targets.map((): Figures[] => []);
  for (let round = 0; round < rounds; round++) for (const [index, target] of targets.entries()) results[index]!.push(await load(target));
  return results.map((figures) => figures.sort((a, b) => a.requestsPerSecond - b.requestsPerSecond)[Math.floor(figures.length / 2)]!);
}

function run({ name, port, body, key, path }: Target, seconds: number): Promise<Omit<Figures, 'cpuUsPerRequest'> & { requests: number }> {
  return new Promise((resolve, reject) => {
    autocannon(
      {
        url: `http://127.0.0.1:${port}${path ?? (body === null ? '/' : '/graphql')}`,
        connections,
        duration: seconds,
        method: body === null ? 'GET' : 'POST',
        headers: { 'content-type': 'application/json', ...(key ? { authorization: `Bearer ${key}` } : {}) },
        ...(typeof body === 'string' ? { body } : {}),
        ...(typeof body === 'function' ? { requests: [{ setupRequest: (request: Record<string, unknown>) => ({ ...request, body: body() }) }] } : {}),
      },
      (error, result) => {
        if (error) return reject(error);
        resolve({ name, requestsPerSecond: result.requests.average, p50Ms: result.latency.p50, p99Ms: result.latency.p99, errors: result.errors, non2xx: result.non2xx, requests: result.requests.total });
      },
    );
  });
}

function table(rows: Figures[], reference: Figures): string {
  const header = ['', 'req/s', 'p50', 'p99', 'vs trivial', 'vs bare http', 'server CPU/req', 'errors'];
  const lines = rows.map((row) => [
    row.name,
    row.requestsPerSecond.toFixed(0),
    `${row.p50Ms} ms`,
    `${row.p99Ms} ms`,
    `${((row.requestsPerSecond / reference.requestsPerSecond) * 100).toFixed(0)}%`,
    `${((row.requestsPerSecond / rows[0]!.requestsPerSecond) * 100).toFixed(0)}%`,
    row.cpuUsPerRequest === null ? '-' : `${row.cpuUsPerRequest.toFixed(0)} µs`,
    String(row.errors + row.non2xx),
  ]);
  const widths = header.map((title, column) => Math.max(title.length, ...lines.map((line) => line[column]!.length)));
  return [header, ...lines].map((line) => line.map((cell, column) => (column === 0 ? cell.padEnd(widths[column]!) : cell.padStart(widths[column]!))).join('  ')).join('\n');
}

async function main(): Promise<void> {
  ensureBuiltServer();
  // autocannon runs in this process: every thread of it goes to the load generator's CPUs.
  if (pinning) execFileSync('taskset', ['-a', '-p', '-c', pinning.load, String(process.pid)], { stdio: 'ignore' });
  const bare = await startBareServer(47101);
  const small = await startGateway(47102);
  const large = await startGateway(47103);
  try {
    await createFlags(47102, 20);
    await createFlags(47103, 100);
    const smallKey = await evaluationKey(47102);
    const largeKey = await evaluationKey(47103);
    const evaluateAllQuery = 'query($context: JSON!) { evaluateAll(context: $context) { key value variation reason } }';
    const evaluateQuery = 'query($context: JSON!) { evaluate(key: "bench-001", context: $context) { value variation reason } }';
    const body = (query: string, variables = { context }) => JSON.stringify({ query, variables });
    let users = 0;
    const newUser = () => {
      const id = `user-${++users}`;
      return body(evaluateAllQuery, { context: { ...context, targetingKey: id, userId: id } });
    };
    const only = process.env.BENCH_ONLY;
    const targets: Target[] = [
      { name: 'bare node:http (fixed JSON)', server: bare, port: 47101, body: null, key: null },
      { name: 'gateway { __typename }', server: small.child, port: 47102, body: JSON.stringify({ query: '{ __typename }' }), key: smallKey },
      { name: 'evaluate (1 flag)', server: small.child, port: 47102, body: body(evaluateQuery), key: smallKey },
      { name: 'evaluateAll (20 flags)', server: small.child, port: 47102, body: body(evaluateAllQuery), key: smallKey },
      { name: 'OFREP single (1 flag)', server: small.child, port: 47102, body: JSON.stringify({ context }), key: smallKey, path: '/ofrep/v1/evaluate/flags/bench-001' },
      { name: 'OFREP bulk (20 flags)', server: small.child, port: 47102, body: JSON.stringify({ context }), key: smallKey, path: '/ofrep/v1/evaluate/flags' },
      { name: 'evaluateAll (20 flags), a new context per request', server: small.child, port: 47102, body: newUser, key: smallKey },
      { name: 'evaluateAll (100 flags)', server: large.child, port: 47103, body: body(evaluateAllQuery), key: largeKey },
    ];
    const rows = await measure(only ? targets.filter((target, index) => index === 1 || target.name.includes(only)) : targets);
    const trivial = rows.find((row) => row.name === targets[1]!.name)!;
    const placement = pinning ? `servers on CPU ${pinning.servers}, load generator on CPU ${pinning.load}` : 'CPUs not pinned';
    console.log(`Vexil gateway benchmark: node ${process.version}, ${connections} connections, ${duration} s per run${rounds > 1 ? `, median of ${rounds} rounds` : ''}, ${placement}`);
    console.log('targets: evaluateAll(20) >= 80% of the trivial query and >= 7,600 req/s (2x the Unleash proxy); goal 40% of bare node:http\n');
    console.log(table(rows, trivial));
    console.log(JSON.stringify({ benchmark: 'gateway', connections, duration, rounds, results: rows }));
  } finally {
    for (const child of [bare, small.child, large.child]) child.kill('SIGTERM');
    await new Promise((resolve) => setTimeout(resolve, 500));
    for (const dir of [small.dir, large.dir]) rmSync(dir, { recursive: true, force: true });
  }
}

await main();
