/**
 * OFREP response bodies from engine results: pure, no HTTP. Successful results are shared, frozen
 * objects precomputed with the snapshot, so their JSON text is kept beside them (a WeakMap, gone with
 * the snapshot) and a bulk answer is a join of strings already made.
 */
import type { EvaluationResult } from '../flags/evaluation.js';
import { ofrepErrorCode, ofrepReason, type OfrepErrorCode } from './reasons.js';

const texts = new WeakMap<EvaluationResult, string>();

/**
 * `{key, value, reason, variant, metadata}`, or for an error `{key, errorCode, errorDetails}`.
 * `metadata` carries the rule id, or `target: true` for an individual target: a flag's version counts changes in every environment, and
 * putting it here would change a bulk answer's ETag on edits that did not change its evaluations.
 */
export function evaluationText(result: EvaluationResult): string {
  const known = texts.get(result);
  if (known !== undefined) return known;
  if (result.reason === 'ERROR')
    return JSON.stringify(failureBody(result.key, ofrepErrorCode(result.errorCode), result.errorMessage ?? ''));
  const text = JSON.stringify({
    key: result.key,
    value: result.value ?? null,
    reason: ofrepReason(result.reason),
    variant: result.variation ?? undefined,
    metadata: metadataOf(result),
  });
  texts.set(result, text);
  return text;
}

function metadataOf(result: EvaluationResult): Record<string, string | boolean> {
  if (result.reason === 'TARGET_MATCH') return { target: true };
  const metadata: Record<string, string | boolean> = result.ruleId === undefined ? {} : { ruleId: result.ruleId };
  // A sticky experiment's split says whether the key's recorded assignment was served, and since when.
  if (result.sticky !== undefined) metadata.sticky = result.sticky;
  if (result.stickyAssignedAt !== undefined) metadata.stickyAssignedAt = result.stickyAssignedAt;
  return metadata;
}

export interface FailureBody {
  key?: string;
  errorCode: OfrepErrorCode;
  errorDetails: string;
}

/** The body of a failed evaluation (`key` given) or of a failed bulk request (no `key`). */
export function failureBody(key: string | undefined, errorCode: OfrepErrorCode, errorDetails: string): FailureBody {
  return key === undefined ? { errorCode, errorDetails } : { key, errorCode, errorDetails };
}

/** `{"flags":[…]}`: every evaluation of a bulk request, failures included, in the engine's (key) order. */
export function bulkText(results: readonly EvaluationResult[]): string {
  let text = '{"flags":[';
  for (let i = 0; i < results.length; i++) text += (i === 0 ? '' : ',') + evaluationText(results[i]!);
  return `${text}]}`;
}
