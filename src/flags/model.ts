/** The flag model: flags, their per-environment targeting, segments and environments. Pure data. */
import type { RolloutPlan } from './rollout-plan.js';

export type JsonValue = null | boolean | number | string | JsonValue[] | { [key: string]: JsonValue };

export const flagKinds = ['release', 'experiment', 'ops', 'permission'] as const;
export type FlagKind = (typeof flagKinds)[number];

export const valueTypes = ['boolean', 'string', 'number', 'json'] as const;
export type ValueType = (typeof valueTypes)[number];

export interface Variation {
  key: string;
  value: JsonValue;
  name?: string;
  description?: string;
}

export interface Weight {
  variation: string;
  /** Thousandths of a percent: all weights of a rollout sum to 100,000. */
  weight: number;
}

export interface Rollout {
  /** Attribute path whose value is bucketed. @default "targetingKey" */
  bucketBy?: string;
  weights: Weight[];
}

/** Exactly one of `variation` or `rollout`. */
export interface Serve {
  variation?: string;
  rollout?: Rollout;
}

export interface TargetingRule {
  /** Stable identifier, kept across edits so statistics and links survive reordering. */
  id: string;
  description?: string;
  /** A rule-language expression. */
  condition: string;
  serve: Serve;
  /** `false`: the rule never matches (a rollout plan's stage switches it on). @default true */
  enabled?: boolean;
}

export interface FlagEnvironmentConfig {
  /** The kill switch: when off, everyone gets `offVariation`. */
  on: boolean;
  offVariation: string;
  rules: TargetingRule[];
  defaultServe: Serve;
  /** A progressive-delivery plan for one of this environment's weighted serves (rollout-plan.ts). */
  rollout?: RolloutPlan;
  /** Individual targets, checked after the kill switch and before any rule. Absent: none. */
  targets?: Target[];
  /**
   * Experiment flags only: the first variation a bucketing key gets from a split is recorded and served
   * again after the weights change, until `resetStickyAssignments` (sticky-assignments.ts). @default false
   */
  sticky?: boolean;
  /** When the sticky assignments were last reset: assignments recorded before it are dropped. */
  stickyResetAt?: string;
}

/**
 * "These keys always get this variation": the values of one context attribute (the targeting key
 * unless `attribute` says otherwise, which only development and staging allow) that get `variation`.
 */
export interface Target {
  variation: string;
  values: string[];
  /** Attribute path whose value is looked up. @default "targetingKey" */
  attribute?: string;
}

export interface Flag {
  key: string;
  name: string;
  description: string;
  kind: FlagKind;
  valueType: ValueType;
  variations: Variation[];
  tags: string[];
  owner: string;
  createdAt: string;
  updatedAt: string;
  /** Required for release and experiment flags: when the flag should be gone. */
  expiresAt: string | null;
  archived: boolean;
  /** Increments on every change. */
  version: number;
  /** Salt of bucketing and of `bucket()` in this flag's rules. @default the key */
  salt: string;
  environments: Record<string, FlagEnvironmentConfig>;
}

/** A named, reusable audience in one environment. */
export interface Segment {
  key: string;
  environment: string;
  name: string;
  description: string;
  /** Targeting keys always in the segment (unless also excluded). */
  included: string[];
  /** Targeting keys never in the segment: exclusion wins over inclusion and the condition. */
  excluded: string[];
  /** Optional rule-language condition for everyone else. */
  condition: string | null;
  version: number;
  createdAt: string;
  updatedAt: string;
}

export interface Environment {
  key: string;
  name: string;
  createdAt: string;
}

export const defaultEnvironments = ['development', 'staging', 'production'] as const;

/** The context attribute that identifies the subject of an evaluation (OpenFeature's name). */
export const targetingKeyAttribute = 'targetingKey';

/** At most this many target values per flag environment, all attributes and variations together. */
export const maxTargetValues = 10_000;

/** Environments where a target may name a context attribute other than the targeting key (test overrides). */
export const targetOverrideEnvironments: readonly string[] = ['development', 'staging'];

/** At most this many sticky assignments per flag environment unless `VEXIL_STICKY_MAX_PER_FLAG` says otherwise. */
export const defaultStickyMaxPerFlag = 100_000;
