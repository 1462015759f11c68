/**
 * The public entry of the rule language: `compileRule`, `checkRule` and the compiled-rule cache.
 *
 * Pipeline: size limit → lex → shape (see shape.ts) → if a rule of the same shape was compiled before,
 * fill its template with this rule's literals; otherwise the front end (analyse.ts: bracket-depth
 * pre-check, parse with recovery, semantic checks) → template generation → `new Function`
 * over our own runtime bindings. A snapshot of thousands of rules written from a few patterns is
 * parsed and code-generated once per pattern. The compiled rules themselves are in compiled-rule.ts.
 */
import { LRUCache } from 'lru-cache';
import { type Analysis, analyse, withinSizeLimit } from './analyse.js';
import { generateTemplate } from './template-source.js';
import { type CompiledRule, fill, type PreparedRule, TemplatedRule } from './compiled-rule.js';
import { literalSlots } from './literal-slots.js';
import { type Diagnostic, RuleError } from './diagnostics.js';
import { buildFactories } from './factory.js';
import type { CompileOptions, RuleResolvers } from './options.js';
import { type RuleChain, RuleChains } from './rule-chain.js';
import { type Shape, shapeOf } from './shape.js';
import { RuleTemplate } from './template.js';
import { ruleLexer } from './tokens.js';

export type { CompiledRule } from './compiled-rule.js';

export interface RuleCheck {
  ok: boolean;
  diagnostics: Diagnostic[];
}

function templateOf(analysis: Analysis, shape: Shape): RuleTemplate {
  const pathOffsets = new Set(analysis.pathStrings);
  const pathLiterals: number[] = [];
  const pathImages: string[] = [];
  shape.literals.forEach((token, index) => {
    if (!pathOffsets.has(token.startOffset)) return;
    pathLiterals.push(index);
    pathImages.push(token.image);
  });
  const slots = literalSlots(analysis.ast);
  if (slots.size + pathLiterals.length !== shape.literals.length)
    throw new Error('internal error: rule literals do not match their tokens');
  return new RuleTemplate(
    generateTemplate(analysis.ast, slots),
    Object.freeze(analysis.references.attributes),
    pathLiterals,
    pathImages,
  );
}

/** Templates depend on which resolvers exist (the checker rejects `segment()` without one), not on which. */
function templateKey(options: CompileOptions, shapeKey: string): string {
  return `${options.resolvers?.segment ? 'S' : '-'}${options.resolvers?.flag ? 'F' : '-'}${shapeKey}`;
}

/** Compiled rules of one source, by resolver set, then salt (`anySalt` when the code does not depend on it). */
interface SaltedRules {
  anySalt: CompiledRule | null;
  bySalt: ReadonlyMap<string, CompiledRule>;
}
type SourceBucket = Map<RuleResolvers | null, SaltedRules>;
/** Shared by every rule that does not depend on the salt; copied, never changed, when a salted rule joins. */
const noSalts: ReadonlyMap<string, CompiledRule> = new Map();

/**
 * Compiles rules and caches them by (source, options) in an LRU of `cacheSize` compiled rules, and
 * their templates by shape in an LRU of `templateCacheSize` templates. Keyed by the source string
 * itself (V8 caches a string's hash), then resolvers and salt in nested maps, so a cache hit allocates
 * nothing.
 */
export class RuleCompiler {
  private readonly cache: LRUCache<string, SourceBucket>;
  /** Template variants by (resolvers available, shape). */
  private readonly templates: LRUCache<string, RuleTemplate[]>;
  /** Small numbers standing for resolver sets, to deduplicate a batch by (resolvers, salt, source). */
  private readonly resolverIds = new WeakMap<RuleResolvers, number>();
  private nextResolverId = 1;
  /** The rules of the batch `withBatch` is running, by `batchId`; null outside one. */
  private pinned: Map<string, CompiledRule> | null = null;
  private readonly chains: RuleChains;

  /** @param cacheSize how many compiled rules to keep. @default 10000 @param templateCacheSize how many rule shapes. @default 5000 */
  constructor({
    cacheSize = 10_000,
    templateCacheSize = 5_000,
  }: { cacheSize?: number; templateCacheSize?: number } = {}) {
    this.cache = new LRUCache<string, SourceBucket>({ maxSize: cacheSize, sizeCalculation: countRules });
    // maxSize rather than max: lru-cache preallocates `max` slots up front, a cost on every new compiler.
    this.templates = new LRUCache<string, RuleTemplate[]>({
      maxSize: templateCacheSize,
      sizeCalculation: (variants) => variants.length,
    });
    this.chains = new RuleChains(templateCacheSize);
  }

  compile(source: string, options: CompileOptions = {}): CompiledRule {
    const cached = this.lookup(source, options) ?? this.pinned?.get(this.batchId(source, options));
    if (cached) return cached;
    const prepared = this.prepare(source, options);
    if (prepared instanceof RuleError) throw prepared;
    const rule = new TemplatedRule(source, options, prepared);
    this.store(source, options, rule, prepared.template.generated.usesSalt);
    return rule;
  }

  /**
   * Compiles many rules at once, far faster than one by one for thousands of new rules (one script
   * per batch of new shapes instead of one per rule). Returns, per request, the compiled rule or its
   * RuleError.
   */
  compileMany(requests: ReadonlyArray<{ source: string; options?: CompileOptions }>): Array<CompiledRule | RuleError> {
    const results: Array<CompiledRule | RuleError | undefined> = new Array(requests.length);
    const pending = new Map<
      string,
      { source: string; options: CompileOptions; prepared: PreparedRule; indexes: number[] }
    >();
    const fresh: RuleTemplate[] = [];
    requests.forEach(({ source, options = {} }, index) => {
      const cached = this.lookup(source, options);
      if (cached) return void (results[index] = cached);
      const id = this.batchId(source, options);
      const existing = pending.get(id);
      if (existing) return void existing.indexes.push(index);
      const prepared = this.prepare(source, options, fresh);
      if (prepared instanceof RuleError) return void (results[index] = prepared);
      pending.set(id, { source, options, prepared, indexes: [index] });
    });
    buildFactories(fresh);
    for (const { source, options, prepared, indexes } of pending.values()) {
      const compiled = new TemplatedRule(source, options, prepared);
      this.store(source, options, compiled, prepared.template.generated.usesSalt);
      for (const index of indexes) results[index] = compiled;
    }
    return results as Array<CompiledRule | RuleError>;
  }

  /**
   * Compiles `requests` in one batch (`compileMany`) and keeps their rules at hand for `compile` while
   * `use` runs, however many they are. Without this, a batch larger than the cache evicts its own first
   * rules before their callers ask for them, and each of those asks evicts the next rule to be asked
   * for: a snapshot of 100,000 flags compiled every rule again, one by one.
   */
  withBatch<T>(requests: ReadonlyArray<{ source: string; options?: CompileOptions }>, use: () => T): T {
    const results = this.compileMany(requests);
    const pinned = new Map<string, CompiledRule>();
    requests.forEach(({ source, options = {} }, index) => {
      const result = results[index];
      if (!(result instanceof RuleError)) pinned.set(this.batchId(source, options), result!);
    });
    this.pinned = pinned;
    try {
      return use();
    } finally {
      this.pinned = null;
    }
  }

  /** What identifies a compiled rule: its resolver set, salt and source. */
  private batchId(source: string, options: CompileOptions): string {
    return `${this.resolverId(options.resolvers)}\u0000${options.salt ?? ''}\u0000${source}`;
  }

  /**
   * Resolves a rule to a template and its literals: a known shape costs a lex; a new shape (or an
   * invalid literal in a known one) goes through the full front end, whose diagnostics say what is
   * wrong. New templates are added to `fresh`, whose factories the caller builds in one go.
   */
  private prepare(source: string, options: CompileOptions, fresh: RuleTemplate[] = []): PreparedRule | RuleError {
    const lexed = withinSizeLimit(source) ? ruleLexer.tokenize(source) : null;
    const shape = lexed && lexed.errors.length === 0 ? shapeOf(lexed.tokens) : null;
    const key = shape ? templateKey(options, shape.key) : '';
    if (shape) {
      const known = this.templates.get(key)?.find((template) => template.fits(shape.literals));
      const prepared = known && fill(known, shape.literals, options);
      if (prepared) return prepared;
    }
    const analysis = analyse(source, options, shape ? lexed!.tokens : undefined);
    if (Array.isArray(analysis)) return new RuleError(analysis);
    const template = templateOf(analysis, shape!);
    this.templates.set(key, [...(this.templates.get(key) ?? []), template]);
    fresh.push(template);
    const prepared = fill(template, shape!.literals, options);
    if (!prepared) throw new Error('internal error: a rule template rejects the literals of the rule it was made from');
    return prepared;
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
    const bucket = this.cache.peek(source);
    const next: SourceBucket = bucket ? new Map(bucket) : new Map();
    const previous = next.get(resolvers);
    const bySalt = usesSalt
      ? new Map(previous?.bySalt ?? []).set(options.salt ?? '', rule)
      : (previous?.bySalt ?? noSalts);
    next.set(resolvers, { anySalt: usesSalt ? (previous?.anySalt ?? null) : rule, bySalt });
    this.cache.set(source, next);
  }

  /** The rules as one function answering which of them matches first (rule-chain.ts). */
  chain(rules: readonly CompiledRule[]): RuleChain {
    return this.chains.chain(rules);
  }

  check(source: string, options: CompileOptions = {}): RuleCheck {
    const analysis = analyse(source, options);
    return Array.isArray(analysis) ? { ok: false, diagnostics: analysis } : { ok: true, diagnostics: [] };
  }

  /** Number of rule templates held: distinct shapes (and property-name variants) compiled so far. */
  get templateCount(): number {
    return this.templates.calculatedSize;
  }

  /** Number of compiled rules held. */
  get size(): number {
    return this.cache.calculatedSize;
  }

  /** Number of rule-chain templates held: distinct sequences of rule templates chained so far. */
  get chainTemplateCount(): number {
    return this.chains.size;
  }

  clear(): void {
    this.cache.clear();
    this.chains.clear();
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
