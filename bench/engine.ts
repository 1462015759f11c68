/**
 * Flag-engine benchmark: `evaluate` of the seed flag next to a hand-written equivalent, `evaluateAll`
 * over 100 and 1,000 flags of mixed rules, and the time to build the snapshots of 10,000 flags.
 *
 *   npx tsc -p tsconfig.json && npx tsx bench/engine.ts      (or `npm run bench -- engine`)
 *
 * Method (shared with bench/rule-eval.ts through bench/lib/timing.ts):
 *   - The code under test is the BUILT package (dist/). tsx transpiles this file with esbuild, whose
 *     keep-names transform wraps functions in `__name()`; anything timed in a hot loop (the loops and the
 *     hand-written evaluator) is therefore created with `new Function` from plain source strings, never
 *     written as a closure in this file.
 *   - Each loop is a fresh function made unique by a comment, so V8 shares no compiled code or type
 *     feedback between candidates: every call site in a loop sees exactly one target (monomorphic).
 *   - Contexts are JSON-parsed, deterministic pseudo-random and shaped like real traffic (a few optional
 *     attributes missing). The seed-flag contexts hit every rule and the default.
 *   - Warm-up first, then ≥ 7 interleaved runs per candidate; figures are medians. Every loop folds what
 *     it computed into a sink that is printed at the end, so no work is dead code, and the hand-written
 *     evaluator is first checked to return the same result as the engine for every context.
 *   - Timing is monotonic (`process.hrtime.bigint()`); run with --expose-gc (run-all does) for a GC
 *     before each sample.
 *   - Snapshot build: a fresh engine (empty rule cache) per sample, and rule literals unique per flag AND
 *     per sample, because V8 caches `new Function` by source text: reloading identical rules would skip
 *     V8's parse and flatter later samples.
 */
import os from 'node:os';
import type * as Vexil from '../src/index.js';
import { formatDuration, formatRatio, renderTable, summarize } from './lib/stats.js';
import { loadBuiltPackage } from './lib/built-package.js';
import { compareRuns, elapsedNs, gc, keep, type Loop, lastCpuNs, sinkTotal, uniqueLoop } from './lib/timing.js';
import { countryWeights, firstNames, lastNames, seededRandom } from './lib/random.js';

// ---------------------------------------------------------------------------------------------------
// The built package (types from the sources, code from dist/)

const vexil = await loadBuiltPackage<typeof Vexil>('engine', ['dsl', 'flags']);
type Flag = Vexil.Flag;
type Segment = Vexil.Segment;
type Serve = Vexil.Serve;
type FlagEngine = Vexil.FlagEngine;

// ---------------------------------------------------------------------------------------------------
// Deterministic randomness and contexts

const { random, weighted, pick } = seededRandom(20250101);

/** A context as an SDK would send it. About 10% staff, 25% paying, 3% named beta users. */
function makeContext(index: number): Record<string, unknown> {
  const first = pick(firstNames);
  const last = pick(lastNames);
  const staff = random() < 0.1;
  const context: Record<string, unknown> = {
    targetingKey: `acct-${100_000 + Math.floor(random() * 900_000)}-${index}`,
    userId: index % 33 === 5 ? pick(['user_123', 'user_456']) : `user_${100_000 + Math.floor(random() * 900_000)}`,
    email: `${first}.${last}${Math.floor(random() * 100)}@${
      staff
        ? 'company.com'
        : weighted([
            ['gmail.com', 40],
            ['outlook.com', 20],
            ['example.org', 15],
            ['company.co', 3],
            ['yahoo.co.jp', 10],
          ])
    }`,
    plan: weighted([
      ['free', 55],
      ['pro', 20],
      ['premium', 18],
      ['enterprise', 7],
    ]),
    country: weighted(countryWeights),
    accountAgeDays: Math.floor(random() ** 2 * 2000),
    appVersion: `${weighted([
      ['3', 70],
      ['2', 30],
    ])}.${Math.floor(random() * 12)}.${Math.floor(random() * 5)}`,
    device: { os: pick(['ios', 'android', 'web', 'macos', 'windows']), model: `m-${Math.floor(random() * 50)}` },
    beta: random() < 0.1,
  };
  if (random() < 0.05) delete context.email;
  if (random() < 0.04) delete context.accountAgeDays;
  if (random() < 0.02) delete context.country;
  return context;
}
const contexts = JSON.parse(JSON.stringify(Array.from({ length: 1000 }, (_, index) => makeContext(index)))) as Array<
  Record<string, unknown>
>;

const NOW = new Date('2025-01-01T00:00:00.000Z');
const environmentKeys = ['development', 'staging', 'production'] as const;
const environments = environmentKeys.map((key) => ({ key, name: key, createdAt: NOW.toISOString() }));
const ENV = 'production';

// ---------------------------------------------------------------------------------------------------
// Timed loops (the machinery is bench/lib/timing.ts)

/** A fresh, uniquely named loop calling `engine.evaluate(key, context, options)` for every context. */
function engineEvaluateLoop(label: string): Loop {
  return uniqueLoop(
    `engine evaluate loop: ${label}`,
    ['engine', 'key', 'options', 'contexts', 'rounds'],
    `let count = 0;
    const n = contexts.length;
    for (let r = 0; r < rounds; r++) {
      for (let i = 0; i < n; i++) {
        const result = engine.evaluate(key, contexts[i], options);
        if (result.value === true) count++;
        if (result.reason === "SPLIT") count += 2;
      }
    }
    return count;`,
  );
}

/** The same loop shape around a plain function `evaluate(context)`. */
function handEvaluateLoop(label: string): Loop {
  return uniqueLoop(
    `hand evaluate loop: ${label}`,
    ['evaluate', 'contexts', 'rounds'],
    `let count = 0;
    const n = contexts.length;
    for (let r = 0; r < rounds; r++) {
      for (let i = 0; i < n; i++) {
        const result = evaluate(contexts[i]);
        if (result.value === true) count++;
        if (result.reason === "SPLIT") count += 2;
      }
    }
    return count;`,
  );
}

function evaluateAllLoop(label: string): Loop {
  return uniqueLoop(
    `evaluateAll loop: ${label}`,
    ['engine', 'options', 'contexts', 'rounds'],
    `let count = 0;
    const n = contexts.length;
    for (let r = 0; r < rounds; r++) {
      for (let i = 0; i < n; i++) {
        const results = engine.evaluateAll(contexts[i], options);
        count += results.length;
        if (results[i % results.length].value === true) count++;
      }
    }
    return count;`,
  );
}

// Many short runs rather than a few long ones: on a busy machine a short run is more often left alone,
// and the median discards the runs that were not.
const RUNS = 15;
const RUN_NS = 10e6;
const runOptions = { runs: RUNS, runNs: RUN_NS };

// ---------------------------------------------------------------------------------------------------
// 1. The seed flag: engine.evaluate vs. a hand-written evaluator

const seed = vexil.seedFlag(NOW);
const seedEngine = new vexil.FlagEngine();
seedEngine.load({ environments, flags: [seed], segments: [] });

/**
 * `new_checkout` by hand, as a team would write it without a flag engine: the three rules in order,
 * returning a freshly allocated result object with the same fields as the engine's (reason included).
 * The 10% rollout calls the exported `bucketIndex(salt, targetingKey)` (MurmurHash3 of "salt:key"), so
 * both sides pay for the same hash and the comparison measures the engine around it, not the hash.
 */
const handSeedSource = `
  const KEY = "new_checkout";
  const SALT = "new_checkout";
  return function evaluateNewCheckout(ctx) {
    const email = ctx.email;
    if (typeof email === "string" && email.endsWith("@company.com")) {
      return { key: KEY, value: true, variation: "on", reason: "TARGETING_MATCH", ruleIndex: 0, ruleId: "staff", inRollout: undefined, errorCode: undefined, errorMessage: undefined, flagVersion: 1 };
    }
    const plan = ctx.plan;
    if (plan === "premium" || plan === "enterprise") {
      const bucket = bucketIndex(SALT, ctx.targetingKey);
      if (bucket < 0) {
        return { key: KEY, value: undefined, variation: null, reason: "ERROR", ruleIndex: undefined, ruleId: undefined, inRollout: undefined, errorCode: "TARGETING_KEY_MISSING", errorMessage: "a percentage rollout needs 'targetingKey' (a string or number) in the context", flagVersion: 1 };
      }
      const on = bucket < 10000;
      return { key: KEY, value: on, variation: on ? "on" : "off", reason: "SPLIT", ruleIndex: 1, ruleId: "paying-10pct", inRollout: on, errorCode: undefined, errorMessage: undefined, flagVersion: 1 };
    }
    const userId = ctx.userId;
    if (userId === "user_123" || userId === "user_456") {
      return { key: KEY, value: true, variation: "on", reason: "TARGETING_MATCH", ruleIndex: 2, ruleId: "beta-users", inRollout: undefined, errorCode: undefined, errorMessage: undefined, flagVersion: 1 };
    }
    return { key: KEY, value: false, variation: "off", reason: "DEFAULT", ruleIndex: undefined, ruleId: undefined, inRollout: undefined, errorCode: undefined, errorMessage: undefined, flagVersion: 1 };
  };`;
const handSeed = new Function('bucketIndex', `// hand-written new_checkout\n${handSeedSource}`)(vexil.bucketIndex) as (
  context: unknown,
) => Vexil.EvaluationResult;

const resultFields = [
  'key',
  'value',
  'variation',
  'reason',
  'ruleIndex',
  'ruleId',
  'inRollout',
  'errorCode',
  'errorMessage',
  'flagVersion',
] as const;
const pathHits = new Map<string, number>();
for (const context of contexts) {
  const expected = seedEngine.evaluate('new_checkout', context, { environment: ENV });
  const actual = handSeed(context);
  for (const field of resultFields) {
    if (!Object.is(expected[field], actual[field])) {
      console.error(
        `bench/engine: the hand-written new_checkout disagrees with the engine on ${field} for ${JSON.stringify(context)}`,
      );
      process.exit(1);
    }
  }
  const path = `${expected.reason}${expected.ruleIndex === undefined ? '' : ` rule ${expected.ruleIndex + 1}`}${expected.reason === 'SPLIT' ? (expected.inRollout ? ' (in)' : ' (out)') : ''}`;
  pathHits.set(path, (pathHits.get(path) ?? 0) + 1);
}
for (const required of [
  'TARGETING_MATCH rule 1',
  'SPLIT rule 2 (in)',
  'SPLIT rule 2 (out)',
  'TARGETING_MATCH rule 3',
  'DEFAULT',
]) {
  if (!pathHits.has(required)) {
    console.error(`bench/engine: the seed contexts never reach "${required}"`);
    process.exit(1);
  }
}

const seedOptions = { environment: ENV };
const engineLoop = engineEvaluateLoop('seed flag');
const handLoop = handEvaluateLoop('seed flag by hand');
const seedRuns = compareRuns(
  [
    (rounds) => engineLoop(seedEngine, 'new_checkout', seedOptions, contexts, rounds),
    (rounds) => handLoop(handSeed, contexts, rounds),
  ],
  contexts.length,
  runOptions,
);
const [engineSamples, handSamples] = seedRuns.wall;
const seedEngineNs = summarize(engineSamples!);
const seedHandNs = summarize(handSamples!);
const seedEngineCpuNs = summarize(seedRuns.cpu[0]!).median;
const seedHandCpuNs = summarize(seedRuns.cpu[1]!).median;
// The ratio is the median of per-run ratios: each engine run is paired with the adjacent hand-written
// run, so a slow phase of the machine slows both sides of a pair alike.
const seedRatio = summarize(engineSamples!.map((ns, run) => ns / handSamples![run]!)).median;

// ---------------------------------------------------------------------------------------------------
// 2. evaluateAll over 100 and 1,000 flags of mixed rules

const booleanVariations = [
  { key: 'on', value: true },
  { key: 'off', value: false },
];

function percentServe(percent: number, bucketBy?: string): Serve {
  const on = Math.round(percent * 1000);
  const weights = [
    { variation: 'on', weight: on },
    { variation: 'off', weight: 100_000 - on },
  ];
  return { rollout: bucketBy ? { bucketBy, weights } : { weights } };
}

const countryLists = [
  ['US', 'CA'],
  ['GB', 'DE', 'FR', 'NL', 'ES'],
  ['IN', 'JP', 'AU'],
  ['BR', 'MX', 'US', 'CA', 'GB', 'DE', 'FR', 'NL', 'ES', 'IN'],
];

/**
 * Flag `i` of a mixed population; `unique` goes into literals so every flag's rules are its own.
 * Kinds, cycling: plain variation, equality, `in` list, endsWith, bucket(), semver, segment(), rollout,
 * and a compound of several.
 */
function mixedFlag(i: number, unique: number): Flag {
  const threshold = unique;
  const rules: Array<{ condition: string; serve: Serve }> = [];
  let defaultServe: Serve = { variation: 'off' };
  switch (i % 9) {
    case 0:
      defaultServe = { variation: i % 2 ? 'on' : 'off' };
      break;
    case 1:
      rules.push({ condition: `plan == "premium" and accountAgeDays > ${threshold}`, serve: { variation: 'on' } });
      rules.push({
        condition: `country == "${pick(['US', 'DE', 'FR', 'JP'])}" and accountAgeDays != ${unique}`,
        serve: { variation: 'on' },
      });
      break;
    case 2:
      rules.push({
        condition: `country in ${JSON.stringify(countryLists[i % countryLists.length])} and accountAgeDays >= ${threshold}`,
        serve: { variation: 'on' },
      });
      break;
    case 3:
      rules.push({
        condition: `email endsWith "@company.com" or userId == "user_${unique}"`,
        serve: { variation: 'on' },
      });
      break;
    case 4:
      rules.push({ condition: `bucket(userId) < ${(unique % 100) + 0.5}`, serve: { variation: 'on' } });
      break;
    case 5:
      rules.push({
        condition: `semver(appVersion) >= semver("3.${unique % 12}.${unique % 5}")`,
        serve: { variation: 'on' },
      });
      break;
    case 6:
      rules.push({
        condition: `segment("${i % 2 ? 'beta-testers' : 'internal'}") and accountAgeDays != ${threshold}`,
        serve: { variation: 'on' },
      });
      break;
    case 7:
      rules.push({
        condition: `plan in ["premium", "enterprise"] and accountAgeDays > ${threshold}`,
        serve: percentServe(10 + (unique % 80)),
      });
      defaultServe = percentServe(unique % 50);
      break;
    default:
      rules.push({
        condition: `device.os == "ios" and semver(appVersion) < semver("2.${unique % 12}.0")`,
        serve: { variation: 'off' },
      });
      rules.push({
        condition: `beta or userId in ["user_${unique}", "user_${unique + 1}"]`,
        serve: { variation: 'on' },
      });
      rules.push({
        condition: `country not in ["IN", "BR"] and accountAgeDays < ${threshold + 100}`,
        serve: percentServe(25, 'userId'),
      });
  }
  const key = `flag-${String(i).padStart(5, '0')}`;
  const config = (on: boolean) => ({
    on,
    offVariation: 'off',
    rules: rules.map((rule, index) => ({ id: `r${index}`, ...rule })),
    defaultServe,
  });
  return {
    key,
    name: key,
    description: `benchmark flag ${i}`,
    kind: 'release',
    valueType: 'boolean',
    variations: booleanVariations,
    tags: [],
    owner: 'bench',
    createdAt: NOW.toISOString(),
    updatedAt: NOW.toISOString(),
    expiresAt: '2026-01-01T00:00:00.000Z',
    archived: false,
    version: 1,
    salt: key,
    environments: { development: config(true), staging: config(i % 10 !== 0), production: config(i % 25 !== 0) },
  };
}

function benchSegments(): Segment[] {
  const segments: Segment[] = [];
  for (const environment of environmentKeys) {
    const common = {
      environment,
      description: '',
      version: 1,
      createdAt: NOW.toISOString(),
      updatedAt: NOW.toISOString(),
    };
    segments.push({
      ...common,
      key: 'beta-testers',
      name: 'Beta testers',
      included: contexts.filter((_, i) => i % 7 === 0).map((context) => String(context.targetingKey)),
      excluded: [String(contexts[7]!.targetingKey)],
      condition: 'beta',
    });
    segments.push({
      ...common,
      key: 'internal',
      name: 'Internal',
      included: [],
      excluded: [],
      condition: 'email endsWith "@company.com"',
    });
  }
  return segments;
}

const kindNames = [
  'plain',
  'equality',
  'in list',
  'endsWith',
  'bucket()',
  'semver',
  'segment()',
  'rollout',
  'compound',
];

/** An engine of `count` mixed flags, or (with `onlyKind`) of `count` flags of that one kind. */
function mixedEngine(count: number, onlyKind?: number): FlagEngine {
  const flags = Array.from({ length: count }, (_, i) =>
    vexil.validateFlag(mixedFlag(onlyKind === undefined ? i : i * kindNames.length + onlyKind, i), NOW.toISOString()),
  );
  const engine = new vexil.FlagEngine();
  engine.load({ environments, flags, segments: benchSegments() });
  return engine;
}

interface AllResult {
  flags: number;
  perCall: ReturnType<typeof summarize>;
  cpuPerCall: number;
}
const allResults: AllResult[] = [];
for (const count of [100, 1000]) {
  const engine = mixedEngine(count);
  const options = { environment: ENV };
  const served = engine.evaluateAll(contexts[0], options);
  if (served.length !== count || served.some((result) => result.reason === 'ERROR')) {
    console.error(
      `bench/engine: evaluateAll over ${count} flags returned ${served.length} results, errors: ${served.filter((result) => result.reason === 'ERROR').length}`,
    );
    process.exit(1);
  }
  const loop = evaluateAllLoop(`${count} flags`);
  const runs = compareRuns([(rounds) => loop(engine, options, contexts, rounds)], contexts.length, runOptions);
  allResults.push({ flags: count, perCall: summarize(runs.wall[0]!), cpuPerCall: summarize(runs.cpu[0]!).median });
}

// Where the time goes: 100 flags of one kind at a time.
const kindResults: Array<{ kind: string; perFlag: number; cpuPerFlag: number }> = [];
for (const [kind, name] of kindNames.entries()) {
  const engine = mixedEngine(100, kind);
  const loop = evaluateAllLoop(`100 flags of kind ${name}`);
  const runs = compareRuns(
    [(rounds) => loop(engine, { environment: ENV }, contexts, rounds)],
    contexts.length * 100,
    runOptions,
  );
  kindResults.push({
    kind: name,
    perFlag: summarize(runs.wall[0]!).median,
    cpuPerFlag: summarize(runs.cpu[0]!).median,
  });
}

// Which reasons the mixed population produces, over all contexts (to show the rules are exercised).
const reasonMix = new Map<string, number>();
{
  const engine = mixedEngine(1000);
  for (const context of contexts)
    for (const result of engine.evaluateAll(context, { environment: ENV }))
      reasonMix.set(result.reason, (reasonMix.get(result.reason) ?? 0) + 1);
}

// ---------------------------------------------------------------------------------------------------
// 3. Building the snapshots of 10,000 flags (3 environments)

const BUILD_FLAGS = 10_000;
const BUILD_RUNS = 7;
let buildSerial = 0;

/** One cold load: a fresh engine and flags whose rule literals no earlier load has used. */
function timedLoad(count: number): { ns: number; cpuNs: number; rules: number; distinct: number } {
  const base = 1_000_000 * ++buildSerial;
  const flags = Array.from({ length: count }, (_, i) => mixedFlag(i, base + i));
  const segments = benchSegments();
  const distinct = new Set(
    flags.flatMap((entry) =>
      Object.values(entry.environments).flatMap((config) => config.rules.map((rule) => rule.condition)),
    ),
  ).size;
  gc?.();
  const engine = new vexil.FlagEngine();
  const ns = elapsedNs(() => {
    engine.load({ environments, flags, segments });
    return engine.version;
  });
  const cpuNs = lastCpuNs();
  const snapshot = engine.snapshot(ENV)!;
  keep(snapshot.flags.size + engine.version);
  let rules = 0;
  for (const compiled of snapshot.flags.values()) rules += compiled.rules.length;
  return { ns, cpuNs, rules: rules * environmentKeys.length, distinct };
}

for (let i = 0; i < 3; i++) timedLoad(2_000); // warm-up: the compiler's own code gets optimised
const buildSamples: number[] = [];
const buildCpuSamples: number[] = [];
let buildRules = 0;
let buildDistinct = 0;
for (let run = 0; run < BUILD_RUNS; run++) {
  const { ns, cpuNs, rules, distinct } = timedLoad(BUILD_FLAGS);
  buildSamples.push(ns);
  buildCpuSamples.push(cpuNs);
  buildRules = rules;
  buildDistinct = distinct;
}
const build = summarize(buildSamples);
const buildCpu = summarize(buildCpuSamples).median;

// ---------------------------------------------------------------------------------------------------
// Report

const verdict = (ok: boolean) => (ok ? 'ok' : 'MISS');
const spread = (summary: ReturnType<typeof summarize>) =>
  `${formatDuration(summary.p10)} – ${formatDuration(summary.p90)}`;
const cpuModel = os.cpus()[0]?.model ?? 'unknown CPU';
const busy = os.loadavg()[0]! > os.cpus().length * 0.75;

console.log(
  `Vexil flag-engine benchmark: node ${process.version}, ${cpuModel} (${os.cpus().length} cores), load average ${os
    .loadavg()
    .map((load) => load.toFixed(2))
    .join(' ')}`,
);
console.log(
  `code under test: dist/ (built); ${contexts.length} JSON-parsed contexts; medians of ${RUNS} runs after warm-up${gc ? '' : ' (run with --expose-gc for a GC before each run)'}`,
);
console.log(
  'wall = monotonic wall clock (verdicts use it); cpu = process CPU time over the same runs (ignores time spent descheduled)',
);
if (busy)
  console.log(
    `warning: the machine is busy (load average ${os.loadavg()[0]!.toFixed(2)} on ${os.cpus().length} cores): wall figures are inflated and noisy; cpu figures and ratios hold up better`,
  );
console.log('');
console.log(
  '1. evaluate(new_checkout): engine vs. hand-written JS (same result object, reason included; same bucketIndex)',
);
console.log(
  `   paths over the contexts: ${[...pathHits]
    .sort()
    .map(([path, hits]) => `${path} ${hits}`)
    .join(', ')}`,
);
console.log('');
console.log(
  renderTable(
    ['candidate', 'wall / evaluate', 'p10 – p90', 'cpu / evaluate', 'ratio', 'target', 'verdict'],
    [
      [
        'engine.evaluate',
        formatDuration(seedEngineNs.median),
        spread(seedEngineNs),
        formatDuration(seedEngineCpuNs),
        formatRatio(seedRatio),
        '≤ 2.00×',
        verdict(seedRatio <= 2),
      ],
      [
        'hand-written',
        formatDuration(seedHandNs.median),
        spread(seedHandNs),
        formatDuration(seedHandCpuNs),
        formatRatio(1),
        '',
        '',
      ],
    ],
    ['left', 'right', 'right', 'right', 'right', 'right', 'left'],
  ),
);
console.log('   ratio: median over runs of engine/hand of adjacent (paired) runs');
console.log('');
console.log(
  '2. evaluateAll(context) over mixed flags (plain, ==, in, endsWith, bucket(), semver, segment(), rollouts, compounds)',
);
console.log(
  `   reasons served (1,000 flags × ${contexts.length} contexts): ${[...reasonMix].map(([reason, hits]) => `${reason} ${hits}`).join(', ')}`,
);
console.log('');
console.log(
  renderTable(
    ['flags', 'wall / call', 'p10 – p90', 'wall / flag', 'cpu / call', 'cpu / flag', 'target', 'verdict'],
    allResults.map(({ flags, perCall, cpuPerCall }) => [
      flags.toLocaleString('en-US'),
      formatDuration(perCall.median),
      spread(perCall),
      formatDuration(perCall.median / flags),
      formatDuration(cpuPerCall),
      formatDuration(cpuPerCall / flags),
      flags === 100 ? '< 20 µs' : '',
      flags === 100 ? verdict(perCall.median < 20_000) : '',
    ]),
    ['right', 'right', 'right', 'right', 'right', 'right', 'right', 'left'],
  ),
);
console.log('');
console.log('   per flag, by kind of rule (evaluateAll over 100 flags of one kind):');
console.log('');
console.log(
  renderTable(
    ['kind', 'example condition (first rule)', 'wall / flag', 'cpu / flag'],
    kindResults.map(({ kind, perFlag, cpuPerFlag }, index) => [
      kind,
      mixedFlag(index, 42).environments.production!.rules[0]?.condition ?? '(no rules: default serve)',
      formatDuration(perFlag),
      formatDuration(cpuPerFlag),
    ]),
    ['left', 'left', 'right', 'right'],
  ).replace(/^/gm, '   '),
);
console.log('');
console.log(
  `3. engine.load: snapshots of ${BUILD_FLAGS.toLocaleString('en-US')} flags × ${environmentKeys.length} environments, fresh engine (cold rule cache) per load`,
);
console.log(
  `   ${buildRules.toLocaleString('en-US')} targeting rules = ${(buildRules / environmentKeys.length).toLocaleString('en-US')} per environment, each flag's compiled once (cache keyed by condition + salt) and shared by its environments; ${buildDistinct.toLocaleString('en-US')} distinct condition texts`,
);
console.log('');
console.log(
  renderTable(
    ['build', 'wall median', 'min – max', 'wall / flag', 'cpu median', 'target', 'verdict'],
    [
      [
        `${BUILD_FLAGS.toLocaleString('en-US')} flags`,
        formatDuration(build.median),
        `${formatDuration(build.min)} – ${formatDuration(build.max)}`,
        formatDuration(build.median / BUILD_FLAGS),
        formatDuration(buildCpu),
        '< 2 s',
        verdict(build.median < 2e9),
      ],
    ],
    ['left', 'right', 'right', 'right', 'right', 'right', 'left'],
  ),
);
console.log(`   (${build.samples} cold loads after 3 warm-up loads of 2,000 flags)`);
console.log('');
console.log(`(sink ${sinkTotal()})`);
