/**
 * The servers bench/gateway.ts and bench/smoke.ts put under load, and the load itself (autocannon):
 * a bare node:http server (the ceiling of this machine) and gateways (`node dist/cli/main.js serve`,
 * NODE_ENV=production, as deployed) with N flags of mixed targeting and an evaluation key.
 *
 * On Linux with `taskset` and two or more CPUs, the servers run on the last CPU and the load generator
 * on the others (BENCH_PIN=false turns this off), so what a server can do is not mixed up with how
 * much CPU autocannon took from it at the moment: a Node server uses one core for its requests anyway.
 */
import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { availableParallelism, tmpdir } from 'node:os';
import { join } from 'node:path';
import autocannon from 'autocannon';

/** Concurrent connections of the load generator. */
export const connections = Number(process.env.BENCH_CONNECTIONS ?? 50);
const adminKey = 'vxl_admin_bench-secret-0123456789';
const repo = new URL('../..', import.meta.url).pathname;

export interface Figures {
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

export const pinning = cpuPinning();

/** Moves this process (autocannon runs in it, every thread of it) to the load generator's CPUs. */
export function pinLoadGenerator(): void {
  if (pinning) execFileSync('taskset', ['-a', '-p', '-c', pinning.load, String(process.pid)], { stdio: 'ignore' });
}

/** Where servers and load run, for the report. */
export function placement(): string {
  return pinning ? `servers on CPU ${pinning.servers}, load generator on CPU ${pinning.load}` : 'CPUs not pinned';
}

/** Starts a server process, on the servers' CPU when pinning. */
export function spawnServer(
  args: string[],
  options: Parameters<typeof spawn>[2],
  program = process.execPath,
): ChildProcess {
  return pinning ? spawn('taskset', ['-c', pinning.servers, program, ...args], options) : spawn(program, args, options);
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

export async function startGateway(port: number): Promise<{ child: ChildProcess; dir: string }> {
  const dir = mkdtempSync(join(tmpdir(), 'vexil-bench-'));
  const profile = process.env.BENCH_PROFILE_DIR
    ? ['--cpu-prof', `--cpu-prof-dir=${process.env.BENCH_PROFILE_DIR}`]
    : [];
  const child = spawnServer([...profile, 'dist/cli/main.js', 'serve'], {
    cwd: repo,
    env: {
      NODE_ENV: 'production',
      ...process.env,
      PORT: String(port),
      HOST: '127.0.0.1',
      VEXIL_DATA_DIR: dir,
      VEXIL_BOOTSTRAP_ADMIN_KEY: adminKey,
      VEXIL_SEED: 'false',
      LOG_LEVEL: 'info',
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  await waitForLine(child, /vexil is listening/);
  return { child, dir };
}

/**
 * A bare node:http server, the ceiling of this machine, as the issue measures it: it reads the request
 * body and answers `answer` (a small JSON unless given). With `parse`, it also parses the body as JSON
 * first: with the gateway's own response bytes, that is what any Node server must do for the request.
 * With `coalesce`, it writes its responses together at the end of each poll phase, as the gateway does
 * (src/server/respond.ts): the same technique without a gateway around it.
 */
export function startBareServer(
  port: number,
  { answer = '{"data":{"ok":true}}', parse = false, coalesce = false } = {},
): Promise<ChildProcess> {
  const code = `const answer = Buffer.from(${JSON.stringify(answer)});
let queued = [];
const flush = () => { const batch = queued; queued = []; for (const res of batch) res.end(answer); };
require('node:http').createServer((req, res) => {
  const chunks = [];
  req.on('data', (chunk) => chunks.push(chunk));
  req.on('end', () => {
    if (${parse}) JSON.parse(Buffer.concat(chunks).toString('utf8'));
    res.writeHead(200, { 'content-type': 'application/json', 'content-length': answer.length });
    if (!${coalesce}) return res.end(answer);
    if (queued.push(res) === 1) setImmediate(flush);
  });
}).listen(${port}, '127.0.0.1', () => console.log('listening'));`;
  const child = spawnServer(['-e', code], { stdio: ['ignore', 'pipe', 'pipe'] });
  return waitForLine(child, /listening/).then(() => child);
}

/** The response body of a POST to the gateway, as bytes would go out (to give a bare server the same answer). */
export async function responseText(port: number, body: string, key: string): Promise<string> {
  const response = await fetch(`http://127.0.0.1:${port}/graphql`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${key}` },
    body,
  });
  return response.text();
}

async function graphql(
  port: number,
  query: string,
  variables: Record<string, unknown>,
  key = adminKey,
): Promise<unknown> {
  const body = JSON.parse(await responseText(port, JSON.stringify({ query, variables }), key)) as {
    data?: unknown;
    errors?: unknown;
  };
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

export async function createFlags(port: number, count: number): Promise<void> {
  for (let i = 0; i < count; i++) {
    const rules =
      i % 6 === 5 ? [] : [{ id: 'r1', condition: conditions[i % conditions.length], serve: { variation: 'on' } }];
    const defaultServe =
      i % 4 === 0
        ? {
            rollout: {
              weights: [
                { variation: 'on', weight: 20_000 },
                { variation: 'off', weight: 80_000 },
              ],
            },
          }
        : { variation: 'off' };
    await graphql(port, 'mutation($input: CreateFlagInput!) { createFlag(input: $input) { key } }', {
      input: {
        key: `bench-${String(i).padStart(3, '0')}`,
        kind: 'OPS',
        valueType: 'BOOLEAN',
        variations: [
          { key: 'on', value: true },
          { key: 'off', value: false },
        ],
        environments: [{ environment: 'production', config: { on: true, offVariation: 'off', rules, defaultServe } }],
      },
    });
  }
}

export async function evaluationKey(port: number): Promise<string> {
  const data = (await graphql(
    port,
    'mutation { createApiKey(name: "bench", kind: EVALUATION, environment: "production") { secret } }',
    {},
  )) as { createApiKey: { secret: string } };
  return data.createApiKey.secret;
}

export const context = {
  targetingKey: 'user-42',
  userId: 'user-42',
  plan: 'premium',
  country: 'US',
  accountAgeDays: 90,
  email: 'ann@example.com',
  appVersion: '2.4.1',
};

export interface Target {
  name: string;
  server: ChildProcess;
  port: number;
  /** A fixed body, or one made afresh for every request. */
  body: string | (() => string) | null;
  key: string | null;
  /** @default '/graphql' (or '/' for a body-less GET) */
  path?: string;
  /** Extra request headers (a server that takes its key otherwise than as a Bearer token). */
  headers?: Record<string, string>;
}

/** `seconds` of load on `target`, after a short unmeasured run (`warmUpSeconds`) so it is measured JIT-warm. */
export async function load(target: Target, seconds: number, warmUpSeconds = 2): Promise<Figures> {
  if (warmUpSeconds > 0) await run(target, warmUpSeconds);
  const before = cpuMs(target.server.pid);
  const { requests, ...figures } = await run(target, seconds);
  const after = cpuMs(target.server.pid);
  return {
    ...figures,
    cpuUsPerRequest: before === null || after === null || requests === 0 ? null : ((after - before) * 1000) / requests,
  };
}

function run(
  { name, port, body, key, path, headers }: Target,
  seconds: number,
): Promise<Omit<Figures, 'cpuUsPerRequest'> & { requests: number }> {
  return new Promise((resolve, reject) => {
    autocannon(
      {
        url: `http://127.0.0.1:${port}${path ?? (body === null ? '/' : '/graphql')}`,
        connections,
        duration: seconds,
        method: body === null ? 'GET' : 'POST',
        headers: {
          'content-type': 'application/json',
          ...(key ? { authorization: `Bearer ${key}` } : {}),
          ...headers,
        },
        ...(typeof body === 'string' ? { body } : {}),
        ...(typeof body === 'function'
          ? { requests: [{ setupRequest: (request: autocannon.Request) => ({ ...request, body: body() }) }] }
          : {}),
      },
      (error, result) => {
        if (error) return reject(error);
        resolve({
          name,
          requestsPerSecond: result.requests.average,
          p50Ms: result.latency.p50,
          p99Ms: result.latency.p99,
          errors: result.errors,
          non2xx: result.non2xx,
          requests: result.requests.total,
        });
      },
    );
  });
}
