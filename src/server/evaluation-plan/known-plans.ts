/**
 * Plans of query texts envelop has already parsed and validated. yoga caches both steps per query
 * text, yet reaching those caches costs a request its envelop instance, the validation-rules cache key
 * yoga rebuilds each time and the context factory (about a sixth of a small request's CPU, profiled).
 * The same text always parses and validates the same way against one schema with one set of rules,
 * so once envelop has accepted a text whose operation has a plan, later requests with that text go
 * straight to the plan. Everything else (a text not seen yet, a plan that hands the request on) takes
 * the envelop path as before.
 */
import { LRUCache } from 'lru-cache';
import type { EvaluationPlan } from './plan.js';

export class KnownPlans {
  private readonly plans: LRUCache<string, EvaluationPlan>;

  /** @param size how many query texts to remember. @default 1000 */
  constructor(size = 1000) {
    this.plans = new LRUCache({ max: size });
  }

  get(query: string, operationName: string | null | undefined): EvaluationPlan | undefined {
    return this.plans.get(keyOf(query, operationName));
  }

  /** Call only once envelop has parsed and validated the text without error. */
  remember(query: string, operationName: string | null | undefined, plan: EvaluationPlan): void {
    this.plans.set(keyOf(query, operationName), plan);
  }
}

function keyOf(query: string, operationName: string | null | undefined): string {
  return operationName ? `${operationName}\u0000${query}` : query;
}
