/**
 * A flag compiled for one environment: conditions compiled to functions, and every possible successful
 * result precomputed as a frozen object with its usage counter slot. Evaluating then allocates nothing.
 */
import type { CompiledRule, CompileOptions, RuleChain, RuleCompiler } from '../dsl/index.js';
import { bucketIndex } from '../dsl/index.js';
import { readProperty } from '../dsl/values.js';
import type { ServedResult } from './evaluation.js';
import { type Flag, type FlagEnvironmentConfig, type JsonValue, type Serve, targetingKeyAttribute } from './model.js';
import { ruleResolvers } from './resolvers.js';
import { type StickySplit, stickySplit } from './sticky-split.js';
import type { StickyAssignments } from './sticky-assignments.js';
import type { UsageRecorder } from './usage.js';

export interface Outcome {
  result: ServedResult;
  slot: number;
}

/** Why a variation is served: its reason and the fields that go with it, per kind of result. */
type Served = ServedResult extends infer R
  ? R extends ServedResult
    ? Pick<R, 'reason' | 'ruleIndex' | 'ruleId' | 'inRollout'>
    : never
  : never;

export interface FixedServe {
  kind: 'fixed';
  outcome: Outcome;
}

export interface SplitServe {
  kind: 'split';
  bucketBy: string[];
  /** Upper bounds (exclusive) of each weight's slice of [0, 100000), in weight order. */
  bounds: Int32Array;
  outcomes: Outcome[];
  ruleIndex: number | undefined;
  /** Set when the flag environment is sticky: its recorded assignments (sticky-split.ts). */
  sticky: StickySplit | undefined;
}

export type CompiledServe = FixedServe | SplitServe;

export interface CompiledTargetingRule {
  rule: CompiledRule;
  serve: CompiledServe;
}

/** The individual targets on one attribute: value → the outcome of its variation (reason TARGET_MATCH). */
export interface CompiledTargets {
  readonly attribute: string;
  readonly path: readonly string[];
  readonly outcomes: ReadonlyMap<string, Outcome>;
}

export interface CompiledFlag {
  readonly key: string;
  readonly flag: Flag;
  readonly on: boolean;
  readonly off: Outcome;
  /** Checked after the kill switch, before the rules; empty when the environment has none. */
  readonly targets: readonly CompiledTargets[];
  readonly rules: CompiledTargetingRule[];
  /** The index in `rules` of the first rule the context matches, or -1: the rules as one function. */
  readonly firstMatch: RuleChain;
  readonly defaultServe: CompiledServe;
}

function deepFreeze<T>(value: T): T {
  if (value !== null && typeof value === 'object' && !Object.isFrozen(value)) {
    Object.freeze(value);
    for (const child of Object.values(value)) deepFreeze(child);
  }
  return value;
}

/** The configuration a flag has in an environment it was never configured for: off, serving the "false-like" variation. */
export function unconfiguredEnvironment(flag: Flag): FlagEnvironmentConfig {
  const offVariation = flag.variations.find((variation) => variation.value === false) ?? flag.variations[0]!;
  return { on: false, offVariation: offVariation.key, rules: [], defaultServe: { variation: offVariation.key } };
}

function noRule(reason: 'DISABLED' | 'TARGET_MATCH'): Served {
  return { reason, ruleIndex: undefined, ruleId: undefined, inRollout: undefined };
}

class FlagCompiler {
  /** Per variation: its frozen value and usage slot, computed once however many outcomes serve it. */
  private readonly variations = new Map<string, { value: JsonValue; slot: number }>();

  constructor(
    private readonly flag: Flag,
    private readonly environment: string,
    private readonly config: FlagEnvironmentConfig,
    private readonly usage: UsageRecorder,
    private readonly sticky: StickyAssignments | undefined,
  ) {}

  /** Whether a variation is one of the flag's (a recorded one may have been removed since). */
  hasVariation(key: string): boolean {
    return this.flag.variations.some((variation) => variation.key === key);
  }

  private variation(key: string): { value: JsonValue; slot: number } {
    let entry = this.variations.get(key);
    if (!entry) {
      const value = this.flag.variations.find((candidate) => candidate.key === key)?.value ?? null;
      // Results are shared by every evaluation, so object values are copied and frozen once here.
      entry = {
        value: value !== null && typeof value === 'object' ? deepFreeze(structuredClone(value)) : value,
        slot: this.usage.slotFor(this.environment, this.flag.key, key),
      };
      this.variations.set(key, entry);
    }
    return entry;
  }

  /** The frozen result of serving a variation for the given reason (for a sticky split, with `sticky`). */
  outcome(
    variationKey: string,
    served: Served,
    sticky: boolean | undefined = undefined,
    stickyAssignedAt: string | undefined = undefined,
  ): Outcome {
    const variation = this.variation(variationKey);
    // Every field in one order (`served` always lists its four in the same order): one hidden class.
    const result: ServedResult = {
      key: this.flag.key,
      value: variation.value,
      variation: variationKey,
      ...served,
      errorCode: undefined,
      errorMessage: undefined,
      flagVersion: this.flag.version,
      sticky,
      stickyAssignedAt,
    } as ServedResult;
    return { result: Object.freeze(result), slot: variation.slot };
  }

  private ruleId(ruleIndex: number): string {
    return this.config.rules[ruleIndex]!.id;
  }

  serve(serve: Serve, ruleIndex: number | undefined): CompiledServe {
    if (serve.variation !== undefined) {
      const served: Served =
        ruleIndex === undefined
          ? { reason: 'DEFAULT', ruleIndex, ruleId: undefined, inRollout: undefined }
          : { reason: 'TARGETING_MATCH', ruleIndex, ruleId: this.ruleId(ruleIndex), inRollout: undefined };
      return { kind: 'fixed', outcome: this.outcome(serve.variation, served) };
    }
    const rollout = serve.rollout!;
    const bounds = new Int32Array(rollout.weights.length);
    let upper = 0;
    rollout.weights.forEach((weight, index) => {
      upper += weight.weight;
      bounds[index] = upper;
    });
    const served = (variation: string): Served => ({
      reason: 'SPLIT',
      ruleIndex,
      ruleId: ruleIndex === undefined ? undefined : this.ruleId(ruleIndex),
      inRollout: variation !== this.config.offVariation,
    });
    return {
      kind: 'split',
      bucketBy: (rollout.bucketBy ?? targetingKeyAttribute).split('.'),
      bounds,
      outcomes: rollout.weights.map((weight) => this.outcome(weight.variation, served(weight.variation))),
      ruleIndex,
      sticky:
        this.config.sticky && this.sticky
          ? stickySplit(this.sticky.table(this.environment, this.flag.key), rollout.weights, {
              outcome: (variation, sticky, at) =>
                this.hasVariation(variation) ? this.outcome(variation, served(variation), sticky, at) : undefined,
            })
          : undefined,
    };
  }

  /** One map per attribute, in the order attributes first appear; a variation's outcome is shared by its values. */
  targets(): CompiledTargets[] {
    const byAttribute = new Map<string, Map<string, Outcome>>();
    const outcomes = new Map<string, Outcome>();
    for (const target of this.config.targets ?? []) {
      const attribute = target.attribute ?? targetingKeyAttribute;
      let map = byAttribute.get(attribute);
      if (!map) byAttribute.set(attribute, (map = new Map()));
      let outcome = outcomes.get(target.variation);
      if (!outcome) {
        outcome = this.outcome(target.variation, noRule('TARGET_MATCH'));
        outcomes.set(target.variation, outcome);
      }
      for (const value of target.values) map.set(value, outcome);
    }
    return [...byAttribute].map(([attribute, map]) => ({ attribute, path: attribute.split('.'), outcomes: map }));
  }

  compile(rules: RuleCompiler): CompiledFlag {
    if (this.config.sticky && this.sticky)
      this.sticky.table(this.environment, this.flag.key).resetTo(this.config.stickyResetAt);
    const options = { salt: this.flag.salt, resolvers: ruleResolvers };
    const targetingRules = this.config.rules.map((rule, index) => ({
      // A switched-off rule (a rollout stage not reached yet) compiles to one that never matches,
      // keeping rule indexes, explain and statistics aligned with the stored rules.
      rule: compileOrNever(rules, rule.enabled === false ? 'false' : rule.condition, options),
      serve: this.serve(rule.serve, index),
    }));
    return {
      key: this.flag.key,
      flag: this.flag,
      on: this.config.on,
      off: this.outcome(this.config.offVariation, noRule('DISABLED')),
      targets: this.targets(),
      rules: targetingRules,
      firstMatch: rules.chain(targetingRules.map((entry) => entry.rule)),
      defaultServe: this.serve(this.config.defaultServe, undefined),
    };
  }
}

/**
 * The store validates every condition before accepting it, so this only guards against data written
 * around it: such a rule never matches instead of taking the whole snapshot down.
 */
function compileOrNever(rules: RuleCompiler, condition: string, options: CompileOptions): CompiledRule {
  try {
    return rules.compile(condition, options);
  } catch {
    return rules.compile('false');
  }
}

export function compileFlag(
  flag: Flag,
  environment: string,
  rules: RuleCompiler,
  usage: UsageRecorder,
  sticky?: StickyAssignments,
): CompiledFlag {
  const config = flag.environments[environment] ?? unconfiguredEnvironment(flag);
  return new FlagCompiler(flag, environment, config, usage, sticky).compile(rules);
}

/** The value a split buckets by, read from the context. */
export function splitValue(serve: SplitServe, context: unknown): unknown {
  let value: unknown = context;
  for (let i = 0; i < serve.bucketBy.length; i++) value = readProperty(value, serve.bucketBy[i]!);
  return value;
}

/** The bucket (0-99,999) of a split for this context, or -1 when the bucketing attribute is missing. */
export function splitBucket(serve: SplitServe, salt: string, context: unknown): number {
  return bucketIndex(salt, splitValue(serve, context));
}

/** The outcome of the first individual target the context's attribute values hit, or undefined. */
export function targetOutcome(targets: readonly CompiledTargets[], context: unknown): Outcome | undefined {
  for (let i = 0; i < targets.length; i++) {
    const { path, outcomes } = targets[i]!;
    let value: unknown = context;
    for (let j = 0; j < path.length; j++) value = readProperty(value, path[j]!);
    if (typeof value === 'string') {
      const outcome = outcomes.get(value);
      if (outcome !== undefined) return outcome;
    }
  }
  return undefined;
}

/** The index of the weight whose slice contains the bucket. */
export function sliceIndex(serve: SplitServe, bucket: number): number {
  const { bounds } = serve;
  for (let i = 0; i < bounds.length; i++) if (bucket < bounds[i]!) return i;
  return bounds.length - 1;
}

/** The outcome whose slice contains the bucket. */
export function pickSlice(serve: SplitServe, bucket: number): Outcome {
  return serve.outcomes[sliceIndex(serve, bucket)]!;
}
