/**
 * A rule-by-rule account of one flag evaluation: whether the flag is on, each rule's verdict with its
 * expression trace (up to the first match), and for a percentage rollout the bucket and slices.
 */
import type { Explanation } from '../dsl/index.js';
import { readProperty } from '../dsl/values.js';
import { type CompiledFlag, type CompiledServe, pickSlice, splitBucket } from './compiled-flag.js';
import type { EvaluationResult } from './evaluation.js';
import type { EnvironmentSnapshot } from './snapshot.js';

export interface RolloutExplanation {
  bucketBy: string;
  /** The bucketed attribute's value, or null when missing. */
  bucketValue: unknown;
  /** The context's position in [0, 100), or null when it could not be bucketed. */
  bucket: number | null;
  slices: Array<{ variation: string; from: number; to: number; weight: number }>;
  variation: string | null;
  inRollout: boolean | null;
}

export interface RuleExplanation {
  index: number;
  id: string;
  description: string | null;
  condition: string;
  /** False for rules after the first match (never reached). */
  evaluated: boolean;
  matched: boolean;
  trace: Explanation | null;
  serve: { variation: string | null; rollout: boolean };
}

/** The individual target that decided the evaluation (reason TARGET_MATCH): which attribute, which value. */
export interface TargetExplanation {
  attribute: string;
  value: string;
  variation: string;
}

export interface FlagExplanation {
  flagKey: string;
  environment: string;
  flagVersion: number;
  on: boolean;
  rules: RuleExplanation[];
  /** Index of the rule that matched, or null when the default serve applied (or the flag is off). */
  matchedRuleIndex: number | null;
  rollout: RolloutExplanation | null;
  /** The individual target the context hit, or null: when set, no rule was reached. */
  target: TargetExplanation | null;
  result: EvaluationResult;
}

function rolloutOf(compiled: CompiledFlag, serve: CompiledServe, context: unknown): RolloutExplanation | null {
  if (serve.kind !== 'split') return null;
  const index = splitBucket(serve, compiled.flag.salt, context);
  let from = 0;
  const slices = serve.outcomes.map((outcome, i) => {
    const to = serve.bounds[i]!;
    const slice = { variation: outcome.result.variation, from: from / 1000, to: to / 1000, weight: to - from };
    from = to;
    return slice;
  });
  const picked = index < 0 ? null : pickSlice(serve, index).result;
  let bucketValue: unknown = context;
  for (const key of serve.bucketBy) bucketValue = readProperty(bucketValue, key);
  return {
    bucketBy: serve.bucketBy.join('.'),
    bucketValue: bucketValue ?? null,
    bucket: index < 0 ? null : index / 1000,
    slices,
    variation: picked?.variation ?? null,
    inRollout: picked?.inRollout ?? null,
  };
}

function targetOf(compiled: CompiledFlag, context: unknown): TargetExplanation | null {
  if (!compiled.on) return null;
  // The same walk as targetOutcome, keeping which attribute and value hit.
  for (const { attribute, path, outcomes } of compiled.targets) {
    let value: unknown = context;
    for (const key of path) value = readProperty(value, key);
    const outcome = typeof value === 'string' ? outcomes.get(value) : undefined;
    if (outcome !== undefined) return { attribute, value: value as string, variation: outcome.result.variation };
  }
  return null;
}

export function explainFlag(snapshot: EnvironmentSnapshot, compiled: CompiledFlag, context: unknown): FlagExplanation {
  const config = compiled.flag.environments[snapshot.environment];
  const result = snapshot.evaluate(compiled.key, context, { environment: snapshot.environment }, false);
  // An evaluation that failed before targeting (INVALID_CONTEXT, TYPE_MISMATCH) reached no rule;
  // TARGETING_KEY_MISSING comes after a rule matched, from its rollout.
  const target = result.reason === 'ERROR' ? null : targetOf(compiled, context);
  const targeted =
    target === null && compiled.on && (result.reason !== 'ERROR' || result.errorCode === 'TARGETING_KEY_MISSING');
  let matchedRuleIndex: number | null = null;
  const rules = compiled.rules.map((entry, index): RuleExplanation => {
    const reached = targeted && matchedRuleIndex === null;
    const trace = reached ? entry.rule.explain(context, snapshot) : null;
    if (trace?.matched) matchedRuleIndex = index;
    const rule = config!.rules[index]!;
    return {
      index,
      id: rule.id,
      description: rule.description ?? null,
      condition: rule.condition,
      evaluated: reached,
      matched: trace?.matched ?? false,
      trace,
      serve: { variation: rule.serve.variation ?? null, rollout: rule.serve.rollout !== undefined },
    };
  });
  const serve = !targeted
    ? null
    : matchedRuleIndex === null
      ? compiled.defaultServe
      : compiled.rules[matchedRuleIndex]!.serve;
  return {
    flagKey: compiled.key,
    environment: snapshot.environment,
    flagVersion: compiled.flag.version,
    on: compiled.on,
    rules,
    matchedRuleIndex,
    rollout: serve ? rolloutOf(compiled, serve, context) : null,
    target,
    result,
  };
}
