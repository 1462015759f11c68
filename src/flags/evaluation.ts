/** Evaluation results, in OpenFeature's vocabulary (reasons and error codes, as OFREP spells them). */
import type { JsonValue } from './model.js';

/**
 * `TARGETING_MATCH`: a rule matched and serves one variation; `SPLIT`: a percentage rollout picked it;
 * `DEFAULT`: no rule matched; `DISABLED`: the flag is off; `ERROR`: see the error code.
 */
export type EvaluationReason = 'TARGETING_MATCH' | 'SPLIT' | 'DEFAULT' | 'DISABLED' | 'ERROR';

/**
 * `PARSE_ERROR` is OpenFeature's code for a flag configuration that cannot be parsed. Part of the
 * vocabulary for OFREP; the engine does not produce it, as the store rejects rules that do not compile.
 */
export type EvaluationErrorCode = 'FLAG_NOT_FOUND' | 'TYPE_MISMATCH' | 'TARGETING_KEY_MISSING' | 'INVALID_CONTEXT' | 'PARSE_ERROR' | 'GENERAL';

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
  /** 0-based index of the matching rule (TARGETING_MATCH, or SPLIT from a rule). */
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
