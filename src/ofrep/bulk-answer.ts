/**
 * Bulk answers with their ETags, the last one of each environment kept: successful results are shared
 * objects, so the same evaluations (a client polling with one context) are recognised by identity,
 * one comparison per flag, and answered without writing or hashing the body again.
 */
import type { EvaluationResult } from '../flags/evaluation.js';
import { etagOf } from './etag.js';
import { bulkText } from './responses.js';

export interface BulkAnswer {
  readonly results: readonly EvaluationResult[];
  readonly body: string;
  /** `body` in UTF-8, encoded once rather than on every send of the same answer. */
  readonly bytes: Buffer;
  readonly etag: string;
}

function sameResults(a: readonly EvaluationResult[], b: readonly EvaluationResult[]): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

export class BulkAnswers {
  private readonly last = new Map<string, BulkAnswer>();

  answer(environment: string, results: readonly EvaluationResult[]): BulkAnswer {
    const last = this.last.get(environment);
    if (last !== undefined && sameResults(last.results, results)) return last;
    const body = bulkText(results);
    const answer: BulkAnswer = { results, body, bytes: Buffer.from(body), etag: etagOf(body) };
    this.last.set(environment, answer);
    return answer;
  }
}
