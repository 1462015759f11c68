/**
 * The public entry of the rule language: `compileRule`, `checkRule` and the compiled-rule cache.
 *
 * Pipeline: size limit → lex → bracket-depth pre-check (protects the recursive parser) → parse with
 * recovery → semantic checks → code generation → `new Function` over our own runtime bindings.
 */
import { LRUCache } from 'lru-cache';
import type { Expr } from './ast.js';
import { checkTree, type References } from './checker.js';
import { generate, type GeneratedRule } from './codegen.js';
import { type Diagnostic, DiagnosticList, RuleError, SourcePositions } from './diagnostics.js';
import { Explainer, type Explanation } from './explain.js';
import { type Evaluator, instantiateMany, instantiateOne, runtimeFor } from './factory.js';
import { type CompileOptions, limits, type RuleResolvers } from './options.js';
import { parseTokens } from './parser.js';
import { LBracket, LParen, RBracket, RParen, ruleLexer } from './tokens.js';

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
  // A UTF-8 character takes at most 3 bytes per UTF-16 unit, so short sources need no byte count.
  if (source.length * 3 > limits.maxSourceBytes && Buffer.byteLength(source, 'utf8') > limits.maxSourceBytes) {
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

const runtimes = new WeakMap<RuleResolvers, Record<string, unknown>>();
const plainRuntime = runtimeFor(undefined);

function runtimeOf(resolvers: RuleResolvers | undefined): Record<string, unknown> {
  if (!resolvers) return plainRuntime;
  let runtime = runtimes.get(resolvers);
  if (!runtime) runtimes.set(resolvers, (runtime = runtimeFor(resolvers)));
  return runtime;
}

/** Builds the explainer on first use: most rules are never explained, and the AST is the bulk of a rule's memory. */
function lazyExplain(source: string, options: CompileOptions): (context: unknown, scope?: unknown) => Explanation {
  let explainer: { explainer: Explainer; ast: Expr } | null = null;
  return (context, scope) => {
    if (!explainer) {
      const analysis = analyse(source, options) as Analysis;
      explainer = { explainer: new Explainer(source, analysis.positions, options), ast: analysis.ast };
    }
    return explainer.explainer.explain(explainer.ast, context, scope);
  };
}

function compiledRule(source: string, options: CompileOptions, analysis: Analysis, generated: GeneratedRule, evaluate: Evaluator): CompiledRule {
  return Object.freeze({
    source,
    evaluate,
    explain: lazyExplain(source, options),
    attributes: Object.freeze(analysis.references.attributes),
    segments: Object.freeze(analysis.references.segments),
    flags: Object.freeze(analysis.references.flags),
    js: generated.js,
  });
}

interface PendingRule {
  source: string;
  options: CompileOptions;
  analysis: Analysis;
  generated: GeneratedRule;
}

/** Rules compiled together share one script (see factory.ts); this bounds a script's size. */
const batchSize = 500;

/** Compiled rules of one source, by resolver set, then salt (`anySalt` when the code does not depend on it). */
interface SaltedRules {
  anySalt: CompiledRule | null;
  bySalt: Map<string, CompiledRule>;
}
type SourceBucket = Map<RuleResolvers | null, SaltedRules>;

/**
 * Compiles rules and caches them by (source, options) in an LRU of `cacheSize` compiled rules.
 * Keyed by the source string itself (V8 caches a string's hash), then resolvers and salt in nested
 * maps, so a cache hit allocates nothing.
 */
export class RuleCompiler {
  private readonly cache: LRUCache<string, SourceBucket>;
  /** Small numbers standing for resolver sets, to deduplicate a batch by (resolvers, salt, source). */
  private readonly resolverIds = new WeakMap<RuleResolvers, number>();
  private nextResolverId = 1;

  /** @param cacheSize how many compiled rules to keep. @default 10000 */
  constructor({ cacheSize = 10_000 }: { cacheSize?: number } = {}) {
    this.cache = new LRUCache<string, SourceBucket>({ maxSize: cacheSize, sizeCalculation: countRules });
  }

  compile(source: string, options: CompileOptions = {}): CompiledRule {
    const cached = this.lookup(source, options);
    if (cached) return cached;
    const analysis = analyse(source, options);
    if (Array.isArray(analysis)) throw new RuleError(analysis);
    const generated = generate(analysis.ast, options.salt ?? '');
    const rule = compiledRule(source, options, analysis, generated, instantiateOne(generated, runtimeOf(options.resolvers)));
    this.store(source, options, rule, generated.usesSalt);
    return rule;
  }

  /**
   * Compiles many rules at once, far faster than one by one for thousands of new rules (one script
   * per batch instead of one per rule). Returns, per request, the compiled rule or its RuleError.
   */
  compileMany(requests: ReadonlyArray<{ source: string; options?: CompileOptions }>): Array<CompiledRule | RuleError> {
    const results: Array<CompiledRule | RuleError | undefined> = new Array(requests.length);
    const pending = new Map<string, { rule: PendingRule; indexes: number[] }>();
    requests.forEach(({ source, options = {} }, index) => {
      const cached = this.lookup(source, options);
      if (cached) return void (results[index] = cached);
      const id = `${this.resolverId(options.resolvers)}\u0000${options.salt ?? ''}\u0000${source}`;
      const existing = pending.get(id);
      if (existing) return void existing.indexes.push(index);
      const analysis = analyse(source, options);
      if (Array.isArray(analysis)) return void (results[index] = new RuleError(analysis));
      pending.set(id, { rule: { source, options, analysis, generated: generate(analysis.ast, options.salt ?? '') }, indexes: [index] });
    });
    const byRuntime = new Map<Record<string, unknown>, Array<{ rule: PendingRule; indexes: number[] }>>();
    for (const entry of pending.values()) {
      const runtime = runtimeOf(entry.rule.options.resolvers);
      const group = byRuntime.get(runtime);
      if (group) group.push(entry);
      else byRuntime.set(runtime, [entry]);
    }
    for (const [runtime, entries] of byRuntime) {
      for (let start = 0; start < entries.length; start += batchSize) {
        const batch = entries.slice(start, start + batchSize);
        const evaluators = instantiateMany(batch.map((entry) => entry.rule.generated), runtime);
        batch.forEach(({ rule, indexes }, i) => {
          const compiled = compiledRule(rule.source, rule.options, rule.analysis, rule.generated, evaluators[i]!);
          this.store(rule.source, rule.options, compiled, rule.generated.usesSalt);
          for (const index of indexes) results[index] = compiled;
        });
      }
    }
    return results as Array<CompiledRule | RuleError>;
  }

  private lookup(source: string, options: CompileOptions): CompiledRule | undefined {
    const rules = this.cache.get(source)?.get(options.resolvers ?? null);
    return rules?.anySalt ?? rules?.bySalt.get(options.salt ?? '');
  }

  private resolverId(resolvers: RuleResolvers | undefined): number {
    if (!resolvers) return 0;
    let id = this.resolverIds.get(resolvers);
    if (id === undefined) this.resolverIds.set(resolvers, (id = this.nextResolverId++));
    return id;
  }

  private store(source: string, options: CompileOptions, rule: CompiledRule, usesSalt: boolean): void {
    const resolvers = options.resolvers ?? null;
    // A new bucket object on every insert: lru-cache only recounts a size when the value changes identity.
    const next: SourceBucket = new Map(this.cache.get(source) ?? []);
    const previous = next.get(resolvers);
    const bySalt = new Map(previous?.bySalt ?? []);
    if (usesSalt) bySalt.set(options.salt ?? '', rule);
    next.set(resolvers, { anySalt: usesSalt ? (previous?.anySalt ?? null) : rule, bySalt });
    this.cache.set(source, next);
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
  for (const rules of bucket.values()) count += rules.bySalt.size + (rules.anySalt ? 1 : 0);
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
