/**
 * Benchmark smoke run for CI, about a minute: exits 1, naming the ratio, when
 *   - a compiled rule costs more than 3× the same predicate written by hand in JavaScript, or
 *   - `evaluateAll` over 20 flags serves less than 25% of the requests per second of bare node:http,
 * and 0 otherwise. Both are ratios of two candidates measured in the same run, so a slower or busier
 * machine moves both sides alike. Each side's figure is its best of 3 short interleaved rounds, because
 * noise on a shared machine only ever makes a candidate slower, never faster (a flaky CI is worse than
 * none), and the ratio is taken between the two best figures.
 *
 *   npm run bench:smoke          (builds dist/ first when it is missing or older than src/)
 *
 * It runs the full benchmarks' own code, shorter: the rules and hand-written predicates of
 * bench/rule-eval.ts (bench/lib/rule-cases.ts, timed by bench/lib/timing.ts), and the CPU-pinned servers
 * and load generator of bench/gateway.ts (bench/lib/gateway-servers.ts). Figures are indicative only;
 * the full benchmarks give the ones to quote.
 */
import os from 'node:os';
import { rmSync } from 'node:fs';
import { ensureBuiltServer } from './lib/built-package.js';
import {
  context,
  createFlags,
  evaluationKey,
  type Figures,
  load,
  pinLoadGenerator,
  placement,
  startBareServer,
  startGateway,
  type Target,
} from './lib/gateway-servers.js';
import { contexts, evaluationLoop, loadRuleLanguage, type PreparedCase, prepareCases } from './lib/rule-cases.js';
import { formatDuration, formatRatio, median, renderTable } from './lib/stats.js';
import { compareRuns, type Loop, sinkTotal } from './lib/timing.js';

const MAX_RULE_RATIO = 3;
const MIN_GATEWAY_SHARE = 0.25;
const ROUNDS = 3;
const GATEWAY_SECONDS = 3;

interface Check {
  name: string;
  figures: string;
  /** Of the two sides' best figures. */
  ratio: number;
  limit: string;
  ok: boolean;
  /** Why it failed, naming the ratio. */
  failure: string;
}

// ---------------------------------------------------------------------------------------------------
// Rules: compiled vs hand-written, ns per evaluation

function ruleRound(testCase: PreparedCase, compiledLoop: Loop, handLoop: Loop): { compiledNs: number; handNs: number } {
  const [compiled, hand] = compareRuns(
    [
      (rounds) => compiledLoop(testCase.compiled, contexts, rounds),
      (rounds) => handLoop(testCase.hand, contexts, rounds),
    ],
    contexts.length,
    { runs: 5, runNs: 5e6 },
  ).wall;
  return { compiledNs: median(compiled!), handNs: median(hand!) };
}

function ruleCheck(testCase: PreparedCase): Check {
  const compiledLoop = evaluationLoop(`smoke compiled ${testCase.name}`);
  const handLoop = evaluationLoop(`smoke hand ${testCase.name}`);
  const rounds = Array.from({ length: ROUNDS }, () => ruleRound(testCase, compiledLoop, handLoop));
  const best = {
    compiledNs: Math.min(...rounds.map((round) => round.compiledNs)),
    handNs: Math.min(...rounds.map((round) => round.handNs)),
  };
  const ratio = best.compiledNs / best.handNs;
  return {
    name: `rule "${testCase.name}": compiled / hand-written`,
    figures: `${formatDuration(best.compiledNs)} vs ${formatDuration(best.handNs)}`,
    ratio,
    limit: `≤ ${MAX_RULE_RATIO}×`,
    ok: ratio <= MAX_RULE_RATIO,
    failure: `the compiled rule "${testCase.name}" (${testCase.source}) costs ${formatRatio(ratio)} its hand-written JavaScript (limit ${MAX_RULE_RATIO}×)`,
  };
}

// ---------------------------------------------------------------------------------------------------
// Gateway: evaluateAll(20) vs bare node:http, requests per second

async function gatewayCheck(): Promise<Check> {
  const bare = await startBareServer(47121);
  const gateway = await startGateway(47122);
  try {
    await createFlags(47122, 20);
    const key = await evaluationKey(47122);
    const query = 'query($context: JSON!) { evaluateAll(context: $context) { key value variation reason } }';
    const body = JSON.stringify({ query, variables: { context } });
    // The bare server is sent the same requests and reads their bodies (bench/gateway.ts).
    const targets: Target[] = [
      { name: 'bare node:http', server: bare, port: 47121, body, key: null },
      { name: 'evaluateAll (20 flags)', server: gateway.child, port: 47122, body, key },
    ];
    for (const target of targets) await load(target, 2, 0); // JIT warm-up, unmeasured
    const rounds: Array<[Figures, Figures]> = [];
    for (let round = 0; round < ROUNDS; round++)
      rounds.push([await load(targets[0]!, GATEWAY_SECONDS, 0), await load(targets[1]!, GATEWAY_SECONDS, 0)]);
    for (const [bareFigures, evaluateAll] of rounds) {
      const errors = bareFigures.errors + bareFigures.non2xx + evaluateAll.errors + evaluateAll.non2xx;
      if (errors > 0) throw new Error(`${errors} failed requests under load: the figures would not mean anything`);
    }
    const bestRate = (side: 0 | 1) => Math.max(...rounds.map((round) => round[side].requestsPerSecond));
    const [bareRate, evaluateAllRate] = [bestRate(0), bestRate(1)];
    const ratio = evaluateAllRate / bareRate;
    return {
      name: 'evaluateAll(20) / bare node:http',
      figures: `${evaluateAllRate.toFixed(0)} vs ${bareRate.toFixed(0)} req/s`,
      ratio,
      limit: `≥ ${MIN_GATEWAY_SHARE * 100}%`,
      ok: ratio >= MIN_GATEWAY_SHARE,
      failure: `evaluateAll over 20 flags serves ${(ratio * 100).toFixed(0)}% of bare node:http's requests per second (limit ${MIN_GATEWAY_SHARE * 100}%)`,
    };
  } finally {
    bare.kill('SIGTERM');
    gateway.child.kill('SIGTERM');
    await new Promise((resolve) => setTimeout(resolve, 300));
    rmSync(gateway.dir, { recursive: true, force: true });
  }
}

// ---------------------------------------------------------------------------------------------------
// The run

const started = Date.now();
ensureBuiltServer();
const dsl = await loadRuleLanguage('smoke');
const checks = prepareCases(dsl, 'smoke').map(ruleCheck);
pinLoadGenerator();
try {
  checks.push(await gatewayCheck());
} catch (error) {
  console.error(
    `bench:smoke FAILED: could not measure the gateway: ${error instanceof Error ? error.message : String(error)}`,
  );
  process.exit(1);
}

const gc = (globalThis as { gc?: () => void }).gc ? '' : ', without --expose-gc';
console.log(
  `Vexil benchmark smoke run: node ${process.version}, ${os.cpus()[0]?.model ?? 'unknown CPU'}, ${placement()}${gc}; best of ${ROUNDS} rounds`,
);
console.log(
  renderTable(
    ['check', 'best of each side', 'ratio', 'limit', ''],
    checks.map((check) => [
      check.name,
      check.figures,
      check.limit.startsWith('≥') ? `${(check.ratio * 100).toFixed(0)}%` : formatRatio(check.ratio),
      check.limit,
      check.ok ? 'ok' : 'FAIL',
    ]),
    ['left', 'right', 'right', 'left', 'left'],
  ),
);
console.log(`(${((Date.now() - started) / 1000).toFixed(0)} s; sink ${sinkTotal()})`);
const failed = checks.filter((check) => !check.ok);
for (const check of failed) console.error(`bench:smoke FAILED: ${check.failure}`);
process.exit(failed.length > 0 ? 1 : 0);
