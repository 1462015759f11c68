/**
 * The evaluation engine: holds one compiled snapshot per environment and swaps them atomically when
 * changes are applied. Pure and in-process; the store feeds it, GraphQL and OFREP read from it.
 */
import { type CompileOptions, RuleCompiler } from '../dsl/index.js';
import { errorResult, type EvaluateOptions, type EvaluationResult } from './evaluation.js';
import { explainFlag, type FlagExplanation } from './explain-flag.js';
import type { Environment, Flag, Segment } from './model.js';
import { EnvironmentSnapshot } from './snapshot.js';
import { StickyAssignments } from './sticky-assignments.js';
import { UsageRecorder } from './usage.js';

export type EngineChange =
  | { kind: 'flag'; key: string; flag: Flag | null }
  | { kind: 'segment'; environment: string; key: string; segment: Segment | null }
  | { kind: 'environment'; key: string; environment: Environment | null };

export interface EngineState {
  environments: readonly Environment[];
  flags: readonly Flag[];
  segments: readonly Segment[];
}

/** Per environment, the flags whose evaluation a change may have altered (dependents included). */
export type TouchedFlags = Map<string, Set<string>>;

export interface EngineOptions {
  /** Size of the compiled-rule cache; hold every rule of every environment. @default 100000 */
  ruleCacheSize?: number;
  /** Sticky assignments kept per flag environment (`VEXIL_STICKY_MAX_PER_FLAG`). @default 100000 */
  stickyMaxPerFlag?: number;
}

export class FlagEngine {
  readonly usage = new UsageRecorder();
  /** Sticky assignments the snapshots read; the store feeds and drains them (store/sticky/). */
  readonly sticky: StickyAssignments;
  private readonly rules: RuleCompiler;
  private environments = new Map<string, Environment>();
  private flags = new Map<string, Flag>();
  private segments = new Map<string, Map<string, Segment>>();
  /** Replaced as a whole on every change: readers holding the old map keep a consistent view. */
  private snapshots: ReadonlyMap<string, EnvironmentSnapshot> = new Map();
  private lastEnvironment: string | undefined = undefined;
  private lastSnapshot: EnvironmentSnapshot | undefined = undefined;
  private snapshotVersion = 0;
  private snapshotBuiltAt = Date.now();

  constructor({ ruleCacheSize = 100_000, stickyMaxPerFlag }: EngineOptions = {}) {
    this.rules = new RuleCompiler({ cacheSize: ruleCacheSize });
    this.sticky = new StickyAssignments({ maxPerFlag: stickyMaxPerFlag });
  }

  /** Monotonic version of the current snapshots; bumped by every load or applied change. */
  get version(): number {
    return this.snapshotVersion;
  }

  get builtAt(): number {
    return this.snapshotBuiltAt;
  }

  /** Replaces the whole state (initial load, or resynchronisation after a gap in the change feed). */
  load(state: EngineState): void {
    this.environments = new Map(state.environments.map((environment) => [environment.key, environment]));
    this.flags = new Map(state.flags.map((flag) => [flag.key, flag]));
    this.segments = new Map([...this.environments.keys()].map((key) => [key, new Map<string, Segment>()]));
    for (const segment of state.segments) this.segmentsOf(segment.environment).set(segment.key, segment);
    this.rebuild([...this.environments.keys()], false);
  }

  /** Applies committed changes and returns which flags they may have altered, per environment. */
  apply(changes: readonly EngineChange[]): TouchedFlags {
    const before = this.snapshots;
    const affected = new Set<string>();
    for (const change of changes) this.record(change, affected);
    this.rebuild([...affected], true);
    return this.touchedBy(changes, before);
  }

  evaluate(flagKey: string, context: unknown, options: EvaluateOptions): EvaluationResult {
    const snapshot = this.snapshotOf(options.environment);
    if (snapshot === undefined)
      return errorResult(
        flagKey,
        'GENERAL',
        `unknown environment '${options.environment}'`,
        options.defaultValue,
        null,
      );
    return snapshot.evaluate(flagKey, context, options);
  }

  evaluateAll(context: unknown, options: { environment: string; keys?: readonly string[] }): EvaluationResult[] {
    const snapshot = this.snapshotOf(options.environment);
    if (snapshot === undefined)
      return (options.keys ?? []).map((key) =>
        errorResult(key, 'GENERAL', `unknown environment '${options.environment}'`, undefined, null),
      );
    return snapshot.evaluateAll(context, options.keys);
  }

  /** Rule-by-rule account of one evaluation, for "why did this user get that?". */
  explain(flagKey: string, context: unknown, environment: string): FlagExplanation | null {
    const snapshot = this.snapshots.get(environment);
    const compiled = snapshot?.flags.get(flagKey);
    if (!snapshot || !compiled) return null;
    return explainFlag(snapshot, compiled, context);
  }

  /**
   * The snapshot of `environment`, remembering the last one asked for: a gateway serves few environments,
   * and comparing a string with the remembered name (usually the same string) is cheaper than a map lookup.
   */
  private snapshotOf(environment: string): EnvironmentSnapshot | undefined {
    if (environment === this.lastEnvironment) return this.lastSnapshot;
    const snapshot = this.snapshots.get(environment);
    this.lastEnvironment = environment;
    this.lastSnapshot = snapshot;
    return snapshot;
  }

  snapshot(environment: string): EnvironmentSnapshot | undefined {
    return this.snapshots.get(environment);
  }

  environmentKeys(): string[] {
    return [...this.environments.keys()];
  }

  flag(key: string): Flag | undefined {
    return this.flags.get(key);
  }

  allFlags(): IterableIterator<Flag> {
    return this.flags.values();
  }

  segment(environment: string, key: string): Segment | undefined {
    return this.segments.get(environment)?.get(key);
  }

  /** The segments of one environment (for its flag set, flag-set.ts). */
  segmentsIn(environment: string): IterableIterator<Segment> {
    return (this.segments.get(environment) ?? new Map<string, Segment>()).values();
  }

  environment(key: string): Environment | undefined {
    return this.environments.get(key);
  }

  private segmentsOf(environment: string): Map<string, Segment> {
    let segments = this.segments.get(environment);
    if (!segments) this.segments.set(environment, (segments = new Map()));
    return segments;
  }

  private record(change: EngineChange, affected: Set<string>): void {
    if (change.kind === 'flag') {
      if (change.flag) this.flags.set(change.key, change.flag);
      else this.flags.delete(change.key);
      // An archived (or deleted) flag's experiment is over: its assignments go (the store drops its own).
      if (!change.flag || change.flag.archived) this.sticky.drop(change.key);
      for (const environment of this.environments.keys()) affected.add(environment);
    } else if (change.kind === 'segment') {
      if (change.segment) this.segmentsOf(change.environment).set(change.key, change.segment);
      else this.segments.get(change.environment)?.delete(change.key);
      affected.add(change.environment);
    } else if (change.environment) {
      this.environments.set(change.key, change.environment);
      this.segmentsOf(change.key);
      affected.add(change.key);
    } else {
      this.environments.delete(change.key);
      this.segments.delete(change.key);
      affected.add(change.key);
    }
  }

  private rebuild(environments: string[], incremental: boolean): void {
    const next = new Map(incremental ? this.snapshots : []);
    // Every condition the rebuild needs, compiled in one batch and at hand however many there are.
    this.rules.withBatch(this.conditionsToCompile(environments, incremental), () => {
      const flags = [...this.flags.values()];
      for (const environment of environments) {
        if (!this.environments.has(environment)) {
          next.delete(environment);
          continue;
        }
        const segments = [...(this.segments.get(environment)?.values() ?? [])];
        const previous = incremental ? this.snapshots.get(environment) : undefined;
        next.set(
          environment,
          EnvironmentSnapshot.build({ environment, flags, segments }, previous, this.rules, this.usage, this.sticky),
        );
      }
    });
    // The swap: one assignment, so no evaluation ever sees some environments updated and others not.
    this.snapshots = next;
    this.lastEnvironment = undefined;
    this.snapshotVersion++;
    this.snapshotBuiltAt = Date.now();
  }

  /**
   * Every condition the rebuild will compile, for one batch (one script per few hundred rules instead
   * of one per rule), so building a snapshot of thousands of flags stays fast.
   */
  private conditionsToCompile(
    environments: string[],
    incremental: boolean,
  ): Array<{ source: string; options: CompileOptions }> {
    const requests: Array<{ source: string; options: CompileOptions }> = [];
    for (const environment of environments) {
      const previous = incremental ? this.snapshots.get(environment) : undefined;
      // Flags are compiled on first evaluation (lazy-flag.ts), outside any batch: only segments here.
      for (const segment of this.segments.get(environment)?.values() ?? []) {
        if (segment.condition && previous?.segments.get(segment.key)?.segment !== segment)
          requests.push({ source: segment.condition, options: {} });
      }
    }
    return requests;
  }

  private touchedBy(changes: readonly EngineChange[], before: ReadonlyMap<string, EnvironmentSnapshot>): TouchedFlags {
    const touched: TouchedFlags = new Map();
    for (const [environment, snapshot] of this.snapshots) {
      const direct = new Set<string>();
      for (const change of changes) {
        if (change.kind === 'flag') direct.add(change.key);
        else if (change.kind === 'environment' && change.key === environment)
          for (const key of snapshot.flags.keys()) direct.add(key);
        else if (change.kind === 'segment' && change.environment === environment) {
          for (const key of flagsUsingSegment(snapshot, change.key)) direct.add(key);
          for (const key of flagsUsingSegment(before.get(environment), change.key)) direct.add(key);
        }
      }
      if (direct.size > 0) touched.set(environment, withDependents(snapshot, direct));
    }
    return touched;
  }
}

function flagsUsingSegment(snapshot: EnvironmentSnapshot | undefined, segmentKey: string): string[] {
  if (!snapshot) return [];
  return [...snapshot.flags.values()]
    .filter(
      (compiled) =>
        compiled.mayCall('segment') && compiled.rules.some((entry) => entry.rule.segments.includes(segmentKey)),
    )
    .map((compiled) => compiled.key);
}

/** Adds every flag that depends, directly or through others, on one of `keys` via `flag("…")`. */
function withDependents(snapshot: EnvironmentSnapshot, keys: Set<string>): Set<string> {
  const dependents = new Map<string, string[]>();
  for (const compiled of snapshot.flags.values()) {
    if (!compiled.mayCall('flag')) continue;
    for (const entry of compiled.rules) {
      for (const prerequisite of entry.rule.flags) {
        const list = dependents.get(prerequisite) ?? [];
        list.push(compiled.key);
        dependents.set(prerequisite, list);
      }
    }
  }
  const result = new Set(keys);
  const pending = [...keys];
  while (pending.length > 0) {
    for (const dependent of dependents.get(pending.pop()!) ?? []) {
      if (!result.has(dependent)) {
        result.add(dependent);
        pending.push(dependent);
      }
    }
  }
  return result;
}
