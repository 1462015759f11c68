/**
 * Prometheus metrics (prom-client). Evaluation counts, snapshot version/age and subscriber numbers are
 * read when scraped, from counters the engine already keeps, so the hot path pays nothing for them;
 * HTTP metrics are tallied per label set (see http-metrics.ts) for the same reason.
 */
import { Counter, collectDefaultMetrics, Gauge, Registry } from 'prom-client';
import type { FlagEngine } from '../flags/engine.js';
import { HttpMetrics } from './http-metrics.js';

export interface GatewayMetrics {
  registry: Registry;
  /** `vexil_http_requests_total` and `vexil_http_request_duration_seconds`. */
  http: HttpMetrics;
  storeErrors: Counter<'operation'>;
  graphqlErrors: Counter<'code'>;
  /** Set by the subscription layer. */
  subscribers: Gauge<'subscription'>;
}

/**
 * `staleSince`: while the gateway serves a last-known-good snapshot (store unreachable at start),
 * when it was taken; `vexil_snapshot_age_seconds` then counts from there, not from the engine's build.
 */
export function createMetrics(
  engine: FlagEngine,
  staleSince: () => string | undefined = () => undefined,
): GatewayMetrics {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry, prefix: 'vexil_process_' });
  const evaluationTotals = new Map<string, number>();
  new Counter({
    name: 'vexil_evaluations_total',
    help: 'Flag evaluations served, by environment, flag and variation.',
    labelNames: ['environment', 'flag', 'variation'] as const,
    registers: [registry],
    collect() {
      for (const entry of engine.usage.totals()) {
        const id = `${entry.environment}\u0000${entry.flagKey}\u0000${entry.variation}`;
        const delta = entry.count - (evaluationTotals.get(id) ?? 0);
        if (delta > 0)
          this.inc({ environment: entry.environment, flag: entry.flagKey, variation: entry.variation }, delta);
        evaluationTotals.set(id, entry.count);
      }
    },
  });
  new Gauge({
    name: 'vexil_snapshot_version',
    help: 'Version of the compiled snapshot being served.',
    registers: [registry],
    collect() {
      this.set(engine.version);
    },
  });
  new Gauge({
    name: 'vexil_snapshot_age_seconds',
    help: 'Seconds since the snapshot being served was built (while the store is unreachable: since the last-known-good snapshot was taken).',
    registers: [registry],
    collect() {
      const taken = staleSince();
      this.set((Date.now() - (taken === undefined ? engine.builtAt : Date.parse(taken))) / 1000);
    },
  });
  return {
    registry,
    http: new HttpMetrics({
      registry,
      buckets: [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5],
    }),
    storeErrors: new Counter({
      name: 'vexil_store_errors_total',
      help: 'Store operations that failed.',
      labelNames: ['operation'] as const,
      registers: [registry],
    }),
    graphqlErrors: new Counter({
      name: 'vexil_graphql_errors_total',
      help: 'GraphQL errors by code.',
      labelNames: ['code'] as const,
      registers: [registry],
    }),
    subscribers: new Gauge({
      name: 'vexil_subscribers',
      help: 'Live subscriptions, by subscription field.',
      labelNames: ['subscription'] as const,
      registers: [registry],
    }),
  };
}
