/**
 * Validation of a flag environment's rollout plan (rollout-plan.ts) against that environment: the
 * target serve exists and is weighted, every stage's weights are a valid rollout over the same
 * variations in the same order (so raising a stage only grows slices and bucketing keeps everyone who
 * was in), the rules a stage switches on exist, and the plan's bookkeeping is consistent.
 */
import type { Serve, TargetingRule } from './model.js';
import {
  type GuardCheck,
  guardBreachActions,
  type RolloutGuard,
  type RolloutPlan,
  type RolloutStage,
  rolloutStates,
} from './rollout-plan.js';
import { type Collector, type Doc, isObject, stringList, text, timestamp } from './validate-fields.js';
import { serve as validateServe } from './validate-serve.js';

const maxStages = 50;
const maxHoldSeconds = 366 * 24 * 3600;

export interface PlanScope {
  rules: TargetingRule[];
  defaultServe: Serve;
  variationKeys: Set<string>;
}

/** The serve a plan drives: its rule's, or the default. */
export function targetServe(plan: Pick<RolloutPlan, 'ruleId'>, scope: Omit<PlanScope, 'variationKeys'>) {
  if (plan.ruleId === null) return scope.defaultServe;
  return scope.rules.find((rule) => rule.id === plan.ruleId)?.serve;
}

export function validateRolloutPlan(raw: unknown, path: string, issues: Collector, scope: PlanScope): RolloutPlan {
  if (!isObject(raw)) {
    issues.add(path, 'must be an object');
    return emptyPlan();
  }
  const ruleId = raw.ruleId === undefined || raw.ruleId === null ? null : text(raw, 'ruleId', issues, `${path}.`);
  const target = targetServe({ ruleId }, scope);
  if (!target) issues.add(`${path}.ruleId`, `unknown rule '${ruleId}'`);
  else if (!target.rollout) issues.add(`${path}.ruleId`, 'the plan must target a weighted serve (a rollout)');
  const order = target?.rollout?.weights.map((weight) => weight.variation).join(',');
  const stages = stageList(raw.stages, `${path}.stages`, issues, scope, order);
  const onGuardBreach = oneOf(raw.onGuardBreach ?? 'PAUSE', guardBreachActions, `${path}.onGuardBreach`, issues);
  const state = oneOf(raw.state ?? 'DRAFT', rolloutStates, `${path}.state`, issues);
  const currentStage = raw.currentStage ?? -1;
  if (typeof currentStage !== 'number' || !Number.isInteger(currentStage) || currentStage < -1)
    issues.add(`${path}.currentStage`, 'must be an integer of at least -1');
  else if (currentStage >= stages.length) issues.add(`${path}.currentStage`, 'is past the last stage');
  return {
    ruleId,
    stages,
    onGuardBreach,
    state,
    currentStage: Number(currentStage),
    stageEnteredAt: timestamp(raw.stageEnteredAt, `${path}.stageEnteredAt`, issues, null),
    baseline: isObject(raw.baseline) ? baseline(raw.baseline, `${path}.baseline`, issues, scope) : null,
    lastGuardCheck: isObject(raw.lastGuardCheck)
      ? guardCheck(raw.lastGuardCheck, `${path}.lastGuardCheck`, issues)
      : null,
  };
}

function emptyPlan(): RolloutPlan {
  const fields = { ruleId: null, onGuardBreach: 'PAUSE', state: 'DRAFT', currentStage: -1 } as const;
  return { ...fields, stages: [], stageEnteredAt: null, baseline: null, lastGuardCheck: null };
}

function oneOf<T extends string>(value: unknown, allowed: readonly T[], path: string, issues: Collector): T {
  if (typeof value === 'string' && (allowed as readonly string[]).includes(value)) return value as T;
  issues.add(path, `must be one of ${allowed.join(', ')}`);
  return allowed[0]!;
}

function stageList(raw: unknown, path: string, issues: Collector, scope: PlanScope, order?: string): RolloutStage[] {
  if (!Array.isArray(raw) || raw.length === 0) {
    issues.add(path, 'needs at least one stage');
    return [];
  }
  if (raw.length > maxStages) issues.add(path, `must have at most ${maxStages} stages`);
  return raw.map((entry, index) => stage(entry, `${path}[${index}]`, issues, scope, order));
}

function stage(raw: unknown, path: string, issues: Collector, scope: PlanScope, order?: string): RolloutStage {
  if (!isObject(raw)) {
    issues.add(path, 'must be an object');
    return { weights: [], holdSeconds: 0 };
  }
  const weights = validateServe({ rollout: { weights: raw.weights } }, path, issues, scope.variationKeys).rollout;
  const list = weights?.weights ?? [];
  if (order !== undefined && list.map((weight) => weight.variation).join(',') !== order)
    issues.add(`${path}.weights`, `must list the target's variations in its order (${order}), so bucketing stays put`);
  const hold = raw.holdSeconds ?? 0;
  if (typeof hold !== 'number' || !Number.isInteger(hold) || hold < 0 || hold > maxHoldSeconds)
    issues.add(`${path}.holdSeconds`, `must be an integer from 0 to ${maxHoldSeconds}`);
  const result: RolloutStage = { weights: list, holdSeconds: Number(hold) };
  const enableRules = stringList(raw.enableRules, `${path}.enableRules`, issues, 100);
  for (const id of enableRules)
    if (!scope.rules.some((rule) => rule.id === id)) issues.add(`${path}.enableRules`, `unknown rule '${id}'`);
  if (enableRules.length > 0) result.enableRules = enableRules;
  if (raw.guard !== undefined && raw.guard !== null) result.guard = guard(raw.guard, `${path}.guard`, issues);
  return result;
}

function guard(raw: unknown, path: string, issues: Collector): RolloutGuard {
  if (!isObject(raw)) {
    issues.add(path, 'must be an object with query and max');
    return { query: '', max: 0 };
  }
  const query = text(raw, 'query', issues, `${path}.`, undefined, 4000);
  if (!query.trim()) issues.add(`${path}.query`, 'must be a PromQL expression');
  if (typeof raw.max !== 'number' || !Number.isFinite(raw.max)) issues.add(`${path}.max`, 'must be a finite number');
  return { query, max: Number(raw.max) };
}

function baseline(raw: Doc, path: string, issues: Collector, scope: PlanScope): RolloutPlan['baseline'] {
  const rules: Record<string, boolean> = {};
  if (isObject(raw.rules))
    for (const [id, on] of Object.entries(raw.rules)) {
      if (typeof on !== 'boolean') issues.add(`${path}.rules.${id}`, 'must be true or false');
      rules[id] = on === true;
    }
  return { serve: validateServe(raw.serve, `${path}.serve`, issues, scope.variationKeys), rules };
}

function guardCheck(raw: Doc, path: string, issues: Collector): GuardCheck {
  const outcome = oneOf(raw.outcome, ['ok', 'breach', 'unknown'] as const, `${path}.outcome`, issues);
  const value = typeof raw.value === 'number' && Number.isFinite(raw.value) ? raw.value : null;
  return {
    at: timestamp(raw.at, `${path}.at`, issues, new Date(0).toISOString())!,
    value,
    outcome,
    detail: typeof raw.detail === 'string' ? raw.detail.slice(0, 500) : '',
  };
}
