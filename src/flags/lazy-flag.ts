/**
 * A flag of a snapshot, compiled on first use. Loading 100,000 flags × 3 environments compiled every
 * rule and built every result object up front, most of it for flags a gateway never evaluates in an
 * environment; now a load only wraps each flag, and the first evaluation (or explanation) of a flag in
 * an environment compiles it. From then on evaluation reads the compiled fields, allocation-free.
 * Conditions were validated when written, so compiling late reports nothing new.
 */
import { internalize, type RuleChain, type RuleCompiler } from '../dsl/index.js';
import {
  type CompiledFlag,
  type CompiledServe,
  type CompiledTargetingRule,
  type CompiledTargets,
  compileFlag,
  type Outcome,
} from './compiled-flag.js';
import type { Flag } from './model.js';
import type { StickyAssignments } from './sticky-assignments.js';
import type { UsageRecorder } from './usage.js';

export class LazyCompiledFlag implements CompiledFlag {
  /**
   * V8's interned copy of the name (dsl/internalize.ts), which snapshots key their flag maps by: names
   * the store decodes are fresh strings, unlike the literals and parsed JSON callers ask with, so each
   * lookup compared characters along its hash chain; at 100,000 flags `evaluate` cost 1.9x its time at
   * 1,000 (bench/flag-count.ts). Interned once per compiled flag, so a rebuild reusing it does not again.
   */
  readonly key: string;
  readonly on: boolean;
  private compiled: CompiledFlag | undefined = undefined;

  constructor(
    readonly flag: Flag,
    private readonly environment: string,
    private readonly compiler: RuleCompiler,
    private readonly usage: UsageRecorder,
    private readonly sticky?: StickyAssignments,
  ) {
    this.key = internalize(flag.key);
    this.on = flag.environments[environment]?.on ?? false;
    // A sticky experiment compiles now: compiling moves its assignment table to the flag's last reset,
    // which must happen before the assignments loaded from the store are learned (few flags are sticky).
    if (sticky !== undefined && flag.environments[environment]?.sticky) void this.full;
  }

  /** The compiled flag; the hot path reads it once per evaluation rather than through each getter. */
  get full(): CompiledFlag {
    return (this.compiled ??= compileFlag(this.flag, this.environment, this.compiler, this.usage, this.sticky));
  }

  get off(): Outcome {
    return this.full.off;
  }

  get targets(): readonly CompiledTargets[] {
    return this.full.targets;
  }

  get rules(): CompiledTargetingRule[] {
    return this.full.rules;
  }

  get firstMatch(): RuleChain {
    return this.full.firstMatch;
  }

  get defaultServe(): CompiledServe {
    return this.full.defaultServe;
  }

  /**
   * Whether a rule of this flag may call `name` (`segment` or `flag`): function names are plain
   * identifiers, never escaped, so a condition without the name calls neither. Lets a change find the
   * flags it touches without compiling every flag of the snapshot.
   */
  mayCall(name: 'segment' | 'flag'): boolean {
    if (this.compiled !== undefined) return true;
    for (const rule of this.flag.environments[this.environment]?.rules ?? [])
      if (rule.condition.includes(name)) return true;
    return false;
  }
}
