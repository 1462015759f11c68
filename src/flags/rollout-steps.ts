/**
 * The transitions of a rollout plan, as pure functions from one flag environment configuration to the
 * next: entering a stage rewrites the target serve's weights and the switches of the plan's rules in
 * the same configuration that carries the plan, so a step is one write. A transition that does not
 * apply to the plan's state throws a ValidationError on `rollout.state`.
 */
import { ValidationError } from './errors.js';
import type { FlagEnvironmentConfig, Serve } from './model.js';
import type { GuardCheck, RolloutBaseline, RolloutPlan, RolloutState } from './rollout-plan.js';

export type RolloutTransition = 'start' | 'pause' | 'resume' | 'advance' | 'rollbackPrevious' | 'rollbackZero';

const allowedFrom: Record<RolloutTransition, readonly RolloutState[]> = {
  start: ['DRAFT', 'ROLLED_BACK'],
  pause: ['RUNNING'],
  resume: ['PAUSED'],
  advance: ['RUNNING', 'PAUSED'],
  rollbackPrevious: ['RUNNING', 'PAUSED', 'COMPLETED'],
  rollbackZero: ['RUNNING', 'PAUSED', 'COMPLETED'],
};

export function requirePlan(config: FlagEnvironmentConfig | undefined, environment: string): RolloutPlan {
  if (config?.rollout) return config.rollout;
  throw new ValidationError([
    { path: 'rollout', message: `no rollout plan in environment '${environment}'`, code: 'VALIDATION' },
  ]);
}

/** Applies a transition at `now` (ISO-8601); returns the next configuration. */
export function transition(config: FlagEnvironmentConfig, kind: RolloutTransition, now: string): FlagEnvironmentConfig {
  const plan = config.rollout!;
  if (!allowedFrom[kind].includes(plan.state))
    throw new ValidationError([
      {
        path: 'rollout.state',
        message: `the plan is ${plan.state}; ${kind} needs ${allowedFrom[kind].join(' or ')}`,
        code: 'VALIDATION',
      },
    ]);
  switch (kind) {
    case 'start':
      return enterStage({ ...config, rollout: { ...plan, baseline: baselineOf(config, plan) } }, 0, 'RUNNING', now);
    case 'pause':
      return withPlan(config, { state: 'PAUSED' });
    case 'resume':
      return withPlan(config, { state: 'RUNNING' });
    case 'advance':
      return enterStage(config, plan.currentStage + 1, plan.state, now);
    case 'rollbackPrevious':
      return enterStage(config, plan.currentStage - 1, 'PAUSED', now);
    case 'rollbackZero':
      return enterStage(config, -1, 'ROLLED_BACK', now);
  }
}

/** Records a guard check on the plan; a breach also pauses it or rolls it back to zero, as the plan says. */
export function recordGuardCheck(config: FlagEnvironmentConfig, check: GuardCheck, now: string): FlagEnvironmentConfig {
  const recorded = withPlan(config, { lastGuardCheck: check });
  if (check.outcome !== 'breach') return recorded;
  return recorded.rollout!.onGuardBreach === 'ROLLBACK'
    ? enterStage(recorded, -1, 'ROLLED_BACK', now)
    : withPlan(recorded, { state: 'PAUSED' });
}

/** The kill switch turned off pauses a running plan: no step may undo an operator's emergency stop. */
export function pauseOnKill(config: FlagEnvironmentConfig, on: boolean): FlagEnvironmentConfig {
  if (on || config.rollout?.state !== 'RUNNING') return config;
  return withPlan(config, { state: 'PAUSED' });
}

function withPlan(config: FlagEnvironmentConfig, change: Partial<RolloutPlan>): FlagEnvironmentConfig {
  return { ...config, rollout: { ...config.rollout!, ...change } };
}

function baselineOf(config: FlagEnvironmentConfig, plan: RolloutPlan): RolloutBaseline {
  const rules: Record<string, boolean> = {};
  for (const id of planRules(plan)) rules[id] = config.rules.find((rule) => rule.id === id)?.enabled !== false;
  return { serve: structuredClone(targetOf(config, plan)), rules };
}

function planRules(plan: RolloutPlan): Set<string> {
  return new Set(plan.stages.flatMap((stage) => stage.enableRules ?? []));
}

function targetOf(config: FlagEnvironmentConfig, plan: RolloutPlan): Serve {
  if (plan.ruleId === null) return config.defaultServe;
  return config.rules.find((rule) => rule.id === plan.ruleId)!.serve;
}

/**
 * The configuration in stage `index` (-1: the baseline): the target serve gets the stage's weights
 * (keeping its bucketBy), and each rule the plan switches is on iff a stage up to `index` switches it
 * on. Entering the last stage completes the plan.
 */
function enterStage(config: FlagEnvironmentConfig, index: number, state: RolloutState, now: string) {
  const plan = config.rollout!;
  const baseline = plan.baseline ?? baselineOf(config, plan);
  const bucketBy = targetOf(config, plan).rollout?.bucketBy;
  const serve: Serve =
    index < 0
      ? structuredClone(baseline.serve)
      : { rollout: { ...(bucketBy ? { bucketBy } : {}), weights: structuredClone(plan.stages[index]!.weights) } };
  const switchedOn = new Set(plan.stages.slice(0, Math.max(index + 1, 0)).flatMap((stage) => stage.enableRules ?? []));
  const rules = config.rules.map((rule) => {
    const next = { ...rule, ...(rule.id === plan.ruleId ? { serve } : {}) };
    if (!planRules(plan).has(rule.id)) return next;
    const enabled = index < 0 ? baseline.rules[rule.id] !== false : switchedOn.has(rule.id);
    if (enabled) delete next.enabled;
    else next.enabled = false;
    return next;
  });
  const last = index === plan.stages.length - 1;
  return {
    ...config,
    rules,
    defaultServe: plan.ruleId === null ? serve : config.defaultServe,
    rollout: {
      ...plan,
      baseline,
      currentStage: index,
      stageEnteredAt: now,
      state: index < 0 ? 'ROLLED_BACK' : last && state !== 'ROLLED_BACK' ? 'COMPLETED' : state,
    },
  };
}
