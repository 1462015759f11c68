/**
 * The public entry of the rule language: `compileRule`, `checkRule` and the compiled-rule cache.
 *
 * Pipeline: size limit → lex → bracket-depth pre-check (protects the recursive parser) → parse with
 * recovery → semantic checks → code generation → `new Function` over our own runtime bindings.
 */
import { LRUCache } from 'lru-cache';
import type { Expr } from './ast.js';
import { checkTree, type References } from './checker.js';
import { generate } from './codegen.js';
import { type Diagnostic, DiagnosticList, RuleError, SourcePositions } from './diagnostics.js';
import { Explainer, type Explanation } from './explain.js';
import { builtinFunctions } from './functions/index.js';
import { type CompileOptions, limits, type RuleResolvers } from './options.js';
import { parseTokens } from './parser.js';
import { LBracket, LParen, RBracket, RParen, ruleLexer } from './tokens.js';
import { compare, contains, endsWith, equals, isIn, readProperty, startsWith } from './values.js';

export interface CompiledRule {
  readonly source: string;
  /** True exactly when the rule evaluates to `true` for this context. Never throws for any context. */
  readonly evaluate: (context: unknown, scope?: unknown) => boolean;
  /** The evaluation tree: every sub-expression with its span and value. */
  explain(context: unknown, scope?: unknown): Explanation;
  /** Attribute paths the rule reads, as written (`user.plan`, `attrs["x-y"]`). */
  readonly attributes: readonly string[];
  /** Segment names referenced through `segment("…")`. */
  readonly segments: readonly string[];
  /** Flag keys referenced through `flag("…")`. */
  readonly flags: readonly string[];
  /** The generated JavaScript. */
  readonly js: string;
}

export interface RuleCheck {
  ok: boolean;
  diagnostics: Diagnostic[];
}

interface Analysis {
  ast: Expr;
  references: References;
  positions: SourcePositions;
}

function analyse(source: string, options: CompileOptions): Analysis | Diagnostic[] {
  const positions = new SourcePositions(source);
  const diagnostics = new DiagnosticList(positions);
  if (Buffer.byteLength(source, 'utf8') > limits.maxSourceBytes) {
    diagnostics.add(`rule is longer than ${limits.maxSourceBytes / 1024} KiB`, 0, source.length);
    return diagnostics.sorted();
  }
  const lexed = ruleLexer.tokenize(source);
  for (const error of lexed.errors) {
    diagnostics.add(`unexpected character ${JSON.stringify(source.slice(error.offset, error.offset + 1))}`, error.offset, error.length);
  }
  if (!checkBracketDepth(lexed.tokens, diagnostics)) return diagnostics.sorted();
  const ast = parseTokens(lexed.tokens, diagnostics, source.length);
  if (!ast || diagnostics.size > 0) return diagnostics.sorted();
  const references = checkTree(ast, options, diagnostics);
  if (diagnostics.size > 0) return diagnostics.sorted();
  return { ast, references, positions };
}

/** Rejects nesting deeper than the limit before parsing, so the recursive-descent parser stays shallow. */
function checkBracketDepth(tokens: ReturnType<typeof ruleLexer.tokenize>['tokens'], diagnostics: DiagnosticList): boolean {
  let depth = 0;
  for (const token of tokens) {
    if (token.tokenType === LParen || token.tokenType === LBracket) depth++;
    else if (token.tokenType === RParen || token.tokenType === RBracket) depth = Math.max(0, depth - 1);
    if (depth > limits.maxDepth) {
      diagnostics.add(`expression is nested deeper than ${limits.maxDepth} levels`, token.startOffset, 1);
      return false;
    }
  }
  return true;
}

const unavailable = () => {
  throw new Error('unreachable: the checker rejects resolver calls without a resolver');
};

function runtimeFor(resolvers: RuleResolvers | undefined): Record<string, unknown> {
  const runtime: Record<string, unknown> = {
    rd: readProperty,
    eq: equals,
    cmp: compare,
    isIn,
    contains,
    startsWith,
    endsWith,
    resolveSegment: resolvers?.segment ?? unavailable,
    resolveFlag: resolvers?.flag ?? unavailable,
  };
  for (const fn of builtinFunctions.values()) runtime[fn.binding] = fn.implementation;
  return runtime;
}

function build(source: string, options: CompileOptions, analysis: Analysis): CompiledRule {
  const { js, constants } = generate(analysis.ast, options.salt ?? '');
  // `js` contains no user text except JSON-escaped literals (see codegen.ts), so this is not eval of input.
  const factory = new Function('rt', 'k', js) as (rt: unknown, k: unknown[]) => (context: unknown, scope?: unknown) => boolean;
  const evaluate = factory(runtimeFor(options.resolvers), constants);
  const explainer = new Explainer(source, analysis.positions, options);
  return Object.freeze({
    source,
    evaluate,
    explain: (context: unknown, scope?: unknown) => explainer.explain(analysis.ast, context, scope),
    attributes: Object.freeze(analysis.references.attributes),
    segments: Object.freeze(analysis.references.segments),
    flags: Object.freeze(analysis.references.flags),
    js,
  });
}

/** Compiled rules of one source, by resolver set and salt. */
type SourceBucket = Map<RuleResolvers | null, Map<string, CompiledRule>>;

/**
 * Compiles rules and caches them by (source, options) in an LRU of `cacheSize` compiled rules.
 * Keyed by the source string itself (V8 caches a string's hash), then resolvers and salt in nested
 * maps, so a cache hit allocates nothing.
 */
export class RuleCompiler {
  private readonly cache: LRUCache<string, SourceBucket>;

  /** @param cacheSize how many compiled rules to keep. @default 10000 */
  constructor({ cacheSize = 10_000 }: { cacheSize?: number } = {}) {
    this.cache = new LRUCache<string, SourceBucket>({ maxSize: cacheSize, sizeCalculation: countRules });
  }

  compile(source: string, options: CompileOptions = {}): CompiledRule {
    const resolvers = options.resolvers ?? null;
    const salt = options.salt ?? '';
    const bucket = this.cache.get(source);
    const cached = bucket?.get(resolvers)?.get(salt);
    if (cached) return cached;
    const analysis = analyse(source, options);
    if (Array.isArray(analysis)) throw new RuleError(analysis);
    const rule = build(source, options, analysis);
    // A new bucket object on every insert: lru-cache only recounts a size when the value changes identity.
    const next: SourceBucket = new Map(bucket ?? []);
    next.set(resolvers, new Map(next.get(resolvers) ?? []).set(salt, rule));
    this.cache.set(source, next);
    return rule;
  }

  check(source: string, options: CompileOptions = {}): RuleCheck {
    const analysis = analyse(source, options);
    return Array.isArray(analysis) ? { ok: false, diagnostics: analysis } : { ok: true, diagnostics: [] };
  }

  /** Number of compiled rules held. */
  get size(): number {
    return this.cache.calculatedSize;
  }

  clear(): void {
    this.cache.clear();
  }
}

function countRules(bucket: SourceBucket): number {
  let count = 0;
  for (const bySalt of bucket.values()) count += bySalt.size;
  return Math.max(1, count);
}

let defaultCompiler = new RuleCompiler();

/** Replaces the shared compiler behind `compileRule`, e.g. to size its cache. Cached rules are dropped. */
export function configureRuleCache({ cacheSize }: { cacheSize: number }): void {
  defaultCompiler = new RuleCompiler({ cacheSize });
}

/** Compiles a rule, or throws a `RuleError` listing every problem with its line and column. Cached. */
export function compileRule(source: string, options?: CompileOptions): CompiledRule {
  return defaultCompiler.compile(source, options);
}

/** Checks a rule without throwing. Pass resolvers to allow `segment()` / `flag()`. */
export function checkRule(source: string, options?: CompileOptions): RuleCheck {
  return defaultCompiler.check(source, options);
}

/** The shared compiler behind `compileRule`, e.g. to read its cache size. */
export function defaultRuleCompiler(): RuleCompiler {
  return defaultCompiler;
}
