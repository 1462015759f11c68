/**
 * Writes of rollout plans: setting (DRAFT), deleting, and every transition of a plan, each one
 * conditional flag write of the environment that carries the plan (action `update`, environment
 * named). The scheduler's steps go through here too, with the version it read: when two gateways
 * step at once the store's CONFLICT lets exactly one of them through.
 */
import type { Flag, FlagEnvironmentConfig } from '../flags/model.js';
import type { GuardCheck } from '../flags/rollout-plan.js';
import { recordGuardCheck, requirePlan, type RolloutTransition, transition } from '../flags/rollout-steps.js';
import { validateFlag } from '../flags/validate.js';
import { currentAt, writeFlag } from './flag-writes.js';
import type { WriteMeta } from './types.js';
import { checkVersion, invalid, isObject, requireObject } from './validation/input.js';
import { requireEnvironment, type WriteContext } from './write-context.js';

type Change = (config: FlagEnvironmentConfig | undefined, flag: Flag, now: string) => FlagEnvironmentConfig;

export class RolloutWrites {
  constructor(private readonly context: WriteContext) {}

  /** Creates or replaces the plan of an environment (as a DRAFT); refused while a plan runs or is paused. */
  setPlan(key: string, environment: string, input: unknown, expectedVersion: number, meta: WriteMeta) {
    return this.change(key, environment, expectedVersion, meta, (config, flag) => {
      if (!config) throw invalid('environment', `flag '${key}' is not configured in '${environment}'`);
      const state = config.rollout?.state;
      if (state === 'RUNNING' || state === 'PAUSED')
        throw invalid('rollout.state', `the plan is ${state}; roll it back or let it complete before replacing it`);
      return { ...config, rollout: draft(flag, config, requireObject(input, 'a rollout plan')) as never };
    });
  }

  /** Removes the plan; the target serve keeps its current weights. */
  deletePlan(key: string, environment: string, expectedVersion: number, meta: WriteMeta) {
    return this.change(key, environment, expectedVersion, meta, (config) => {
      requirePlan(config, environment);
      const { rollout: _plan, ...rest } = config!;
      return rest;
    });
  }

  /** A transition of the plan; `check` (the guard check that allowed it) is recorded in the same write. */
  step(
    key: string,
    environment: string,
    kind: RolloutTransition,
    expectedVersion: number,
    meta: WriteMeta,
    check: GuardCheck | null = null,
  ) {
    return this.change(key, environment, expectedVersion, meta, (config, _flag, now) => {
      requirePlan(config, environment);
      return transition(check ? recordGuardCheck(config!, check, now) : config!, kind, now);
    });
  }

  /** Records a guard check on the plan (a breach pauses it or rolls it back, as the plan says). */
  guardCheck(key: string, environment: string, check: GuardCheck, expectedVersion: number, meta: WriteMeta) {
    return this.change(key, environment, expectedVersion, meta, (config, _flag, now) => {
      requirePlan(config, environment);
      return recordGuardCheck(config!, check, now);
    });
  }

  private async change(key: string, environment: string, expectedVersion: number, meta: WriteMeta, change: Change) {
    checkVersion(expectedVersion);
    await requireEnvironment(this.context.backend, environment, 'environment');
    const current = await currentAt(this.context, key, expectedVersion);
    const now = this.context.now();
    const config = change(current.environments[environment], current, now);
    const flag = validateFlag(
      {
        ...current,
        environments: { ...current.environments, [environment]: config },
        version: expectedVersion + 1,
        updatedAt: now,
      },
      now,
    );
    return writeFlag(this.context, flag, expectedVersion, 'update', meta, environment);
  }
}

/** A new plan from its input: validation happens with the whole flag; a boolean stage may give `percentage`. */
function draft(flag: Flag, config: FlagEnvironmentConfig, input: Record<string, unknown>): unknown {
  const ruleId = typeof input.ruleId === 'string' ? input.ruleId : null;
  const target = ruleId === null ? config.defaultServe : config.rules.find((rule) => rule.id === ruleId)?.serve;
  const stages = Array.isArray(input.stages)
    ? input.stages.map((stage, index) => withWeights(flag, target?.rollout?.weights, stage, index))
    : input.stages;
  return { ruleId, stages, onGuardBreach: input.onGuardBreach ?? 'PAUSE', state: 'DRAFT', currentStage: -1 };
}

function withWeights(flag: Flag, order: Array<{ variation: string }> | undefined, stage: unknown, index: number) {
  if (!isObject(stage) || stage.percentage === undefined || stage.percentage === null) return stage;
  const path = `rollout.stages[${index}].percentage`;
  const { percentage, ...rest } = stage;
  if (flag.valueType !== 'boolean') throw invalid(path, 'is only for boolean flags; give weights');
  if (typeof percentage !== 'number' || !(percentage >= 0 && percentage <= 100))
    throw invalid(path, 'must be a number from 0 to 100');
  const on = Math.round(percentage * 1000);
  const trueKey = flag.variations.find((variation) => variation.value === true)?.key;
  const keys = order?.map((weight) => weight.variation) ?? flag.variations.map((variation) => variation.key);
  return {
    ...rest,
    weights: keys.map((variation) => ({ variation, weight: variation === trueKey ? on : 100_000 - on })),
  };
}
