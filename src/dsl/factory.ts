/**
 * Turns generated code into evaluator functions. V8 pays a fixed cost (tens of µs) per script it
 * compiles, so when many rules are compiled together (a snapshot of thousands of flags) they share one
 * script: each rule is a function expression V8 only pre-parses until its first call.
 *
 * Security: the sources come from codegen.ts, where user text appears only as JSON-escaped literals.
 */
import type { GeneratedRule } from './codegen.js';
import { builtinFunctions } from './functions/index.js';
import type { RuleResolvers } from './options.js';
import { compare, contains, endsWith, equals, isIn, readProperty, startsWith } from './values.js';

export type Evaluator = (context: unknown, scope?: unknown) => boolean;

const unavailable = () => {
  throw new Error('unreachable: the checker rejects resolver calls without a resolver');
};

/** The helpers generated code may call, bound to one set of resolvers. */
export function runtimeFor(resolvers: RuleResolvers | undefined): Record<string, unknown> {
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

export function instantiateOne(generated: GeneratedRule, runtime: Record<string, unknown>): Evaluator {
  const factory = new Function('rt', 'k', generated.js) as (rt: unknown, k: unknown[]) => Evaluator;
  return factory(runtime, generated.constants);
}

/** One script for many rules (all bound to the same runtime). */
export function instantiateMany(generated: readonly GeneratedRule[], runtime: Record<string, unknown>): Evaluator[] {
  if (generated.length === 1) return [instantiateOne(generated[0]!, runtime)];
  const bindings = [...new Set(generated.flatMap((rule) => rule.bindings))];
  const source = [
    '"use strict";',
    ...(bindings.length > 0 ? [`const { ${bindings.join(', ')} } = rt;`] : []),
    'return [',
    generated.map((rule, index) => rule.evaluatorSource(rule.constants.length > 0 ? `const k = ks[${index}];` : '')).join(',\n'),
    '];',
  ].join('\n');
  const factory = new Function('rt', 'ks', source) as (rt: unknown, ks: unknown[][]) => Evaluator[];
  return factory(runtime, generated.map((rule) => rule.constants));
}
