/**
 * An immutable, compiled view of one environment: flags, segments and their compiled conditions.
 * The engine swaps whole snapshots, so an evaluation always sees one consistent state.
 * This is the hot path: no I/O, no clock, and no allocation for successful evaluations.
 */
import { bucketIndex, type RuleCompiler } from '../dsl/index.js';
import { isPlainObject, readProperty } from '../dsl/values.js';
import {
  type CompiledFlag,
  type CompiledServe,
  type Outcome,
  pickSlice,
  sliceIndex,
  splitValue,
  targetOutcome,
} from './compiled-flag.js';
import { stickyAssign, stickyHit } from './sticky-split.js';
import { type CompiledSegment, compileSegment, segmentMatches } from './compiled-segment.js';
import { errorResult, type EvaluateOptions, type EvaluationResult } from './evaluation.js';
import type { Flag, JsonValue, Segment } from './model.js';
import { LazyCompiledFlag } from './lazy-flag.js';
import type { EvaluationScope } from './resolvers.js';
import type { StickyAssignments } from './sticky-assignments.js';
import type { UsageRecorder } from './usage.js';

const objectPrototype: object = Object.prototype;

/** Prerequisite chains deeper than this are treated as broken (validation rejects cycles; this is the backstop). */
const maxPrerequisiteDepth = 16;
let prerequisiteDepth = 0;

/**
 * Own property `key` of a plain object. A plain object's prototype is Object.prototype or null, so a
 * value found under a name Object.prototype lacks is the object's own: one load and one load from a
 * known map, where `readProperty`'s prototype and `hasOwn` checks are calls V8 does not inline at the
 * many-shaped sites contexts make. Names Object.prototype has (or was polluted with) take the full check.
 */
function ownValue(context: Record<string, unknown>, key: string): unknown {
  const value = context[key];
  return value === undefined || (objectPrototype as Record<string, unknown>)[key] === undefined
    ? value
    : readProperty(context, key);
}

function matchesValueType(value: JsonValue, valueType: Flag['valueType']): boolean {
  return valueType === 'json' || typeof value === valueType;
}

export class EnvironmentSnapshot implements EvaluationScope {
  /** Non-archived flags sorted by key, the order of `evaluateAll`. */
  readonly activeFlags: readonly LazyCompiledFlag[];

  constructor(
    readonly environment: string,
    readonly flags: ReadonlyMap<string, LazyCompiledFlag>,
    readonly segments: ReadonlyMap<string, CompiledSegment>,
    private readonly usage: UsageRecorder,
  ) {
    this.activeFlags = [...flags.values()]
      .filter((compiled) => !compiled.flag.archived)
      .sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
  }

  /** @param record count this evaluation in usage statistics (explanations and previews do not). */
  evaluate(flagKey: string, context: unknown, options: EvaluateOptions, record = true): EvaluationResult {
    const compiled = this.flags.get(flagKey);
    if (compiled === undefined || compiled.flag.archived) {
      // An archived or deleted flag still requested is what the stale report calls ARCHIVED_BUT_CALLED.
      if (record) this.usage.countNotFound(this.environment, flagKey);
      return errorResult(
        flagKey,
        'FLAG_NOT_FOUND',
        `flag '${flagKey}' does not exist in environment '${this.environment}'`,
        options.defaultValue,
        null,
      );
    }
    const { defaultValue } = options;
    if (
      defaultValue !== undefined &&
      defaultValue !== null &&
      !matchesValueType(defaultValue, compiled.flag.valueType)
    ) {
      return errorResult(
        flagKey,
        'TYPE_MISMATCH',
        `flag '${flagKey}' is of type ${compiled.flag.valueType}, the default value is not`,
        defaultValue,
        compiled.flag.version,
      );
    }
    if (!isPlainObject(context))
      return errorResult(
        flagKey,
        'INVALID_CONTEXT',
        'the context must be a JSON object',
        defaultValue,
        compiled.flag.version,
      );
    return this.run(compiled, context, defaultValue, record, true);
  }

  /** Evaluates every active flag (or the given keys) for one context. */
  evaluateAll(context: unknown, keys?: readonly string[]): EvaluationResult[] {
    if (keys) return this.evaluateKeys(context, keys);
    const results: EvaluationResult[] = new Array(this.activeFlags.length);
    if (!isPlainObject(context)) {
      for (let i = 0; i < results.length; i++)
        results[i] = errorResult(
          this.activeFlags[i]!.key,
          'INVALID_CONTEXT',
          'the context must be a JSON object',
          undefined,
          this.activeFlags[i]!.flag.version,
        );
      return results;
    }
    for (let i = 0; i < results.length; i++)
      results[i] = this.run(this.activeFlags[i]!, context, undefined, true, true);
    return results;
  }

  /**
   * `evaluate` of each key, checking the context once rather than per key, so asking for a few flags
   * by key never costs more than asking for all of them.
   */
  private evaluateKeys(context: unknown, keys: readonly string[]): EvaluationResult[] {
    const results: EvaluationResult[] = new Array(keys.length);
    const plain = isPlainObject(context);
    for (let i = 0; i < keys.length; i++) {
      const key = keys[i]!;
      const compiled = this.flags.get(key);
      results[i] =
        compiled === undefined || compiled.flag.archived || !plain
          ? this.evaluate(key, context, { environment: this.environment })
          : this.run(compiled, context, undefined, true, true);
    }
    return results;
  }

  segmentMatches(name: string, context: unknown): boolean {
    const segment = this.segments.get(name);
    return segment !== undefined && segmentMatches(segment, context);
  }

  prerequisiteValue(flagKey: string, context: unknown): unknown {
    const compiled = this.flags.get(flagKey);
    if (compiled === undefined || compiled.flag.archived || prerequisiteDepth >= maxPrerequisiteDepth) return null;
    prerequisiteDepth++;
    try {
      const result = this.run(compiled, context, undefined, false, isPlainObject(context));
      return result.reason === 'ERROR' ? null : result.value;
    } finally {
      prerequisiteDepth--;
    }
  }

  /** Builds the next snapshot, recompiling only flags whose version changed and the changed segments. */
  static build(
    input: SnapshotInput,
    previous: EnvironmentSnapshot | undefined,
    rules: RuleCompiler,
    usage: UsageRecorder,
    sticky?: StickyAssignments,
  ): EnvironmentSnapshot {
    const flags = new Map<string, LazyCompiledFlag>();
    for (const flag of input.flags) {
      const old = previous?.flags.get(flag.key);
      const compiled =
        old !== undefined && old.flag === flag
          ? old
          : new LazyCompiledFlag(flag, input.environment, rules, usage, sticky);
      flags.set(compiled.key, compiled);
    }
    const segments = new Map<string, CompiledSegment>();
    for (const segment of input.segments) {
      const old = previous?.segments.get(segment.key);
      segments.set(segment.key, old !== undefined && old.segment === segment ? old : compileSegment(segment, rules));
    }
    return new EnvironmentSnapshot(input.environment, flags, segments, usage);
  }

  /** @param plain whether `isPlainObject(context)` holds: checked once here, so no rule checks again. */
  private run(
    lazy: LazyCompiledFlag,
    context: unknown,
    defaultValue: JsonValue | undefined,
    record: boolean,
    plain: boolean,
  ): EvaluationResult {
    const compiled = lazy.full;
    if (!compiled.on) return this.finish(compiled.off, record);
    if (compiled.targets.length > 0) {
      const target = targetOutcome(compiled.targets, context);
      if (target !== undefined) return this.finish(target, record);
    }
    const index = compiled.firstMatch(context, this, plain);
    const serve = index < 0 ? compiled.defaultServe : compiled.rules[index]!.serve;
    return this.serve(compiled, serve, context, defaultValue, record, plain);
  }

  private serve(
    compiled: CompiledFlag,
    serve: CompiledServe,
    context: unknown,
    defaultValue: JsonValue | undefined,
    record: boolean,
    plain: boolean,
  ): EvaluationResult {
    if (serve.kind === 'fixed') return this.finish(serve.outcome, record);
    const value =
      plain && serve.bucketBy.length === 1
        ? ownValue(context as Record<string, unknown>, serve.bucketBy[0]!)
        : splitValue(serve, context);
    const sticky = serve.sticky;
    // Only string and number values bucket (bucketIndex is -1 for anything else), so only they are looked up.
    const key =
      sticky === undefined
        ? undefined
        : typeof value === 'string'
          ? value
          : typeof value === 'number'
            ? String(value)
            : undefined;
    if (sticky !== undefined && key !== undefined) {
      const hit = stickyHit(sticky, key);
      if (hit !== undefined) return this.finish(hit, record);
    }
    const bucket = bucketIndex(compiled.flag.salt, value);
    if (bucket < 0) {
      const attribute = serve.bucketBy.join('.');
      return errorResult(
        compiled.key,
        'TARGETING_KEY_MISSING',
        `a percentage rollout needs '${attribute}' (a string or number) in the context`,
        defaultValue,
        compiled.flag.version,
      );
    }
    // Only counted evaluations record: an explanation, a preview or a prerequisite must not assign anyone.
    if (sticky !== undefined && key !== undefined && record)
      return this.finish(stickyAssign(sticky, key, sliceIndex(serve, bucket)), record);
    return this.finish(pickSlice(serve, bucket), record);
  }

  private finish(outcome: Outcome, record: boolean): EvaluationResult {
    if (record) this.usage.counts[outcome.slot]!++;
    return outcome.result;
  }
}

export interface SnapshotInput {
  environment: string;
  flags: readonly Flag[];
  segments: readonly Segment[];
}
