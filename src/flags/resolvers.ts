/**
 * The resolvers that give `segment()` and `flag()` their meaning. One shared object for every flag, so
 * compiled rules are cached across flags and snapshots: the snapshot arrives at evaluation time as `scope`.
 */
import type { RuleResolvers } from '../dsl/index.js';

/** What a compiled snapshot offers to the rules evaluated against it. */
export interface EvaluationScope {
  segmentMatches(name: string, context: unknown): boolean;
  prerequisiteValue(flagKey: string, context: unknown): unknown;
}

export const ruleResolvers: RuleResolvers = {
  segment: (name, context, scope) => (scope ? (scope as EvaluationScope).segmentMatches(name, context) : false),
  flag: (key, context, scope) => (scope ? (scope as EvaluationScope).prerequisiteValue(key, context) : null),
};
