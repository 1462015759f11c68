/**
 * The evaluations a provider serves, by flag key, and their resolution in OpenFeature's terms. The
 * resolution of every served evaluation is built once, when it arrives, so a `getBooleanValue` is a map
 * lookup and a type check: no network, and nothing allocated on the success path.
 */
import type { ErrorCode, FlagValue, ResolutionDetails } from '@openfeature/core';

/** An evaluation as the gateway sends it (GraphQL `Evaluation`) or a bootstrap document holds it. */
export interface RemoteEvaluation {
  key: string;
  value: unknown;
  variation?: string | null;
  reason: string;
  ruleId?: string | null;
  errorCode?: string | null;
  errorMessage?: string | null;
}

/** What kind of value a resolve method asks for; `object` is OpenFeature's JSON. */
export type FlagType = 'boolean' | 'string' | 'number' | 'object';

/**
 * Where the values came from: `live` from the stream (reason as evaluated), `stale` from a stream that
 * has since dropped (reason STALE), `bootstrap` from a document given at start (reason CACHED).
 */
export type Freshness = 'live' | 'stale' | 'bootstrap';

interface Entry {
  evaluation: RemoteEvaluation;
  type: FlagType | null;
  resolutions: Record<Freshness, ResolutionDetails<FlagValue>>;
}

function typeOf(value: unknown): FlagType | null {
  const type = typeof value;
  if (type === 'boolean' || type === 'string' || type === 'number') return type;
  return type === 'object' && value !== null ? 'object' : null;
}

function entryOf(evaluation: RemoteEvaluation): Entry {
  const flagMetadata: Record<string, string> = evaluation.ruleId ? { ruleId: evaluation.ruleId } : {};
  const served = (reason: string): ResolutionDetails<FlagValue> =>
    Object.freeze({
      value: evaluation.value as FlagValue,
      reason,
      ...(evaluation.variation ? { variant: evaluation.variation } : {}),
      flagMetadata: Object.freeze(flagMetadata),
    });
  return {
    evaluation,
    type: evaluation.errorCode ? null : typeOf(evaluation.value),
    resolutions: { live: served(evaluation.reason), stale: served('STALE'), bootstrap: served('CACHED') },
  };
}

/** Whether a client would see a difference: value, variation, reason or error. */
function differs(a: RemoteEvaluation, b: RemoteEvaluation): boolean {
  return (
    a.variation !== b.variation ||
    a.reason !== b.reason ||
    (a.errorCode ?? null) !== (b.errorCode ?? null) ||
    JSON.stringify(a.value) !== JSON.stringify(b.value)
  );
}

export function errorResolution<T>(value: T, errorCode: string, errorMessage: string): ResolutionDetails<T> {
  return { value, reason: 'ERROR', errorCode: errorCode as ErrorCode, errorMessage };
}

export class EvaluationCache {
  private entries = new Map<string, Entry>();
  freshness: Freshness = 'live';

  /** Replaces every evaluation (a first message, or a bootstrap document); returns the keys that differ. */
  replace(evaluations: readonly RemoteEvaluation[], freshness: Freshness): string[] {
    const previous = this.entries;
    const next = new Map<string, Entry>();
    const changed: string[] = [];
    for (const evaluation of evaluations) {
      const old = previous.get(evaluation.key)?.evaluation;
      next.set(evaluation.key, entryOf(evaluation));
      if (!old || differs(old, evaluation)) changed.push(evaluation.key);
    }
    for (const key of previous.keys()) if (!next.has(key)) changed.push(key);
    // One assignment: a reader never sees half of a resynchronisation.
    this.entries = next;
    this.freshness = freshness;
    return changed;
  }

  /** Applies a later message: only the flags that changed for this context. */
  merge(evaluations: readonly RemoteEvaluation[]): string[] {
    const next = new Map(this.entries);
    for (const evaluation of evaluations) next.set(evaluation.key, entryOf(evaluation));
    this.entries = next;
    return evaluations.map((evaluation) => evaluation.key);
  }

  get size(): number {
    return this.entries.size;
  }

  /** The flag's resolution for a caller asking for `type`, with `defaultValue` on any error. */
  resolve<T extends FlagValue>(key: string, defaultValue: T, type: FlagType): ResolutionDetails<T> {
    const entry = this.entries.get(key);
    if (!entry) return errorResolution(defaultValue, 'FLAG_NOT_FOUND', `flag '${key}' does not exist`);
    const { evaluation } = entry;
    if (evaluation.errorCode)
      return errorResolution(defaultValue, evaluation.errorCode, evaluation.errorMessage ?? evaluation.errorCode);
    if (entry.type !== type)
      return errorResolution(defaultValue, 'TYPE_MISMATCH', `flag '${key}' is ${entry.type ?? 'null'}, not ${type}`);
    return entry.resolutions[this.freshness] as ResolutionDetails<T>;
  }
}
