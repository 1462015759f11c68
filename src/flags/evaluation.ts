/** Evaluation results, in OpenFeature's vocabulary (reasons and error codes, as OFREP spells them). */
import type { JsonValue } from './model.js';

/**
 * `TARGET_MATCH`: an individual target lists the context; `TARGETING_MATCH`: a rule matched and serves
 * one variation; `SPLIT`: a percentage rollout picked it; `DEFAULT`: no rule matched; `DISABLED`: the
 * flag is off; `ERROR`: see the error code.
 */
export type EvaluationReason = 'TARGET_MATCH' | 'TARGETING_MATCH' | 'SPLIT' | 'DEFAULT' | 'DISABLED' | 'ERROR';

/**
 * `PARSE_ERROR` is OpenFeature's code for a flag configuration that cannot be parsed. Part of the
 * vocabulary for OFREP; the engine does not produce it, as the store rejects rules that do not compile.
 */
export type EvaluationErrorCode =
  | 'FLAG_NOT_FOUND'
  | 'TYPE_MISMATCH'
  | 'TARGETING_KEY_MISSING'
  | 'INVALID_CONTEXT'
  | 'PARSE_ERROR'
  | 'GENERAL';

/**
 * Fields every result has. Every variant declares all of them (absent ones as `undefined`), so results
 * share one object shape, and a reader may look at any field without narrowing first.
 */
interface ResultFields {
  readonly key: string;
  /** The variation's value; on error the caller's default. */
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
  /**
   * For SPLIT of a sticky flag environment: true when the variation is the key's recorded assignment,
   * false when the key could not be recorded (the flag environment holds `VEXIL_STICKY_MAX_PER_FLAG`
   * assignments) and was bucketed as usual. Undefined otherwise.
   */
  readonly sticky: boolean | undefined;
  /** When `sticky` is true: when the assignment was recorded (ISO 8601). */
  readonly stickyAssignedAt: string | undefined;
}

/** Fields of a successful result: a variation of a flag that exists. */
interface ServedFields extends ResultFields {
  readonly value: JsonValue;
  readonly variation: string;
  readonly errorCode: undefined;
  readonly errorMessage: undefined;
  readonly flagVersion: number;
}

/** A rule matched and serves one variation. */
export interface TargetingMatchResult extends ServedFields {
  readonly reason: 'TARGETING_MATCH';
  readonly ruleIndex: number;
  readonly ruleId: string;
  readonly inRollout: undefined;
  readonly sticky: undefined;
  readonly stickyAssignedAt: undefined;
}

/** A percentage rollout picked the variation: a matching rule's (with its index) or the default serve's. */
export interface SplitResult extends ServedFields {
  readonly reason: 'SPLIT';
  readonly inRollout: boolean;
}

/**
 * No rule matched (DEFAULT), the flag is off (DISABLED), or an individual target lists the context
 * (TARGET_MATCH): no rule, no rollout.
 */
export interface FallbackResult extends ServedFields {
  readonly reason: 'DEFAULT' | 'DISABLED' | 'TARGET_MATCH';
  readonly ruleIndex: undefined;
  readonly ruleId: undefined;
  readonly inRollout: undefined;
  readonly sticky: undefined;
  readonly stickyAssignedAt: undefined;
}

/** The evaluation failed: an error code and message, the caller's default as value, no variation. */
export interface ErrorResult extends ResultFields {
  readonly reason: 'ERROR';
  readonly variation: null;
  readonly ruleIndex: undefined;
  readonly ruleId: undefined;
  readonly inRollout: undefined;
  readonly sticky: undefined;
  readonly stickyAssignedAt: undefined;
  readonly errorCode: EvaluationErrorCode;
  readonly errorMessage: string;
}

/**
 * The answer to "which variation of this flag does this context get?", discriminated by `reason`: an
 * `ERROR` result has an `errorCode`, any other a `variation`. Results of successful evaluations are
 * shared, frozen objects precomputed with the snapshot: treat them as read-only.
 */
export type EvaluationResult = TargetingMatchResult | SplitResult | FallbackResult | ErrorResult;

/** A result that served a variation. */
export type ServedResult = Exclude<EvaluationResult, ErrorResult>;

export interface EvaluateOptions {
  environment: string;
  /** Returned on error; also checked against the flag's value type (TYPE_MISMATCH). */
  defaultValue?: JsonValue;
}

export function errorResult(
  key: string,
  errorCode: EvaluationErrorCode,
  errorMessage: string,
  defaultValue: JsonValue | undefined,
  flagVersion: number | null,
): ErrorResult {
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
    sticky: undefined,
    stickyAssignedAt: undefined,
  };
}
