/**
 * Rollout plans: a sequence of stages that a flag environment's weighted serve (a rule's or the
 * default's) goes through, each held for a minimum time and optionally watched by a Prometheus guard.
 * Pure data, stored inside the flag environment it drives, so every step of a plan is one ordinary,
 * conditional flag write (exactly once across gateways, atomic when a gateway dies mid-step).
 */
import type { Serve, Weight } from './model.js';

export const rolloutStates = ['DRAFT', 'RUNNING', 'PAUSED', 'COMPLETED', 'ROLLED_BACK'] as const;
export type RolloutState = (typeof rolloutStates)[number];

export const guardBreachActions = ['PAUSE', 'ROLLBACK'] as const;
export type GuardBreachAction = (typeof guardBreachActions)[number];

/** A PromQL instant query whose value must stay at or below `max`. */
export interface RolloutGuard {
  query: string;
  max: number;
}

export interface RolloutStage {
  /** The target serve's weights during this stage (sum to 100,000). */
  weights: Weight[];
  /** Minimum time in this stage before the plan may advance. */
  holdSeconds: number;
  /** Rules switched on when this stage is entered (ring-based release); they stay on in later stages. */
  enableRules?: string[];
  guard?: RolloutGuard;
}

/** `ok`: at or below max; `breach`: above; `unknown`: no usable answer (never a reason to advance). */
export type GuardOutcome = 'ok' | 'breach' | 'unknown';

export interface GuardCheck {
  at: string;
  /** The observed value; null when there was none. */
  value: number | null;
  outcome: GuardOutcome;
  /** Why the outcome is unknown, or which stage's guard was checked. */
  detail: string;
}

export interface RolloutPlan {
  /** The rule whose serve the plan drives; null for the environment's default serve. */
  ruleId: string | null;
  stages: RolloutStage[];
  onGuardBreach: GuardBreachAction;
  state: RolloutState;
  /** Index of the stage in effect; -1 before the plan starts and after a rollback to zero. */
  currentStage: number;
  /** When the current stage was entered (ISO-8601); null in DRAFT. */
  stageEnteredAt: string | null;
  /** The target serve and the plan's rules' switches as they were when the plan started (rollback to zero). */
  baseline: RolloutBaseline | null;
  lastGuardCheck: GuardCheck | null;
}

export interface RolloutBaseline {
  serve: Serve;
  /** `enabled` of every rule a stage switches on, by rule id. */
  rules: Record<string, boolean>;
}

/** When the plan may advance next (ISO-8601), or null when it is not running. */
export function nextAdvanceAt(plan: RolloutPlan): string | null {
  if (plan.state !== 'RUNNING' || plan.stageEnteredAt === null) return null;
  const stage = plan.stages[plan.currentStage];
  if (!stage) return null;
  return new Date(Date.parse(plan.stageEnteredAt) + stage.holdSeconds * 1000).toISOString();
}
