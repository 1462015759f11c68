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
import { compareRuns, elapsedNs, gc, keep, type Loop, sinkTotal, uniqueLoop } from './lib/timing.js';
import { cases, contexts, evaluationLoop, loadRuleLanguage, prepareCases, SALT } from './lib/rule-cases.js';

// ---------------------------------------------------------------------------------------------------
// The built package, the rules and their hand-written equivalents (bench/lib/rule-cases.ts)

const dsl = await loadRuleLanguage('rule-eval');

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
// Timed loops (the machinery is bench/lib/timing.ts; the evaluation loop is in bench/lib/rule-cases.ts)

function cacheHitLoop(label: string): Loop {
  return uniqueLoop(
    `cache-hit loop: ${label}`,
    ['compiler', 'source', 'options', 'iterations'],
    `let count = 0;
    for (let i = 0; i < iterations; i++) {
      if (compiler.compile(source, options).source === source) count++;
    }
    return count;`,
  );
}

const RUNS = 11;
const runOptions = { runs: RUNS, runNs: 20e6 };

// ---------------------------------------------------------------------------------------------------
// Correctness first: every hand-written predicate agrees with its rule on every context

const prepared = prepareCases(dsl, 'rule-eval');

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
    [
      (rounds) => compiledLoop(testCase.compiled, contexts, rounds),
      (rounds) => handLoop(testCase.hand, contexts, rounds),
    ],
    contexts.length,
    runOptions,
  ).wall;
  const compiled = summarize(compiledSamples!);
  const hand = summarize(handSamples!);
  results.push({
    name: testCase.name,
    source: testCase.source,
    matches: testCase.matches,
    compiledNs: compiled.median,
    handNs: hand.median,
    // Median of per-run ratios: runs are interleaved, so a busy phase of the machine slows both sides of a pair alike.
    ratio: median(compiledSamples!.map((ns, run) => ns / handSamples![run]!)),
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
  for (const source of [...warmUpCorpus, ...cases.map((testCase) => testCase.source)])
    keep(compiler.compile(source, { salt: SALT }).source.length);
  for (const testCase of cases)
    keep(compiler.compile(`${i} == ${i} and (${testCase.source})`, testCase.options).source.length);
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
  result.coldUniqueUs = median(
    coldCompile((sample) => `${1000 + sample} == ${1000 + sample} and (${testCase.source})`, testCase.options),
  );

  const compiler = new dsl.RuleCompiler();
  compiler.compile(testCase.source, testCase.options);
  const loop = cacheHitLoop(testCase.name);
  const [hits] = compareRuns(
    [(iterations) => loop(compiler, testCase.source, testCase.options, iterations)],
    1,
    runOptions,
  ).wall;
  result.cacheHitNs = median(hits!);
}

// ---------------------------------------------------------------------------------------------------
// Report

const verdict = (ok: boolean) => (ok ? 'ok' : 'MISS');
const spread = ([low, high]: [number, number]) => `${low.toFixed(2)}–${high.toFixed(2)}`;
const cpu = os.cpus()[0]?.model ?? 'unknown CPU';

console.log(
  `Vexil rule benchmark: node ${process.version}, ${cpu} (${os.cpus().length} cores), load average ${os
    .loadavg()
    .map((load) => load.toFixed(2))
    .join(' ')}`,
);
console.log(
  `${contexts.length} JSON-parsed contexts; medians of ${RUNS} runs after warm-up${gc ? '' : ' (run with --expose-gc for GC between runs)'}`,
);
console.log('');
for (const result of results) console.log(`  ${result.name.padEnd(8)}  ${result.source}`);
console.log('');
console.log('Evaluation, ns per evaluation (target: compiled within 1.5× of hand-written JS, issue 19)');
console.log(
  renderTable(
    ['rule', 'matches', 'compiled', 'hand-written', 'ratio', 'compiled p10–p90', 'hand p10–p90', 'target ≤ 1.5×'],
    results.map((result) => [
      result.name,
      `${result.matches}/${contexts.length}`,
      formatDuration(result.compiledNs),
      formatDuration(result.handNs),
      formatRatio(result.ratio),
      spread(result.compiledSpreadNs),
      spread(result.handSpreadNs),
      verdict(result.ratio <= 1.5),
    ]),
    ['left', 'right', 'right', 'right', 'right', 'right', 'right', 'left'],
  ),
);
console.log('');
console.log(
  `Compilation (targets: cold < 50 µs, cache hit < 1 µs; cold = fresh RuleCompiler, median of ${COLD_SAMPLES} compiles)`,
);
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
console.log(`sink ${sinkTotal()} (keeps every measured result alive)`);
console.log(
  JSON.stringify({
    benchmark: 'rule-eval',
    node: process.version,
    cpu,
    contexts: contexts.length,
    runs: RUNS,
    targets: { maxRatio: 1.5, coldCompileUs: 50, cacheHitNs: 1000 },
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
