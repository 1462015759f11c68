/** A segment compiled for evaluation: key lists as sets (sized for 100,000 entries), condition as a function. */
import type { CompiledRule, RuleCompiler } from '../dsl/index.js';
import { readProperty } from '../dsl/values.js';
import { type Segment, targetingKeyAttribute } from './model.js';

export interface CompiledSegment {
  readonly segment: Segment;
  readonly included: ReadonlySet<string>;
  readonly excluded: ReadonlySet<string>;
  readonly condition: CompiledRule | null;
}

export function compileSegment(segment: Segment, rules: RuleCompiler): CompiledSegment {
  return {
    segment,
    included: new Set(segment.included),
    excluded: new Set(segment.excluded),
    condition: segment.condition ? rules.compile(segment.condition) : null,
  };
}

/** Exclusion wins, then inclusion, then the condition; a context without a targeting key is judged by the condition alone. */
export function segmentMatches(compiled: CompiledSegment, context: unknown): boolean {
  const key = readProperty(context, targetingKeyAttribute);
  if (typeof key === 'string') {
    if (compiled.excluded.has(key)) return false;
    if (compiled.included.has(key)) return true;
  }
  return compiled.condition !== null && compiled.condition.evaluate(context);
}
