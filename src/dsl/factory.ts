/**
 * Turns rule templates into factory functions. V8 pays a fixed cost (tens of µs) per script it
 * compiles, so templates built together (a snapshot of thousands of flags) share one script: each
 * template is a function expression V8 only pre-parses until its first call. A factory call then
 * makes one rule's evaluator, a closure over that rule's literals and constants.
 *
 * Security: the sources come from codegen.ts, where user text appears only as JSON-escaped property
 * names; literal values are never part of the code.
 */
import { builtinFunctions } from './functions/index.js';
import type { RuleResolvers } from './options.js';
import type { RuleFactory, RuleTemplate } from './template.js';
import { compare, contains, endsWith, equals, isIn, isPlainObject, readProperty, startsWith } from './values.js';

/** `plain`: the caller has checked `isPlainObject(context)`, so the evaluator need not. */
export type Evaluator = (context: unknown, scope?: unknown, plain?: boolean) => boolean;

/** What rules read from a context that is not a plain object: nothing. */
const emptyContext: object = Object.freeze(Object.create(null) as object);

const unavailable = () => {
  throw new Error('unreachable: the checker rejects resolver calls without a resolver');
};

/** The helpers generated code may call, bound to one set of resolvers. */
export function runtimeFor(resolvers: RuleResolvers | undefined): Record<string, unknown> {
  const runtime: Record<string, unknown> = {
    rd: readProperty,
    gp: Object.getPrototypeOf,
    OP: Object.prototype,
    isPlain: isPlainObject,
    EMPTY: emptyContext,
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

const runtimes = new WeakMap<RuleResolvers, Record<string, unknown>>();
const plainRuntime = runtimeFor(undefined);

/** The runtime for a set of resolvers, built once per set. */
export function runtimeOf(resolvers: RuleResolvers | undefined): Record<string, unknown> {
  if (!resolvers) return plainRuntime;
  let runtime = runtimes.get(resolvers);
  if (!runtime) runtimes.set(resolvers, (runtime = runtimeFor(resolvers)));
  return runtime;
}

/** Rules compiled together share one script; this bounds a script's size. */
const batchSize = 500;

/** Gives every template without one its factory, compiling them in as few scripts as possible. */
export function buildFactories(templates: readonly RuleTemplate[]): void {
  for (let start = 0; start < templates.length; start += batchSize) {
    const batch = templates.slice(start, start + batchSize);
    const source = `"use strict";\nreturn [\n${batch.map((template) => template.generated.factorySource).join(',\n')}\n];`;
    const factories = new Function(source)() as RuleFactory[];
    batch.forEach((template, i) => (template.factory = factories[i]!));
  }
}
