/**
 * The rules bench/rule-eval.ts and bench/smoke.ts time, each next to the same predicate written by hand
 * in JavaScript, and the contexts they are timed on. The hand-written predicates are factory bodies
 * compiled with `new Function` (see bench/lib/timing.ts for why), and `prepareCases` checks each agrees
 * with its compiled rule on every context before anything is timed.
 */
import { loadBuiltPackage } from './built-package.js';
import { countryWeights, firstNames, lastNames, seededRandom } from './random.js';
import { type Loop, uniqueLoop } from './timing.js';

// ---------------------------------------------------------------------------------------------------
// The built package's rule language, as far as the benchmarks use it

export interface CompiledRule {
  source: string;
  evaluate: (context: unknown) => boolean;
}
export interface RuleCompilerLike {
  compile(source: string, options?: { salt?: string }): CompiledRule;
}
export interface RuleLanguage {
  RuleCompiler: new (options?: { cacheSize?: number }) => RuleCompilerLike;
  hashSaltedText: (salt: string, text: string) => number;
}

export function loadRuleLanguage(benchmark: string): Promise<RuleLanguage> {
  return loadBuiltPackage<RuleLanguage>(benchmark, ['dsl']);
}

// ---------------------------------------------------------------------------------------------------
// Contexts: deterministic pseudo-random, shaped like evaluation contexts of a SaaS product

const { random, weighted, pick } = seededRandom(20240601);

function makeContext(index: number): Record<string, unknown> {
  const first = pick(firstNames);
  const last = pick(lastNames);
  const context: Record<string, unknown> = {
    userId: index % 41 === 7 ? pick(['u13', 'u42', 'u77']) : `u${100_000 + Math.floor(random() * 900_000)}`,
    email: `${first}.${last}${Math.floor(random() * 100)}@${weighted([
      ['company.com', 12],
      ['gmail.com', 40],
      ['outlook.com', 20],
      ['example.org', 15],
      ['company.co', 3],
      ['yahoo.co.jp', 10],
    ])}`,
    plan: weighted([
      ['free', 55],
      ['pro', 25],
      ['premium', 15],
      ['enterprise', 5],
    ]),
    country: weighted(countryWeights),
    accountAgeDays: Math.floor(random() ** 2 * 2000),
    locale: pick(['en-US', 'en-GB', 'de-DE', 'fr-FR', 'ja-JP', 'pt-BR']),
    appVersion: `${weighted([
      ['3', 70],
      ['2', 30],
    ])}.${Math.floor(random() * 12)}.${Math.floor(random() * 5)}`,
    device: { os: pick(['ios', 'android', 'web', 'macos', 'windows']), model: `m-${Math.floor(random() * 50)}` },
    tags: Array.from({ length: Math.floor(random() * 4) }, () =>
      pick(['beta-tester', 'churn-risk', 'vip', 'partner', 'internal']),
    ),
    beta: random() < 0.1,
  };
  // Real traffic is not uniform: some clients omit attributes (giving V8 a few object shapes to handle).
  if (random() < 0.05) delete context.email;
  if (random() < 0.04) delete context.accountAgeDays;
  if (random() < 0.02) delete context.country;
  return context;
}
export const contexts = JSON.parse(
  JSON.stringify(Array.from({ length: 1000 }, (_, index) => makeContext(index))),
) as Array<Record<string, unknown>>;

// ---------------------------------------------------------------------------------------------------
// The rules and their hand-written equivalents (factory bodies, compiled with `new Function`)

export const SALT = 'new-checkout';

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

export interface Case {
  name: string;
  source: string;
  options: { salt?: string };
  /** Body of a factory returning the hand-written predicate. */
  hand: string;
}

export const cases: Case[] = [
  {
    name: 'equality',
    source: 'plan == "premium"',
    options: {},
    hand: 'return (ctx) => ctx.plan === "premium";',
  },
  {
    name: 'compound',
    source:
      '(plan == "premium" or accountAgeDays > 30) and country in ["US","CA","GB"] and not (userId in ["u13","u42","u77"])',
    options: {},
    // As a code generator would ideally emit it (issue 19): direct loads, `===`, `in` lists unrolled.
    hand: `
      return (ctx) => {
        const country = ctx.country;
        const userId = ctx.userId;
        return (ctx.plan === "premium" || ctx.accountAgeDays > 30) &&
          (country === "US" || country === "CA" || country === "GB") &&
          !(userId === "u13" || userId === "u42" || userId === "u77");
      };`,
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

// ---------------------------------------------------------------------------------------------------
// The timed loop and the correctness check

/** A fresh, uniquely named loop: its call site only ever sees one predicate. */
export function evaluationLoop(label: string): Loop {
  return uniqueLoop(
    `evaluation loop: ${label}`,
    ['predicate', 'contexts', 'rounds'],
    `let count = 0;
    const n = contexts.length;
    for (let r = 0; r < rounds; r++) {
      for (let i = 0; i < n; i++) {
        if (predicate(contexts[i], undefined, true) === true) count++;
      }
    }
    return count;`,
  );
}

export interface PreparedCase extends Omit<Case, 'hand'> {
  compiled: (context: unknown) => boolean;
  hand: (context: unknown) => boolean;
  /** How many contexts the rule matches. */
  matches: number;
}

/** Every case compiled both ways; exits when a hand-written predicate or hash disagrees with the library. */
export function prepareCases(dsl: RuleLanguage, benchmark: string): PreparedCase[] {
  const warmCompiler = new dsl.RuleCompiler();
  const prepared = cases.map((testCase) => {
    const compiled = warmCompiler.compile(testCase.source, testCase.options).evaluate;
    const hand = new Function(`// hand-written: ${testCase.name}\n${testCase.hand}`)() as (context: unknown) => boolean;
    let matches = 0;
    for (const context of contexts) {
      const expected = compiled(context);
      if (hand(context) !== expected) {
        console.error(
          `bench/${benchmark}: hand-written "${testCase.name}" disagrees with the rule on ${JSON.stringify(context)}`,
        );
        process.exit(1);
      }
      if (expected) matches++;
    }
    return { ...testCase, compiled, hand, matches };
  });
  const murmur = new Function(`${murmurSource}\nreturn murmur3;`)() as (text: string) => number;
  for (const context of contexts) {
    const id = String(context.userId);
    if (murmur(`${SALT}:${id}`) !== dsl.hashSaltedText(SALT, id)) {
      console.error(`bench/${benchmark}: hand-written murmur3 disagrees with hashSaltedText on ${JSON.stringify(id)}`);
      process.exit(1);
    }
  }
  return prepared;
}
