/**
 * Property/fuzz test of the rule compiler against the independent oracle in reference-interpreter.ts.
 *
 *   (a) sources generated from the grammar: paths, literals of every form, lists (short and long enough
 *       for the Set fast path), every function, every operator, `not` / `!`, `and` / `&&`, `or` / `||`,
 *       parentheses and random whitespace, plus a few sources nested around the depth limit;
 *   (b) corpus rules (test/fixtures/rule-corpus.json) with 1–3 random edits: inserted, deleted or replaced
 *       characters (quotes, brackets, operators, escapes, line breaks, astral and lone surrogates, U+2028,
 *       NUL, no-break space) and deleted or duplicated spans.
 *
 * For every source: compileRule throws nothing but RuleError and agrees with the oracle on whether the
 * source is valid; every diagnostic's line/column matches its offset; checkRule gives the same verdict
 * and diagnostics without throwing; and a source that compiles evaluates, on three
 * JSON contexts (four for mutants: the corpus case's own context too), to what the oracle says, with
 * `explain().matched` equal to `evaluate()` (on one of them). Compile + evaluate of one case must stay
 * under 50 ms.
 *
 * Then 3,000 chains of 1–6 generated rules (rule-chain.ts, how the engine runs a flag's rules) answer, on
 * three contexts each, the index of the first rule the reference says matches.
 *
 * fast-check runs with fixed seeds, so every run sees the same 105,000 cases.
 */
import fc from 'fast-check';
import { afterAll, describe, expect, it } from 'vitest';
import {
  checkRule,
  compileRule,
  configureRuleCache,
  RuleCompiler,
  RuleError,
  type CompileOptions,
  type Diagnostic,
} from '../../src/index.js';
import { corpus, corpusOptions } from './corpus-data.js';
import { referenceCompile, type RefResolvers } from './reference-interpreter.js';

const CASE_BUDGET_MS = 50;
const GENERATED_SEEDS = [0x5eed_0001, 0x5eed_0002, 0x5eed_0003];
const GENERATED_RUNS_PER_SEED = 14_000;
const MUTATED_SEEDS = [0x5eed_1001, 0x5eed_1002, 0x5eed_1003];
const MUTATED_RUNS_PER_SEED = 21_000;

// A small cache: the fuzz compiles ~100k distinct sources and only needs the cache to stay bounded.
configureRuleCache({ cacheSize: 256 });

// ---------------------------------------------------------------------------------------------------
// Resolvers shared by the compiler and the oracle (one object, so the rule cache keys stay stable).

function plain(value: unknown): Record<string, unknown> | null {
  return typeof value === 'object' && value !== null && !Array.isArray(value)
    ? (value as Record<string, unknown>)
    : null;
}

const resolvers: RefResolvers = {
  segment: (name, context) => {
    const segments = plain(context)?.segments;
    return Array.isArray(segments) && segments.includes(name);
  },
  flag: (key, context) => {
    const flags = plain(plain(context)?.flags);
    return flags && Object.hasOwn(flags, key) ? flags[key] : undefined;
  },
};

const salts = ['', 'flag-a', 'ünï😀"'];

// ---------------------------------------------------------------------------------------------------
// Source rendering helpers

function renderString(value: string, quote: '"' | "'", escapeNonAscii: boolean): string {
  let out = quote;
  for (const ch of value) {
    const code = ch.charCodeAt(0);
    if (ch === '\\') out += '\\\\';
    else if (ch === quote) out += `\\${quote}`;
    else if (ch === '\n') out += '\\n';
    else if (ch === '\t') out += '\\t';
    else if (code < 0x20 || (escapeNonAscii && code > 0x7e)) {
      for (let i = 0; i < ch.length; i++) out += `\\u${ch.charCodeAt(i).toString(16).padStart(4, '0')}`;
    } else out += ch;
  }
  return out + quote;
}

const stringPool = [
  'pro',
  'free',
  'Pro',
  'PRO',
  '',
  'a',
  '30',
  '10',
  '9',
  'beta',
  'alpha',
  'staff',
  'x-y',
  'user-1',
  'user-2',
  '😀',
  'é',
  'ÄB',
  'a"b',
  "it's",
  'back\\slash',
  'line\nbreak',
  'tab\there',
  '\u2028',
  'DE',
  'admin@x.io',
  '@example.com',
  'bob@example.com',
  '.io',
];
const semverPool = [
  '1.2.3',
  '1.2.3-beta',
  '1.0.0-alpha',
  '1.0.0-alpha.1',
  '1.0.0-alpha.10',
  '1.0.0-alpha.beta',
  '1.0.0-rc.1',
  '1.0.0',
  '1.0.0+build.5',
  '2.0.0',
  '10.0.0',
  '1.2',
  '01.2.3',
  '1.2.3-01',
  'x',
];
const datePool = [
  '2024-01-01',
  '2024-06-15T12:00:00Z',
  '2024-06-15T14:00:00+02:00',
  '2024-06-15T10:30:00-0130',
  '2024-06-15 12:00',
  '2024-06-15T12:00',
  '2024-02-29',
  '2023-02-29',
  '2024-13-01',
  '2024-06-15T24:00:00Z',
  '1970-01-01T00:00:00.001Z',
  '2024-06-15T12:00:00.123456789Z',
  'nope',
];
const patternPool = [
  '^p',
  'ro$',
  '[0-9]+',
  '^(a|b)',
  '(a+)+$',
  '.*',
  '^$',
  'é',
  '\\d{2}',
  '^[a-z]+@[a-z]+\\.com$',
  '(?i)PRO',
  'x-y',
  '^\\pL+$',
  '😀',
  '[^a-z]',
  '\\.io$',
  'a|',
  '(?s).',
];
const pathPool = [
  'plan',
  'user.plan',
  'user.id',
  'user.groups',
  'user.email',
  'user.in',
  'user.constructor',
  'age',
  'score',
  'tags',
  'tags.length',
  'beta',
  'country',
  'version',
  'created',
  'email',
  'name',
  'name.length',
  'attrs["x-y"]',
  "attrs['a b']",
  'attrs.n',
  'attrs ["x-y"]',
  'user . plan',
  'missing',
  'missing.deeper',
  'constructor',
  'toString',
  '__proto__',
  '__proto__.plan',
  'nested.a.b',
  '$weird',
  '_x',
  'list',
  'ts',
  'x',
  'a',
  'b',
];
const numberPool = [
  '0',
  '1',
  '-3',
  '2.5',
  '30',
  '42',
  '1e3',
  '1E2',
  '-0.5',
  '99.999',
  '100',
  '18',
  '2.5e-1',
  '-0',
  '1000',
  '8.64e15',
  '1e16',
];

// ---------------------------------------------------------------------------------------------------
// (a) Sources generated from the grammar

const space = fc.constantFrom(' ', ' ', ' ', ' ', '  ', '\n', '\t', '\r\n  ');
const tight = fc.constantFrom('', '', ' ', ' ', '\n');
const quote = fc.constantFrom<'"' | "'">('"', "'");

const stringFrom = (pool: string[]) =>
  fc.tuple(fc.constantFrom(...pool), quote, fc.boolean()).map(([value, q, escape]) => renderString(value, q, escape));

const literal = fc.oneof(
  { weight: 4, arbitrary: stringFrom(stringPool) },
  { weight: 3, arbitrary: fc.constantFrom(...numberPool) },
  { weight: 2, arbitrary: fc.constantFrom('true', 'false', 'null') },
);
const path = fc.constantFrom(...pathPool);

const depthIdentifier = fc.createDepthIdentifier();
const recursion = { depthSize: 'small' as const, maxDepth: 4, depthIdentifier };

const grammar = fc.letrec<{
  or: string;
  and: string;
  not: string;
  comparison: string;
  operand: string;
  list: string;
  call: string;
}>((tie) => ({
  or: fc.oneof(
    recursion,
    tie('and'),
    fc
      .tuple(
        tie('and'),
        fc.array(fc.tuple(fc.constantFrom(' or ', ' || ', '||', '\nor '), tie('and')), { minLength: 1, maxLength: 2 }),
      )
      .map(([first, rest]) => first + rest.map(([op, operand]) => op + operand).join('')),
  ),
  and: fc.oneof(
    recursion,
    tie('not'),
    fc
      .tuple(
        tie('not'),
        fc.array(fc.tuple(fc.constantFrom(' and ', ' && ', '&&', '\n  and '), tie('not')), {
          minLength: 1,
          maxLength: 2,
        }),
      )
      .map(([first, rest]) => first + rest.map(([op, operand]) => op + operand).join('')),
  ),
  not: fc
    .tuple(fc.array(fc.constantFrom('not ', '!', '! ', 'not\t'), { maxLength: 2 }), tie('comparison'))
    .map(([negations, comparison]) => negations.join('') + comparison),
  comparison: fc.oneof(
    recursion,
    tie('operand'),
    fc
      .tuple(tie('operand'), tight, fc.constantFrom('==', '!=', '<', '<=', '>', '>='), tight, tie('operand'))
      .map((parts) => parts.join('')),
    fc
      .tuple(
        tie('operand'),
        space,
        fc.constantFrom('in', 'not in', 'contains', 'startsWith', 'endsWith'),
        space,
        tie('operand'),
      )
      .map((parts) => parts.join('')),
    fc
      .tuple(tie('operand'), space, stringFrom(patternPool), fc.boolean())
      .map(([left, s, pattern, parenthesized]) => `${left}${s}matches${s}${parenthesized ? `(${pattern})` : pattern}`),
  ),
  operand: fc.oneof(
    recursion,
    { weight: 4, arbitrary: literal },
    { weight: 5, arbitrary: path },
    { weight: 2, arbitrary: tie('call') },
    { weight: 1, arbitrary: tie('list') },
    { weight: 1, arbitrary: fc.tuple(tight, tie('or'), tight).map(([a, inner, b]) => `(${a}${inner}${b})`) },
  ),
  list: fc
    .tuple(
      fc.array(fc.oneof({ weight: 4, arbitrary: literal }, { weight: 1, arbitrary: tie('operand') }), {
        maxLength: 11,
      }),
      fc.constantFrom(', ', ',', ' , ', ',\n'),
    )
    .map(([items, separator]) => `[${items.join(separator)}]`),
  call: fc.oneof(
    fc.tuple(fc.constantFrom('lower', 'upper', 'len'), tie('operand')).map(([name, arg]) => `${name}(${arg})`),
    fc.oneof(stringFrom(semverPool), path).map((arg) => `semver(${arg})`),
    fc
      .oneof(stringFrom(datePool), fc.constantFrom('0', '1000', '-1', '1718452800000', '8.64e15', '1e16'), path)
      .map((arg) => `date(${arg})`),
    fc.constant('now()'),
    fc
      .tuple(tie('operand'), fc.option(stringFrom(['', 'flag-a', 'other']), { nil: undefined }))
      .map(([arg, salt]) => (salt === undefined ? `bucket(${arg})` : `bucket(${arg}, ${salt})`)),
    stringFrom(['beta', 'staff', '😀']).map((name) => `segment(${name})`),
    stringFrom(['beta', 'staff', '😀']).map((key) => `flag(${key})`),
    // Rare invalid calls: unknown names, wrong arity, non-literal resolver arguments.
    fc.constantFrom(
      'foo(1)',
      'lower()',
      'now(1)',
      'bucket(1, "a", 3)',
      'segment(plan)',
      'flag()',
      'len(1, 2)',
      'Lower(plan)',
    ),
  ),
}));

/** Sources nested around the 64-level limit, through parentheses, lists, calls or `not` chains. */
const nearLimit = fc
  .tuple(fc.integer({ min: 58, max: 70 }), fc.constantFrom('paren', 'list', 'call', 'not'), grammar.comparison)
  .map(([n, kind, inner]) => {
    if (kind === 'paren') return `${'('.repeat(n)}${inner}${')'.repeat(n)}`;
    if (kind === 'list') return `x in ${'['.repeat(n)}1${']'.repeat(n)}`;
    if (kind === 'call') return `${'lower('.repeat(n)}plan${')'.repeat(n)} == "pro"`;
    return `${'not '.repeat(n)}${inner}`;
  });

const generatedSource = fc.oneof({ weight: 60, arbitrary: grammar.or }, { weight: 1, arbitrary: nearLimit });

// ---------------------------------------------------------------------------------------------------
// (b) Corpus rules with random edits

const alphabet = [
  ...`"'()[]{}<>=!&|.,:;\\/-+*?^$#@~\`_ `,
  'a',
  'n',
  'd',
  'o',
  'r',
  't',
  'i',
  'x',
  'v',
  'e',
  's',
  'E',
  '0',
  '1',
  '9',
  '\n',
  '\r',
  '\t',
  'é',
  '😀',
  '\uD800',
  '\uDC00',
  '\u2028',
  '\u2029',
  '\u0000',
  '\u00a0',
  'ß',
  ' and ',
  ' or ',
  'not ',
  ' in ',
  '==',
  '${',
  '\\u',
  '\\u00',
  'e5',
  '")',
  "'])",
];

const edit = fc.record({
  kind: fc.constantFrom('insert', 'insert', 'delete', 'replace', 'replace', 'delete-span', 'duplicate-span'),
  position: fc.nat(),
  text: fc.constantFrom(...alphabet),
  span: fc.integer({ min: 1, max: 8 }),
});

function applyEdit(
  source: string,
  { kind, position, text, span }: { kind: string; position: number; text: string; span: number },
): string {
  const at = position % (source.length + 1);
  switch (kind) {
    case 'insert':
      return source.slice(0, at) + text + source.slice(at);
    case 'delete':
      return source.slice(0, at) + source.slice(at + 1);
    case 'replace':
      return source.slice(0, at) + text + source.slice(at + 1);
    case 'delete-span':
      return source.slice(0, at) + source.slice(at + span);
    default:
      return source.slice(0, at) + source.slice(at, at + span) + source.slice(at);
  }
}

const mutatedCase = fc
  .tuple(
    fc.nat(corpus.length - 1),
    fc.oneof(fc.array(edit, { minLength: 1, maxLength: 1 }), fc.array(edit, { minLength: 1, maxLength: 3 })),
  )
  .map(([index, edits]) => ({ index, source: edits.reduce(applyEdit, corpus[index]!.rule) }));

// ---------------------------------------------------------------------------------------------------
// Random JSON contexts

const scalar = fc.oneof(
  { weight: 5, arbitrary: fc.constantFrom(...stringPool, ...semverPool, ...datePool) },
  { weight: 3, arbitrary: fc.constantFrom(0, 1, -3, 2.5, 30, 42, 1000, 18, -0.5, 100, 99.999, 10, 9) },
  { weight: 1, arbitrary: fc.integer({ min: -100, max: 100 }) },
  { weight: 1, arbitrary: fc.double({ noNaN: true, noDefaultInfinity: true }) },
  { weight: 2, arbitrary: fc.boolean() },
  { weight: 1, arbitrary: fc.constant(null) },
  { weight: 1, arbitrary: fc.string({ maxLength: 6 }) },
);
const value = fc.oneof(
  { weight: 6, arbitrary: scalar },
  { weight: 2, arbitrary: fc.array(scalar, { maxLength: 5 }) },
  { weight: 1, arbitrary: fc.dictionary(fc.constantFrom('a', 'b', 'n', 'x-y', 'plan', 'c'), scalar, { maxKeys: 3 }) },
);
const optional = { requiredKeys: [] as never[] };
const names = fc.constantFrom('beta', 'staff', '😀');
const contextRecord = fc.record(
  {
    plan: value,
    user: fc.oneof(
      fc.record(
        {
          plan: value,
          id: value,
          groups: fc.array(fc.constantFrom('alpha', 'beta', 'staff'), { maxLength: 3 }),
          email: value,
          in: value,
          constructor: value,
        },
        optional,
      ),
      value,
    ),
    age: value,
    score: value,
    tags: value,
    beta: value,
    country: value,
    version: value,
    created: value,
    email: value,
    name: value,
    attrs: fc.oneof(fc.record({ 'x-y': value, 'a b': value, n: value }, optional), value),
    nested: fc.record({ a: fc.record({ b: value }, optional) }, optional),
    list: value,
    $weird: value,
    _x: value,
    ts: value,
    x: value,
    a: value,
    b: value,
    constructor: value,
    segments: fc.array(names, { maxLength: 3 }),
    flags: fc.dictionary(names, value, { maxKeys: 3 }),
  },
  optional,
);
/** A context as it arrives over the wire: JSON text parsed, sometimes with an own `__proto__` key. */
const context = fc.tuple(contextRecord, fc.integer({ min: 0, max: 3 })).map(([record, variant]) => {
  const json = JSON.stringify(record);
  if (variant !== 0) return JSON.parse(json) as unknown;
  return JSON.parse(
    json === '{}' ? '{"__proto__":{"plan":"pro"}}' : `{"__proto__":{"plan":"pro"},${json.slice(1)}`,
  ) as unknown;
});
// Generating a 25-key record costs more than compiling a rule, so cases draw from a fixed pool of
// random contexts (itself generated from a fixed seed) instead of generating fresh ones each time.
const CONTEXT_POOL_SIZE = 2_000;
const contextPool = fc.sample(context, { numRuns: CONTEXT_POOL_SIZE, seed: 0x5eed_c0de });
const contexts = fc
  .array(fc.nat(CONTEXT_POOL_SIZE - 1), { minLength: 3, maxLength: 3 })
  .map((picks) => picks.map((i) => contextPool[i]));
const options = fc.record({ salt: fc.constantFrom(...salts), withResolvers: fc.boolean() });

// ---------------------------------------------------------------------------------------------------
// The property

const cpuMs = () => {
  const { user, system } = process.cpuUsage();
  return (user + system) / 1000;
};
const stats = {
  cases: 0,
  compiled: 0,
  rejected: 0,
  evaluations: 0,
  slowRetries: 0,
  slowest: 0,
  started: performance.now(),
  startedCpu: cpuMs(),
};

function describeValue(value: unknown): string {
  try {
    return JSON.stringify(value);
  } catch {
    return String(value);
  }
}

/** Line and column computed independently of src/dsl/diagnostics.ts (\n, \r\n and lone \r end a line). */
function position(source: string, offset: number): { line: number; column: number } {
  let line = 1;
  let lineStart = 0;
  for (let i = 0; i < offset; i++) {
    const c = source[i];
    if (c === '\n' || (c === '\r' && source[i + 1] !== '\n')) {
      line++;
      lineStart = i + 1;
    }
  }
  return { line, column: offset - lineStart + 1 };
}

function checkDiagnostics(source: string, diagnostics: readonly Diagnostic[]): void {
  if (diagnostics.length === 0) throw new Error('an invalid source produced no diagnostics');
  let previous = -1;
  for (const d of diagnostics) {
    const where = position(source, d.offset);
    const wellFormed =
      typeof d.message === 'string' &&
      d.message.length > 0 &&
      Number.isInteger(d.offset) &&
      d.offset >= 0 &&
      d.offset <= source.length &&
      d.length >= 0 &&
      d.offset + d.length <= source.length &&
      d.offset >= previous &&
      d.line === where.line &&
      d.column === where.column;
    if (!wellFormed)
      throw new Error(`malformed diagnostic ${describeValue(d)} (expected line ${where.line}, column ${where.column})`);
    previous = d.offset;
  }
}

function compileAndEvaluate(compile: () => ReturnType<typeof compileRule>, inputs: unknown[]) {
  const started = performance.now();
  let rule: ReturnType<typeof compileRule> | null = null;
  let error: unknown = null;
  try {
    rule = compile();
  } catch (caught) {
    error = caught;
  }
  const results = rule ? inputs.map((input) => rule!.evaluate(input)) : [];
  return { rule, error, results, elapsed: performance.now() - started };
}

function runCase(source: string, compileOptions: CompileOptions, inputs: unknown[]): void {
  stats.cases++;
  let outcome = compileAndEvaluate(() => compileRule(source, compileOptions), inputs);
  // The bound is on wall-clock time and this 2-core machine is shared, so a slow case is measured again
  // on a cold compiler (no cache) up to twice: a genuinely slow source is slow every time, while a GC
  // pause or a descheduled process is not.
  for (let attempt = 1; outcome.elapsed > CASE_BUDGET_MS; attempt++) {
    if (attempt > 2)
      throw new Error(
        `compile + evaluate took over ${CASE_BUDGET_MS} ms three times (${outcome.elapsed.toFixed(1)} ms): ${describeValue(source)}`,
      );
    stats.slowRetries++;
    outcome = compileAndEvaluate(() => new RuleCompiler({ cacheSize: 1 }).compile(source, compileOptions), inputs);
  }
  stats.slowest = Math.max(stats.slowest, outcome.elapsed);
  const { rule, error, results } = outcome;
  if (error !== null && !(error instanceof RuleError)) {
    throw new Error(
      `compileRule threw ${describeValue(String(error))} (not a RuleError) for ${describeValue(source)}`,
      { cause: error },
    );
  }
  if (error instanceof RuleError) checkDiagnostics(source, error.diagnostics);
  // checkRule must not throw at all, and must agree with compileRule (same verdict, same diagnostics).
  let check: ReturnType<typeof checkRule>;
  try {
    check = checkRule(source, compileOptions);
  } catch (caught) {
    throw new Error(`checkRule threw ${describeValue(String(caught))} for ${describeValue(source)}`, { cause: caught });
  }
  if (check.ok !== (rule !== null))
    throw new Error(
      `checkRule says ok=${check.ok} but compileRule ${rule ? 'compiled' : 'failed'}: ${describeValue(source)}`,
    );
  if (error instanceof RuleError) expectSameDiagnostics(error.diagnostics, check.diagnostics, source);

  const reference = referenceCompile(source, compileOptions);
  if (reference.ok !== (rule !== null)) {
    const why = reference.ok ? describeValue((error as RuleError).diagnostics) : reference.reason;
    throw new Error(
      `acceptance differs for ${describeValue(source)}: compiler ${rule ? 'accepts' : 'rejects'}, reference ${reference.ok ? 'accepts' : 'rejects'} (${why})`,
    );
  }
  if (!rule || !reference.ok) {
    stats.rejected++;
    return;
  }
  stats.compiled++;
  inputs.forEach((input, i) => {
    stats.evaluations++;
    const expected = reference.evaluate(input);
    // explain() walks the tree building a node per sub-expression; one context per case (rotating) is
    // enough to compare its verdict on every compiled source.
    const explained = i === stats.cases % inputs.length ? rule.explain(input).matched : results[i];
    if (results[i] !== expected || explained !== results[i]) {
      throw new Error(
        `evaluation differs for ${describeValue(source)} on ${describeValue(input)}: evaluate=${results[i]} explain=${explained} reference=${expected}`,
      );
    }
  });
}

function expectSameDiagnostics(
  fromCompile: readonly Diagnostic[],
  fromCheck: readonly Diagnostic[],
  source: string,
): void {
  if (describeValue(fromCompile) !== describeValue(fromCheck)) {
    throw new Error(`compileRule and checkRule report different diagnostics for ${describeValue(source)}`);
  }
}

/** What the engine checks before vouching for a context (`plain` = true). */
function isPlainContext(value: unknown): boolean {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return false;
  const prototype = Object.getPrototypeOf(value);
  return prototype === Object.prototype || prototype === null;
}

function toOptions({ salt, withResolvers }: { salt: string; withResolvers: boolean }): CompileOptions {
  return withResolvers ? { salt, resolvers } : { salt };
}

describe('fuzzing the compiler against the reference interpreter', () => {
  afterAll(() => {
    const seconds = (performance.now() - stats.started) / 1000;
    const cpuSeconds = (cpuMs() - stats.startedCpu) / 1000;
    console.info(
      `rule fuzz: ${stats.cases} cases (${stats.compiled} compiled, ${stats.rejected} rejected), ${stats.evaluations} evaluations, ` +
        `slowest case ${stats.slowest.toFixed(1)} ms, ${stats.slowRetries} slow retries, ${seconds.toFixed(1)} s (${cpuSeconds.toFixed(1)} s of CPU)`,
    );
  });

  it.each(GENERATED_SEEDS)(
    'agrees on 14,000 grammar-generated sources (seed %i)',
    (seed) => {
      let compiled = 0;
      fc.assert(
        fc.property(generatedSource, options, contexts, (source, opts, inputs) => {
          const before = stats.compiled;
          runCase(source, toOptions(opts), inputs);
          compiled += stats.compiled - before;
        }),
        { seed, numRuns: GENERATED_RUNS_PER_SEED },
      );
      // Generated sources are valid by construction except for rare invalid calls, limits and missing resolvers.
      expect(compiled).toBeGreaterThan(GENERATED_RUNS_PER_SEED * 0.5);
    },
    120_000,
  );

  it.each(MUTATED_SEEDS)(
    'agrees on 21,000 mutated corpus rules (seed %i)',
    (seed) => {
      let rejected = 0;
      fc.assert(
        fc.property(mutatedCase, options, contexts, ({ index, source }, opts, inputs) => {
          const before = stats.rejected;
          const base = corpusOptions(corpus[index]!);
          const compileOptions: CompileOptions = {
            salt: base.salt ?? opts.salt,
            ...(opts.withResolvers || base.resolvers ? { resolvers } : {}),
          };
          runCase(source, compileOptions, [corpus[index]!.context, ...inputs]);
          rejected += stats.rejected - before;
        }),
        { seed, numRuns: MUTATED_RUNS_PER_SEED },
      );
      // The edits must actually break sources often, or this half of the fuzz tests nothing.
      expect(rejected).toBeGreaterThan(MUTATED_RUNS_PER_SEED * 0.3);
    },
    120_000,
  );

  it('chains 1–6 generated rules into one function that agrees with the reference, rule by rule', () => {
    const compiler = new RuleCompiler({ cacheSize: 256 });
    let chained = 0;
    fc.assert(
      fc.property(
        fc.array(generatedSource, { minLength: 1, maxLength: 6 }),
        options,
        contexts,
        (sources, opts, inputs) => {
          const compileOptions = toOptions(opts);
          const compiled = sources.flatMap((source) => {
            const reference = referenceCompile(source, compileOptions);
            try {
              return reference.ok ? [{ rule: compiler.compile(source, compileOptions), reference }] : [];
            } catch (error) {
              if (error instanceof RuleError) return [];
              throw error;
            }
          });
          const chain = compiler.chain(compiled.map(({ rule }) => rule));
          chained += compiled.length;
          for (const input of inputs) {
            const expected = compiled.findIndex(({ reference }) => reference.evaluate(input));
            if (chain(input) !== expected || chain(input, undefined, isPlainContext(input)) !== expected)
              throw new Error(
                `the chain of ${describeValue(sources)} answers ${chain(input)} on ${describeValue(input)}, the reference ${expected}`,
              );
          }
        },
      ),
      { seed: 0x5eed_2001, numRuns: 3_000 },
    );
    expect(chained).toBeGreaterThan(3_000);
  });

  it('ran at least 100,000 sources in total', () => {
    expect(stats.cases).toBeGreaterThanOrEqual(100_000);
  });
});
