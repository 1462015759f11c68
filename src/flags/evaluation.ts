/** Evaluation results, in OpenFeature's vocabulary (reasons and error codes). */
import type { JsonValue } from './model.js';

export type EvaluationReason = 'OFF' | 'RULE_MATCH' | 'DEFAULT' | 'SPLIT' | 'ERROR';

export type EvaluationErrorCode = 'FLAG_NOT_FOUND' | 'TYPE_MISMATCH' | 'TARGETING_KEY_MISSING' | 'INVALID_CONTEXT' | 'GENERAL';

/**
 * The answer to "which variation of this flag does this context get?". Results of successful
 * evaluations are shared, frozen objects precomputed with the snapshot: treat them as read-only.
 * An `ERROR` result always has an `errorCode` and carries the caller's default as `value`.
 */
export interface EvaluationResult {
  readonly key: string;
  readonly value: JsonValue | undefined;
  /** Key of the variation served; null on error. */
  readonly variation: string | null;
  readonly reason: EvaluationReason;
  /** 0-based index of the matching rule (RULE_MATCH, or SPLIT from a rule). */
  readonly ruleIndex: number | undefined;
  readonly ruleId: string | undefined;
  /** For SPLIT: true when the context was bucketed into a variation other than the off variation. */
  readonly inRollout: boolean | undefined;
  readonly errorCode: EvaluationErrorCode | undefined;
  readonly errorMessage: string | undefined;
  /** Version of the flag evaluated; null when the flag was not found. */
  readonly flagVersion: number | null;
}

export interface EvaluateOptions {
  environment: string;
  /** Returned on error; also checked against the flag's value type (TYPE_MISMATCH). */
  defaultValue?: JsonValue;
}

export function errorResult(key: string, errorCode: EvaluationErrorCode, errorMessage: string, defaultValue: JsonValue | undefined, flagVersion: number | null): EvaluationResult {
  return {
    key,
    value: defaultValue,
    variation: null,
    reason: 'ERROR',
    ruleIndex: undefined,
    ruleId: undefined,
    inRollout: undefined,
    errorCode,
    errorMessage,
    flagVersion,
  };
}
