/**
 * Gateway throughput: autocannon (50 connections) against the real server, in one run:
 *   - a bare node:http server reading the request body and answering a small JSON (the ceiling of this
 *     machine, as issue 19 sets it), sent the very requests `evaluateAll (20 flags)` is,
 *   - a bare node:http server that also parses that body and answers the gateway's own response bytes
 *     (what any Node server must do for this request: the gateway's part is what lies above it),
 *     and the same server writing its responses together at the end of each poll phase, as the gateway
 *     does (src/server/respond.ts),
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
 * Servers are CPU-pinned apart from the load generator where possible (see bench/lib/gateway-servers.ts).
 *
 * `evaluateAll (20 flags)` asks for one context, the same in every request, as the issue sets it;
 * `…, a new context per request` sends another user (targetingKey and userId) each time, so rollouts
 * land differently from one request to the next.
 *
 * Gateways run with NODE_ENV=production, as deployed (graphql-js skips its development-only checks);
 * set NODE_ENV to override. BENCH_PROFILE_DIR=<dir> writes a V8 CPU profile of each gateway there;
 * BENCH_ONLY=<text> measures only the targets whose name contains it (the first bare server and the
 * trivial query are kept as references), e.g. to profile one of them alone.
 *
 * `keys` against all 20 is then measured apart, in BENCH_KEY_PAIRS (default 8) pairs of
 * BENCH_KEY_PAIR_SECONDS (default 3) runs (see `compareKeys`); BENCH_KEY_PAIRS=0 skips it.
 */
import { rmSync } from 'node:fs';
import { ensureBuiltServer } from './lib/built-package.js';
import { edgeBody, edgeToken, startEdge } from './lib/edge-server.js';
import { median } from './lib/stats.js';
import {
  connections,
  context,
  createFlags,
  evaluationKey,
  type Figures,
  load,
  pinLoadGenerator,
  placement,
  responseText,
  startBareServer,
  startGateway,
  type Target,
} from './lib/gateway-servers.js';

const duration = Number(process.env.BENCH_SECONDS ?? 8);
const rounds = Number(process.env.BENCH_ROUNDS ?? 1);
/** Pairs of short runs for `keys` against all 20 (see `compareKeys`); 0 skips the comparison. */
const keyPairs = Number(process.env.BENCH_KEY_PAIRS ?? 8);
const keyPairSeconds = Number(process.env.BENCH_KEY_PAIR_SECONDS ?? 3);
/** The reference of the `vs trivial` column: the cost of GraphQL over HTTP itself. */
const trivialName = 'gateway { __typename }';
const allName = 'evaluateAll (20 flags)';
const keysName = 'evaluateAll (5 of the 20 flags, by keys)';
const ofrepBulkName = 'OFREP bulk (20 flags)';
const targetShareOfBare = 0.65;
const targetP99Ms = 10;

/** Every target `rounds` times, in turn; per target, the round with the median rate. */
async function measure(targets: Target[]): Promise<Figures[]> {
  const results = targets.map((): Figures[] => []);
  for (let round = 0; round < rounds; round++)
    for (const [index, target] of targets.entries()) results[index]!.push(await load(target, duration));
  return results.map(
    (figures) => figures.sort((a, b) => a.requestsPerSecond - b.requestsPerSecond)[Math.floor(figures.length / 2)]!,
  );
}

/**
 * `keys` (5 flags) against all 20, the issue's "never slower": the two differ by about a microsecond
 * in 30 (15 evaluations saved, a longer body parsed), less than one run differs from the next on a
 * shared machine, so a row of the table each cannot tell them apart. Here they run in pairs of short
 * runs on the same gateway, in alternating order, and each pair gives a ratio of server CPU per
 * request: a slow phase of the machine slows both runs of a pair alike, and the median of the
 * ratios is the verdict.
 */
async function compareKeys(all: Target, byKeys: Target): Promise<string> {
  const ratios: number[] = [];
  const cpu: { all: number[]; keys: number[] } = { all: [], keys: [] };
  for (let pair = 0; pair < keyPairs; pair++) {
    const order = pair % 2 === 0 ? [all, byKeys] : [byKeys, all];
    const [first, second] = [await load(order[0]!, keyPairSeconds, 1), await load(order[1]!, keyPairSeconds, 1)];
    const [a, k] = order[0] === all ? [first, second] : [second, first];
    if (a.cpuUsPerRequest === null || k.cpuUsPerRequest === null) return 'keys vs all 20: needs /proc (Linux)';
    cpu.all.push(a.cpuUsPerRequest);
    cpu.keys.push(k.cpuUsPerRequest);
    ratios.push(k.cpuUsPerRequest / a.cpuUsPerRequest);
  }
  const ratio = median(ratios);
  const slower = ratios.filter((pairRatio) => pairRatio > 1).length;
  const significant = signTestThreshold(ratios.length);
  const verdict =
    ratio <= 1
      ? 'ok (faster)'
      : slower < significant
        ? `ok (no difference this run can tell: ${slower} of ${ratios.length} pairs slower, ${significant} would be)`
        : `MISS (slower in ${slower} of ${ratios.length} pairs)`;
  return [
    `keys (5 of 20) vs all 20, ${keyPairs} pairs of ${keyPairSeconds} s runs in alternating order, server CPU per request:`,
    `  all 20 ${median(cpu.all).toFixed(1)} µs, by keys ${median(cpu.keys).toFixed(1)} µs; median ratio ${ratio.toFixed(3)} (pairs ${ratios.map((r) => r.toFixed(2)).join(' ')})`,
    `  target: by keys never slower: ${verdict}`,
  ].join('\n');
}

/**
 * The fewest of `pairs` pairs that must come out slower for "slower" to be more than chance: a
 * one-sided sign test at 5% (if the two cost the same, each pair is a coin toss).
 */
function signTestThreshold(pairs: number): number {
  const choose = (n: number, k: number): number => (k === 0 ? 1 : (choose(n, k - 1) * (n - k + 1)) / k);
  let tail = 0;
  for (let k = pairs; k >= 0; k--) {
    tail += choose(pairs, k) / 2 ** pairs;
    if (tail > 0.05) return k + 1;
  }
  return pairs + 1;
}

/** The issue's throughput targets, from the table: evaluateAll(20) and OFREP bulk against bare node:http. */
function verdicts(rows: Figures[]): string {
  const bare = rows[0]!;
  return rows
    .filter((row) => row.name === allName || row.name === ofrepBulkName)
    .map((row) => {
      const share = row.requestsPerSecond / bare.requestsPerSecond;
      const ok = share >= targetShareOfBare && row.p99Ms < targetP99Ms;
      return `${row.name}: ${(share * 100).toFixed(0)}% of bare node:http, p99 ${row.p99Ms} ms (target >= ${targetShareOfBare * 100}%, p99 < ${targetP99Ms} ms): ${ok ? 'ok' : 'MISS'}`;
    })
    .join('\n');
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
  return [header, ...lines]
    .map((line) =>
      line
        .map((cell, column) => (column === 0 ? cell.padEnd(widths[column]!) : cell.padStart(widths[column]!)))
        .join('  '),
    )
    .join('\n');
}

async function main(): Promise<void> {
  ensureBuiltServer();
  pinLoadGenerator();
  const bare = await startBareServer(47101);
  let sameBytes: Awaited<ReturnType<typeof startBareServer>> | null = null;
  let sameBytesTogether: Awaited<ReturnType<typeof startBareServer>> | null = null;
  const small = await startGateway(47102);
  const large = await startGateway(47103);
  const edgeBinary = process.env.VEXIL_BENCH_EDGE;
  let edge: Awaited<ReturnType<typeof startEdge>> | null = null;
  try {
    if (edgeBinary) edge = await startEdge(edgeBinary, 47104, 20);
    await createFlags(47102, 20);
    await createFlags(47103, 100);
    const smallKey = await evaluationKey(47102);
    const largeKey = await evaluationKey(47103);
    const evaluateAllQuery = 'query($context: JSON!) { evaluateAll(context: $context) { key value variation reason } }';
    const evaluateQuery =
      'query($context: JSON!) { evaluate(key: "bench-001", context: $context) { value variation reason } }';
    const body = (query: string, variables: Record<string, unknown> = { context }) =>
      JSON.stringify({ query, variables });
    const evaluateAllBytes = await responseText(47102, body(evaluateAllQuery), smallKey);
    sameBytes = await startBareServer(47105, { answer: evaluateAllBytes, parse: true });
    sameBytesTogether = await startBareServer(47106, { answer: evaluateAllBytes, parse: true, coalesce: true });
    let users = 0;
    const newUser = () => {
      const id = `user-${++users}`;
      return body(evaluateAllQuery, { context: { ...context, targetingKey: id, userId: id } });
    };
    const only = process.env.BENCH_ONLY;
    const targets: Target[] = [
      {
        name: 'bare node:http (reads the body, small JSON)',
        server: bare,
        port: 47101,
        body: body(evaluateAllQuery),
        key: null,
      },
      {
        name: "bare node:http (parses the body, evaluateAll(20)'s bytes)",
        server: sameBytes,
        port: 47105,
        body: body(evaluateAllQuery),
        key: null,
      },
      {
        name: 'bare node:http (the same, responses written together)',
        server: sameBytesTogether,
        port: 47106,
        body: body(evaluateAllQuery),
        key: null,
      },
      {
        name: trivialName,
        server: small.child,
        port: 47102,
        body: JSON.stringify({ query: '{ __typename }' }),
        key: smallKey,
      },
      { name: 'evaluate (1 flag)', server: small.child, port: 47102, body: body(evaluateQuery), key: smallKey },
      { name: allName, server: small.child, port: 47102, body: body(evaluateAllQuery), key: smallKey },
      {
        name: 'OFREP single (1 flag)',
        server: small.child,
        port: 47102,
        body: JSON.stringify({ context }),
        key: smallKey,
        path: '/ofrep/v1/evaluate/flags/bench-001',
      },
      {
        name: ofrepBulkName,
        server: small.child,
        port: 47102,
        body: JSON.stringify({ context }),
        key: smallKey,
        path: '/ofrep/v1/evaluate/flags',
      },
      {
        name: 'evaluateAll (20 flags), a new context per request',
        server: small.child,
        port: 47102,
        body: newUser,
        key: smallKey,
      },
      {
        name: keysName,
        server: small.child,
        port: 47102,
        body: body(
          'query($context: JSON!, $keys: [String!]) { evaluateAll(context: $context, keys: $keys) { key value variation reason } }',
          { context, keys: ['bench-000', 'bench-001', 'bench-002', 'bench-003', 'bench-004'] },
        ),
        key: smallKey,
      },
      {
        name: 'evaluateAll (100 flags)',
        server: large.child,
        port: 47103,
        body: body(evaluateAllQuery),
        key: largeKey,
      },
      ...(edge
        ? [
            {
              name: 'Unleash Edge, frontend API (20 flags, offline)',
              server: edge,
              port: 47104,
              body: edgeBody(),
              key: null,
              path: '/api/frontend',
              headers: { authorization: edgeToken },
            },
          ]
        : []),
    ];
    const rows = await measure(
      only
        ? targets.filter((target, index) => index === 0 || target.name === trivialName || target.name.includes(only))
        : targets,
    );
    const trivial = rows.find((row) => row.name === trivialName)!;
    console.log(
      `Vexil gateway benchmark: node ${process.version}, ${connections} connections, ${duration} s per run${rounds > 1 ? `, median of ${rounds} rounds` : ''}, ${placement()}`,
    );
    console.log(
      'target (issue 19): evaluateAll(20) >= 65% of bare node:http, p99 < 10 ms; by keys never slower than all 20; OFREP bulk in the same range\n',
    );
    console.log(table(rows, trivial));
    console.log(`\n${verdicts(rows)}`);
    const all = targets.find((target) => target.name === allName)!;
    const byKeys = targets.find((target) => target.name === keysName)!;
    if (keyPairs > 0 && (!only || keysName.includes(only))) console.log(`\n${await compareKeys(all, byKeys)}`);
    console.log(JSON.stringify({ benchmark: 'gateway', connections, duration, rounds, results: rows }));
  } finally {
    for (const child of [bare, sameBytes, sameBytesTogether, small.child, large.child, edge]) child?.kill('SIGTERM');
    await new Promise((resolve) => setTimeout(resolve, 500));
    for (const dir of [small.dir, large.dir]) rmSync(dir, { recursive: true, force: true });
  }
}

await main();
