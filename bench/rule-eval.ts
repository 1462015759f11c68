/**
 * Rule-language benchmark: evaluation cost of compiled rules next to the same predicates written by hand
 * in JavaScript, cold compile time and cache-hit time.
 *
 *   npx tsx bench/rule-eval.ts          (or `npm run bench`; needs a build: npm run build)
 *
 * Method:
 *   - The code under test is the BUILT package (dist/). tsx transpiles this file with esbuild, whose
 *     keep-names transform wraps functions in `__name()`; anything timed in a hot loop is therefore created
 *     with `new Function` from plain source strings (hand-written predicates and the timing loops), never
 *     written as a closure in this file.
 *   - Each candidate gets its own loop function, made unique by a comment so V8 does not share compiled
 *     code or feedback between them: every call site in a loop sees exactly one target (monomorphic).
 *   - 1000 realistic, varied contexts (JSON-parsed; a few optional attributes missing, as in real traffic).
 *     Compiled rules are called as the engine calls them, `evaluate(context, scope, true)`: the engine
 *     checks once per evaluation that the context is a plain object and vouches for it, so no rule
 *     re-checks (the check, an `Object.getPrototypeOf` call, costs about 10 ns; see property-read.ts).
 *     Hand-written predicates ignore the extra arguments.
 *   - Warm-up first, then ≥ 11 interleaved runs per candidate; figures are medians. Every loop counts
 *     matches into a sink that is printed, so no work can be eliminated as dead code, and each hand-written
 *     predicate is first checked to agree with its compiled rule on every context.
 *   - Cold compile: a fresh RuleCompiler (empty cache) per sample, after warming the compiler up on a
 *     corpus of rules; timed per compile. V8 caches `new Function` by source text, so a recompiled identical
 *     rule skips V8's parse: the "unique" column compiles a variant with a distinct literal per sample.
 *   - Cache hit: `compile()` of a cached rule in a loop.
 */
import os from 'node:os';
import { formatDuration, formatRatio, median, renderTable, summarize } from './lib/stats.js';
import { loadBuiltPackage } from './lib/built-package.js';
import { firstNames, lastNames, seededRandom } from './lib/random.js';

// ---------------------------------------------------------------------------------------------------
// The built package

interface CompiledRule {
  source: string;
  evaluate: (context: unknown) => boolean;
}
interface RuleCompilerLike {
  compile(source: string, options?: { salt?: string }): CompiledRule;
}
const dsl = await loadBuiltPackage<{
  RuleCompiler: new (options?: { cacheSize?: number }) => RuleCompilerLike;
  hashSaltedText: (salt: string, text: string) => number;
}>('rule-eval', ['dsl']);

// ---------------------------------------------------------------------------------------------------
// Contexts: deterministic pseudo-random, shaped like evaluation contexts of a SaaS product

const { random, weighted, pick } = seededRandom(20240601);

function makeContext(index: number): Record<string, unknown> {
  const first = pick(firstNames);
  const last = pick(lastNames);
  const context: Record<string, unknown> = {
    userId: index % 41 === 7 ? pick(['u13', 'u42', 'u77']) : `u${100_000 + Math.floor(random() * 900_000)}`,
    email: `${first}.${last}${Math.floor(random() * 100)}@${weighted([['company.com', 12], ['gmail.com', 40], ['outlook.com', 20], ['example.org', 15], ['company.co', 3], ['yahoo.co.jp', 10]])}`,
    plan: weighted([['free', 55], ['pro', 25], ['premium', 15], ['enterprise', 5]]),
    country: weighted([['US', 30], ['CA', 8], ['GB', 10], ['DE', 9], ['FR', 8], ['IN', 10], ['BR', 7], ['JP', 6], ['AU', 4], ['NL', 3], ['ES', 3], ['MX', 2]]),
    accountAgeDays: Math.floor(random() ** 2 * 2000),
    locale: pick(['en-US', 'en-GB', 'de-DE', 'fr-FR', 'ja-JP', 'pt-BR']),
    appVersion: `${weighted([['3', 70], ['2', 30]])}.${Math.floor(random() * 12)}.${Math.floor(random() * 5)}`,
    device: { os: pick(['ios', 'android', 'web', 'macos', 'windows']), model: `m-${Math.floor(random() * 50)}` },
    tags: Array.from({ length: Math.floor(random() * 4) }, () => pick(['beta-tester', 'churn-risk', 'vip', 'partner', 'internal'])),
    beta: random() < 0.1,
  };
  // Real traffic is not uniform: some clients omit attributes (giving V8 a few object shapes to handle).
  if (random() < 0.05) delete context.email;
  if (random() < 0.04) delete context.accountAgeDays;
  if (random() < 0.02) delete context.country;
  return context;
}
const contexts = JSON.parse(JSON.stringify(Array.from({ length: 1000 }, (_, index) => makeContext(index)))) as Array<Record<string, unknown>>;

// ---------------------------------------------------------------------------------------------------
// The rules and their hand-written equivalents (factory bodies, compiled with `new Function`)

const SALT = 'new-checkout';

/**
 * MurmurHash3_x86_32 (seed 0) written the way a team would hand-roll `bucket(userId) < 25`: plain JS over
 * `charCodeAt`, 4 bytes at a time, on `salt + ":" + id`. It assumes ASCII ids (ours are), which is what
 * makes it the fastest honest baseline. We deliberately do NOT call the exported `hashSaltedText`: the
 * hand side would then run the library's own hash and the comparison would only measure the rule wrapper.
 * Writing it independently also cross-checks the library: both must agree on every id (checked below).
 */
const murmurSource = `
function murmur3(text) {
  const length = text.length;
  let h = 0;
  let i = 0;
  for (; i + 4 <= length; i += 4) {
    let k = text.charCodeAt(i) | (text.charCodeAt(i + 1) << 8) | (text.charCodeAt(i + 2) << 16) | (text.charCodeAt(i + 3) << 24);
    k = Math.imul(k, 0xcc9e2d51);
    k = (k << 15) | (k >>> 17);
    h ^= Math.imul(k, 0x1b873593);
    h = (h << 13) | (h >>> 19);
    h = (Math.imul(h, 5) + 0xe6546b64) | 0;
  }
  let k = 0;
  switch (length & 3) {
    case 3: k ^= text.charCodeAt(i + 2) << 16;
    case 2: k ^= text.charCodeAt(i + 1) << 8;
    case 1:
      k ^= text.charCodeAt(i);
      k = Math.imul(k, 0xcc9e2d51);
      k = (k << 15) | (k >>> 17);
      h ^= Math.imul(k, 0x1b873593);
  }
  h ^= length;
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h >>> 0;
}
`;

interface Case {
  name: string;
  source: string;
  options: { salt?: string };
  /** Body of a factory returning the hand-written predicate. */
  hand: string;
}

const cases: Case[] = [
  {
    name: 'equality',
    source: 'plan == "premium"',
    options: {},
    hand: 'return (ctx) => ctx.plan === "premium";',
  },
  {
    name: 'compound',
    source: '(plan == "premium" or accountAgeDays > 30) and country in ["US","CA","GB"] and not (userId in ["u13","u42","u77"])',
    options: {},
    hand: `
      const countries = ["US", "CA", "GB"];
      const blocked = ["u13", "u42", "u77"];
      return (ctx) => (ctx.plan === "premium" || ctx.accountAgeDays > 30) && countries.includes(ctx.country) && !blocked.includes(ctx.userId);`,
  },
  {
    name: 'endsWith',
    source: 'email endsWith "@company.com"',
    options: {},
    hand: `return (ctx) => { const email = ctx.email; return typeof email === "string" && email.endsWith("@company.com"); };`,
  },
  {
    name: 'bucket',
    source: 'bucket(userId) < 25',
    options: { salt: SALT },
    hand: `${murmurSource}
      const prefix = ${JSON.stringify(`${SALT}:`)};
      return (ctx) => {
        const id = ctx.userId;
        if (typeof id !== "string") return false;
        return Math.floor((murmur3(prefix + id) * 100000) / 4294967296) / 1000 < 25;
      };`,
  },
];

/** Other rules the compiler is warmed up on, so cold-compile samples measure optimised compiler code. */
const warmUpCorpus = [
  'country not in ["FR", "DE"] and beta',
  'lower(email) matches "^[a-z]+\\\\.[a-z]+[0-9]*@company\\\\.com$"',
  'semver(appVersion) >= semver("3.2.0") or tags contains "beta-tester"',
  'device.os == "ios" && accountAgeDays >= 7 && accountAgeDays < 365',
  'attrs["x-team"] startsWith "pay" or !(plan in ["free"])',
  'date(signupDate) < date("2024-01-01T00:00:00Z") and len(tags) > 2',
];

// ---------------------------------------------------------------------------------------------------
// Timing machinery

let sink = 0;
let loopSerial = 0;
const gc = (globalThis as { gc?: () => void }).gc;

type Loop = (...args: unknown[]) => number;

/** A fresh, uniquely named loop: its call site only ever sees one predicate. */
function evaluationLoop(label: string): Loop {
  return new Function(
    'predicate',
    'contexts',
    'rounds',
    `// evaluation loop #${loopSerial++}: ${label}
    let count = 0;
    const n = contexts.length;
    for (let r = 0; r < rounds; r++) {
      for (let i = 0; i < n; i++) {
        if (predicate(contexts[i], undefined, true) === true) count++;
      }
    }
    return count;`,
  ) as Loop;
}

function cacheHitLoop(label: string): Loop {
  return new Function(
    'compiler',
    'source',
    'options',
    'iterations',
    `// cache-hit loop #${loopSerial++}: ${label}
    let count = 0;
    for (let i = 0; i < iterations; i++) {
      if (compiler.compile(source, options).source === source) count++;
    }
    return count;`,
  ) as Loop;
}

function elapsedNs(run: () => number): number {
  const start = process.hrtime.bigint();
  sink += run();
  return Number(process.hrtime.bigint() - start);
}

/** Smallest power-of-two repetition count for which `run(count)` takes at least `minimumNs`. */
function calibrate(run: (count: number) => number, minimumNs: number): number {
  let count = 1;
  while (elapsedNs(() => run(count)) < minimumNs && count < 2 ** 30) count *= 2;
  return count;
}

const RUNS = 11;
const RUN_NS = 20e6;

/** Medians over RUNS interleaved runs of each candidate (order alternating), per unit of work. */
function compareRuns(candidates: Array<(count: number) => number>, unitsPerCount: number): number[][] {
  const count = Math.max(...candidates.map((candidate) => calibrate(candidate, RUN_NS)));
  for (let i = 0; i < 3; i++) for (const candidate of candidates) elapsedNs(() => candidate(count)); // warm-up
  const samples = candidates.map((): number[] => []);
  for (let run = 0; run < RUNS; run++) {
    const order = run % 2 === 0 ? candidates.map((_, i) => i) : candidates.map((_, i) => candidates.length - 1 - i);
    for (const i of order) {
      gc?.();
      samples[i]!.push(elapsedNs(() => candidates[i]!(count)) / (count * unitsPerCount));
    }
  }
  return samples;
}

// ---------------------------------------------------------------------------------------------------
// Correctness first: every hand-written predicate agrees with its rule on every context

const warmCompiler = new dsl.RuleCompiler();
const prepared = cases.map((testCase) => {
  const compiled = warmCompiler.compile(testCase.source, testCase.options).evaluate;
  const hand = new Function(`// hand-written: ${testCase.name}\n${testCase.hand}`)() as (context: unknown) => boolean;
  let matches = 0;
  for (const context of contexts) {
    const expected = compiled(context);
    if (hand(context) !== expected) {
      console.error(`bench/rule-eval: hand-written "${testCase.name}" disagrees with the rule on ${JSON.stringify(context)}`);
      process.exit(1);
    }
    if (expected) matches++;
  }
  return { ...testCase, compiled, hand, matches };
});
{
  const murmur = new Function(`${murmurSource}\nreturn murmur3;`)() as (text: string) => number;
  for (const context of contexts) {
    const id = String(context.userId);
    if (murmur(`${SALT}:${id}`) !== dsl.hashSaltedText(SALT, id)) {
      console.error(`bench/rule-eval: hand-written murmur3 disagrees with hashSaltedText on ${JSON.stringify(id)}`);
      process.exit(1);
    }
  }
}

// ---------------------------------------------------------------------------------------------------
// Evaluation

interface Result {
  name: string;
  source: string;
  matches: number;
  compiledNs: number;
  handNs: number;
  ratio: number;
  compiledSpreadNs: [number, number];
  handSpreadNs: [number, number];
  coldCompileUs: number;
  coldCompileP90Us: number;
  coldUniqueUs: number;
  cacheHitNs: number;
}
const results: Result[] = [];

for (const testCase of prepared) {
  const compiledLoop = evaluationLoop(`compiled ${testCase.name}`);
  const handLoop = evaluationLoop(`hand ${testCase.name}`);
  const [compiledSamples, handSamples] = compareRuns(
    [(rounds) => compiledLoop(testCase.compiled, contexts, rounds), (rounds) => handLoop(testCase.hand, contexts, rounds)],
    contexts.length,
  );
  const compiled = summarize(compiledSamples!);
  const hand = summarize(handSamples!);
  results.push({
    name: testCase.name,
    source: testCase.source,
    matches: testCase.matches,
    compiledNs: compiled.median,
    handNs: hand.median,
    ratio: compiled.median / hand.median,
    compiledSpreadNs: [compiled.p10, compiled.p90],
    handSpreadNs: [hand.p10, hand.p90],
    coldCompileUs: 0,
    coldCompileP90Us: 0,
    coldUniqueUs: 0,
    cacheHitNs: 0,
  });
}

// ---------------------------------------------------------------------------------------------------
// Compilation: cold (fresh cache per sample) and cache hits

const COLD_SAMPLES = 301;
for (let i = 0; i < 400; i++) {
  const compiler = new dsl.RuleCompiler({ cacheSize: 64 });
  for (const source of [...warmUpCorpus, ...cases.map((testCase) => testCase.source)]) sink += compiler.compile(source, { salt: SALT }).source.length;
  for (const testCase of cases) sink += compiler.compile(`${i} == ${i} and (${testCase.source})`, testCase.options).source.length;
}

function coldCompile(source: (sample: number) => string, options: { salt?: string }): number[] {
  const samples: number[] = [];
  for (let sample = 0; sample < COLD_SAMPLES; sample++) {
    const compiler = new dsl.RuleCompiler({ cacheSize: 16 });
    const text = source(sample);
    if (sample % 50 === 0) gc?.();
    samples.push(elapsedNs(() => compiler.compile(text, options).source.length) / 1e3);
  }
  return samples;
}

for (const [index, testCase] of cases.entries()) {
  const result = results[index]!;
  const cold = summarize(coldCompile(() => testCase.source, testCase.options));
  result.coldCompileUs = cold.median;
  result.coldCompileP90Us = cold.p90;
  // A distinct literal per sample defeats V8's compilation cache of identical `new Function` source.
  result.coldUniqueUs = median(coldCompile((sample) => `${1000 + sample} == ${1000 + sample} and (${testCase.source})`, testCase.options));

  const compiler = new dsl.RuleCompiler();
  compiler.compile(testCase.source, testCase.options);
  const loop = cacheHitLoop(testCase.name);
  const [hits] = compareRuns([(iterations) => loop(compiler, testCase.source, testCase.options, iterations)], 1);
  result.cacheHitNs = median(hits!);
}

// ---------------------------------------------------------------------------------------------------
// Report

const verdict = (ok: boolean) => (ok ? 'ok' : 'MISS');
const spread = ([low, high]: [number, number]) => `${low.toFixed(2)}–${high.toFixed(2)}`;
const cpu = os.cpus()[0]?.model ?? 'unknown CPU';

console.log(`Vexil rule benchmark: node ${process.version}, ${cpu} (${os.cpus().length} cores), load average ${os.loadavg().map((load) => load.toFixed(2)).join(' ')}`);
console.log(`${contexts.length} JSON-parsed contexts; medians of ${RUNS} runs after warm-up${gc ? '' : ' (run with --expose-gc for GC between runs)'}`);
console.log('');
for (const result of results) console.log(`  ${result.name.padEnd(8)}  ${result.source}`);
console.log('');
console.log('Evaluation, ns per evaluation (target: compiled within 2× of hand-written JS)');
console.log(
  renderTable(
    ['rule', 'matches', 'compiled', 'hand-written', 'ratio', 'compiled p10–p90', 'hand p10–p90', 'target ≤ 2×'],
    results.map((result) => [
      result.name,
      `${result.matches}/${contexts.length}`,
      formatDuration(result.compiledNs),
      formatDuration(result.handNs),
      formatRatio(result.ratio),
      spread(result.compiledSpreadNs),
      spread(result.handSpreadNs),
      verdict(result.ratio <= 2),
    ]),
    ['left', 'right', 'right', 'right', 'right', 'right', 'right', 'left'],
  ),
);
console.log('');
console.log(`Compilation (targets: cold < 50 µs, cache hit < 1 µs; cold = fresh RuleCompiler, median of ${COLD_SAMPLES} compiles)`);
console.log(
  renderTable(
    ['rule', 'cold', 'cold p90', 'cold, unique source', 'cache hit', 'cold < 50 µs', 'hit < 1 µs'],
    results.map((result) => [
      result.name,
      formatDuration(result.coldCompileUs * 1e3),
      formatDuration(result.coldCompileP90Us * 1e3),
      formatDuration(result.coldUniqueUs * 1e3),
      formatDuration(result.cacheHitNs),
      verdict(result.coldCompileUs < 50) + (result.coldUniqueUs < 50 ? '' : ' (unique: MISS)'),
      verdict(result.cacheHitNs < 1000),
    ]),
    ['left', 'right', 'right', 'right', 'right', 'left', 'left'],
  ),
);
console.log('');
console.log(`sink ${sink} (keeps every measured result alive)`);
console.log(
  JSON.stringify({
    benchmark: 'rule-eval',
    node: process.version,
    cpu,
    contexts: contexts.length,
    runs: RUNS,
    targets: { maxRatio: 2, coldCompileUs: 50, cacheHitNs: 1000 },
    results: results.map((result) => ({
      ...result,
      compiledNs: round(result.compiledNs),
      handNs: round(result.handNs),
      ratio: round(result.ratio),
      compiledSpreadNs: result.compiledSpreadNs.map(round),
      handSpreadNs: result.handSpreadNs.map(round),
      coldCompileUs: round(result.coldCompileUs),
      coldCompileP90Us: round(result.coldCompileP90Us),
      coldUniqueUs: round(result.coldUniqueUs),
      cacheHitNs: round(result.cacheHitNs),
    })),
  }),
);

function round(value: number): number {
  return Math.round(value * 1000) / 1000;
}
