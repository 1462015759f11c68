/**
 * Vexil's evaluation vocabulary onto OpenFeature's, in one table each. The engine speaks OpenFeature's
 * names; the previous release's OFF and RULE_MATCH still map, for results recorded by an older
 * gateway (e.g. a bootstrap document) until the deprecated names are removed.
 */
import type { EvaluationErrorCode } from '../flags/evaluation.js';

/** OpenFeature resolution reasons (https://openfeature.dev/specification/types#resolution-reason). */
export type OfrepReason = 'TARGETING_MATCH' | 'SPLIT' | 'DEFAULT' | 'DISABLED' | 'ERROR' | 'UNKNOWN';

/** OpenFeature error codes (https://openfeature.dev/specification/types#error-code): the engine's own. */
export type OfrepErrorCode = EvaluationErrorCode;

const reasons: Readonly<Record<string, OfrepReason>> = {
  OFF: 'DISABLED',
  DISABLED: 'DISABLED',
  RULE_MATCH: 'TARGETING_MATCH',
  TARGETING_MATCH: 'TARGETING_MATCH',
  // OpenFeature has no reason of its own for individual targets: its TARGETING_MATCH covers "a rule or
  // specific user-targeting"; the metadata says `target: true` (see responses.ts).
  TARGET_MATCH: 'TARGETING_MATCH',
  SPLIT: 'SPLIT',
  DEFAULT: 'DEFAULT',
  ERROR: 'ERROR',
};

/** The OpenFeature reason of an engine reason; UNKNOWN (OFREP's catch-all) for one this table lacks. */
export function ofrepReason(reason: string): OfrepReason {
  return reasons[reason] ?? 'UNKNOWN';
}

const errorCodes: Readonly<Record<string, OfrepErrorCode>> = {
  FLAG_NOT_FOUND: 'FLAG_NOT_FOUND',
  TYPE_MISMATCH: 'TYPE_MISMATCH',
  TARGETING_KEY_MISSING: 'TARGETING_KEY_MISSING',
  INVALID_CONTEXT: 'INVALID_CONTEXT',
  PARSE_ERROR: 'PARSE_ERROR',
  GENERAL: 'GENERAL',
};

/** The OpenFeature error code of an engine error code; GENERAL for one this table lacks. */
export function ofrepErrorCode(code: string | undefined): OfrepErrorCode {
  return (code !== undefined && errorCodes[code]) || 'GENERAL';
}

/**
 * The HTTP status of a single evaluation that failed. The spec gives 404 to FLAG_NOT_FOUND and 400
 * to the evaluation failures; like flagd (core/pkg/service/ofrep/models.go), every code other than
 * FLAG_NOT_FOUND is a 400, GENERAL included: 500 is kept for the server failing, not the evaluation.
 */
export function statusOfError(code: OfrepErrorCode): 400 | 404 {
  return code === 'FLAG_NOT_FOUND' ? 404 : 400;
}
