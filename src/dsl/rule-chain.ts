/**
 * A rule chain: an ordered list of compiled rules as one generated function that answers which rule
 * matches first (-1 for none), the question a flag asks of its targeting rules. Called one by one,
 * each rule is a call V8 cannot inline (the engine's call site sees the rules of every flag) and its
 * own check of the context; the chain inlines the rules' conditions and reads the context once.
 * Each rule keeps its semantics exactly: one that throws (an exotic context) does not match, and the
 * next is tried.
 *
 * Chains are shared like rule templates: rules made from the same templates in the same order share
 * one chain template (one V8 function), and each chain is a closure over its rules' literals.
 *
 * Security: the code is assembled from the rules' generated conditions (codegen.ts: no user text but
 * JSON-escaped property names) and names of our own; literal values arrive as closure constants.
 */
import { LRUCache } from 'lru-cache';
import type { CompiledRule } from './compiled-rule.js';
import { TemplatedRule } from './compiled-rule.js';
import { runtimeOf } from './factory.js';
import { rootValueCode, rootVariable } from './property-read.js';
import type { RuleTemplate } from './template.js';
import { declarations } from './template-source.js';

/** The index of the first rule that matches the context, or -1. Never throws. `plain` as for rules. */
export type RuleChain = (context: unknown, scope?: unknown, plain?: boolean) => number;

type ChainFactory = (
  rt: Record<string, unknown>,
  params: ReadonlyArray<readonly unknown[]>,
  constants: ReadonlyArray<readonly unknown[]>,
  fallback: RuleChain,
) => RuleChain;

/** Beyond this much generated code, V8 would not optimize the chain: such flags call rule by rule. */
const maxChainSource = 24_000;

const never: RuleChain = () => -1;

/** The chain that calls each rule's own evaluator in turn: for chains too long to generate. */
function ruleByRule(rules: readonly CompiledRule[]): RuleChain {
  const evaluators = rules.map((rule) => rule.evaluate);
  return (context, scope, plain) => {
    for (let i = 0; i < evaluators.length; i++) if (evaluators[i]!(context, scope, plain)) return i;
    return -1;
  };
}

/** Inside rule `index`'s block, its own names (`p0`, `k0`, …) for the chain's closure constants. */
function localAliases(index: number, template: RuleTemplate): string {
  const { paramCount } = template.generated;
  const names = [
    ...Array.from({ length: paramCount }, (_, i) => `p${i} = r${index}p${i}`),
    ...template.generated.recipes.map((_, i) => `k${i} = r${index}k${i}`),
  ];
  return names.length === 0 ? '' : `const ${names.join(', ')}; `;
}

/** The source of a chain template's factory: `function (rt, P, K, fallback) { …; return function chain… }`. */
function chainFactorySource(templates: readonly RuleTemplate[]): string {
  const bindings = new Set<string>();
  for (const template of templates) for (const binding of template.generated.bindings) bindings.add(binding);
  const readsContext = templates.some((template) => template.generated.readsContext);
  const root = rootValueCode();
  if (readsContext) for (const binding of root.bindings) bindings.add(binding);
  const temporaries = Math.max(0, ...templates.map((template) => template.generated.temporaryCount));
  const locals = [...(readsContext ? [rootVariable] : []), ...Array.from({ length: temporaries }, (_, i) => `t${i}`)];
  return [
    'function (rt, P, K, fallback) {',
    ...(bindings.size > 0 ? [`  const { ${[...bindings].join(', ')} } = rt;`] : []),
    ...templates.flatMap((template, index) => [
      // Rule `index`'s parameters and constants: `const r2p0 = P[2][0], …;`.
      ...declarations(`r${index}p`, `P[${index}]`, template.generated.paramCount),
      ...declarations(`r${index}k`, `K[${index}]`, template.generated.recipes.length),
    ]),
    '  return function chain(ctx, scope, plain) {',
    ...(locals.length > 0 ? [`    let ${locals.join(', ')};`] : []),
    // Only an exotic context (a revoked proxy) throws here; the rules one by one then say what matches.
    ...(readsContext
      ? [`    try { ${rootVariable} = ${root.code}; } catch { return fallback(ctx, scope, plain); }`]
      : []),
    ...templates.map(
      (template, index) =>
        `    try { ${localAliases(index, template)}if (${template.generated.condition}) return ${index}; } catch {}`,
    ),
    '    return -1;',
    '  };',
    '}',
  ].join('\n');
}

/** Builds rule chains, sharing one factory per sequence of templates (an LRU of `cacheSize`). */
export class RuleChains {
  private readonly factories: LRUCache<string, ChainFactory>;

  constructor(cacheSize = 5_000) {
    this.factories = new LRUCache<string, ChainFactory>({ maxSize: cacheSize, sizeCalculation: () => 1 });
  }

  chain(rules: readonly CompiledRule[]): RuleChain {
    if (rules.length === 0) return never;
    const templated = rules.filter((rule): rule is TemplatedRule => rule instanceof TemplatedRule);
    const resolvers = templated[0]?.options.resolvers;
    const templates = templated.map((rule) => rule.prepared.template);
    const size = templates.reduce((total, template) => total + template.generated.condition.length, 0);
    // Every rule must be one of ours and share one runtime; anything else keeps its own evaluator.
    if (
      templated.length !== rules.length ||
      templated.some((rule) => rule.options.resolvers !== resolvers) ||
      size > maxChainSource
    )
      return ruleByRule(rules);
    const factory = this.factoryFor(templates);
    return factory(
      runtimeOf(resolvers),
      templated.map((rule) => rule.prepared.params),
      templated.map((rule) => rule.prepared.constants),
      ruleByRule(rules),
    );
  }

  /** Number of chain templates held. */
  get size(): number {
    return this.factories.size;
  }

  clear(): void {
    this.factories.clear();
  }

  private factoryFor(templates: readonly RuleTemplate[]): ChainFactory {
    const key = templates.map((template) => template.id).join(',');
    let factory = this.factories.get(key);
    if (!factory) {
      factory = new Function(`"use strict";\nreturn ${chainFactorySource(templates)};`)() as ChainFactory;
      this.factories.set(key, factory);
    }
    return factory;
  }
}
