/**
 * HTTP request counts and latencies, recorded at the cost of one map lookup per request. prom-client
 * hashes the label object on every `inc()` and `observe()` (about 2 µs per request for the pair, as
 * measured), and its pre-bound `labels()` children hash again on every call. Here each label set keeps
 * its own tally, and the registry reads the tallies when scraped: the counter through `collect()`, the
 * histogram through a metric object that hands the registry what a prom-client Histogram would.
 */
import { Counter, type Metric, type Registry } from 'prom-client';

interface Tally {
  labels: { method: string; route: string; status: string };
  count: number;
  reported: number;
}

/** The requests of one (route, method): their latencies, and their counts by status. */
interface Timing {
  labels: { method: string; route: string };
  /** Observations per bucket (not cumulative); the last slot counts those above every bound. */
  buckets: Float64Array;
  sum: number;
  count: number;
  byStatus: Map<number, Tally>;
}

export interface HttpMetricsOptions {
  registry: Registry;
  /** Upper bounds of the latency histogram's buckets, in seconds, ascending. */
  buckets: readonly number[];
}

export class HttpMetrics {
  /** In first-seen order (the order prom-client would list them in); keyed by route, then method. */
  private readonly timings: Timing[] = [];
  private readonly byRoute = new Map<string, Map<string, Timing>>();
  /** Every tally, in first-seen order. */
  private readonly tallies: Tally[] = [];
  private readonly bounds: readonly number[];

  constructor({ registry, buckets }: HttpMetricsOptions) {
    this.bounds = buckets;
    const tallies = this.tallies;
    new Counter({
      name: 'vexil_http_requests_total',
      help: 'HTTP requests.',
      labelNames: ['method', 'route', 'status'] as const,
      registers: [registry],
      collect() {
        for (const tally of tallies) {
          if (tally.count > tally.reported) this.inc(tally.labels, tally.count - tally.reported);
          tally.reported = tally.count;
        }
      },
    });
    // The registry reads a metric through name, help, type, get(), getForPromString() and reset() alone.
    registry.registerMetric(
      this.histogram('vexil_http_request_duration_seconds', 'HTTP request latency.') as unknown as Metric,
    );
  }

  record(method: string, route: string, status: number, seconds: number): void {
    const timing = this.timing(method, route);
    let bucket = 0;
    while (bucket < this.bounds.length && seconds > this.bounds[bucket]!) bucket++;
    timing.buckets[bucket]!++;
    timing.sum += seconds;
    timing.count++;
    let tally = timing.byStatus.get(status);
    if (!tally) {
      timing.byStatus.set(
        status,
        (tally = { labels: { method, route, status: String(status) }, count: 0, reported: 0 }),
      );
      this.tallies.push(tally);
    }
    tally.count++;
  }

  private timing(method: string, route: string): Timing {
    let byMethod = this.byRoute.get(route);
    if (!byMethod) this.byRoute.set(route, (byMethod = new Map()));
    let timing = byMethod.get(method);
    if (!timing) {
      byMethod.set(
        method,
        (timing = {
          labels: { method, route },
          buckets: new Float64Array(this.bounds.length + 1),
          sum: 0,
          count: 0,
          byStatus: new Map(),
        }),
      );
      this.timings.push(timing);
    }
    return timing;
  }

  /** The latency histogram as the registry reads metrics: prom-client's shape, buckets cumulative. */
  private histogram(name: string, help: string) {
    const values = () => {
      const rows: Array<{
        labels: Record<string, string | number>;
        sharedLabels: Record<string, string>;
        value: number;
        metricName: string;
        exemplar?: null;
      }> = [];
      for (const timing of this.timings) {
        let cumulative = 0;
        for (const [index, bound] of this.bounds.entries()) {
          cumulative += timing.buckets[index]!;
          rows.push({
            labels: { le: bound },
            sharedLabels: timing.labels,
            value: cumulative,
            metricName: `${name}_bucket`,
            exemplar: null,
          });
        }
        rows.push({
          labels: { le: '+Inf' },
          sharedLabels: timing.labels,
          value: timing.count,
          metricName: `${name}_bucket`,
          exemplar: null,
        });
        rows.push({ labels: {}, sharedLabels: timing.labels, value: timing.sum, metricName: `${name}_sum` });
        rows.push({ labels: {}, sharedLabels: timing.labels, value: timing.count, metricName: `${name}_count` });
      }
      return rows;
    };
    const metric = { name, help, type: 'histogram', aggregator: 'sum' };
    return {
      ...metric,
      getForPromString: async () => ({ ...metric, values: values() }),
      get: async () => ({
        ...metric,
        values: values().map(({ labels, sharedLabels, ...row }) => ({
          ...row,
          labels: { ...labels, ...sharedLabels },
        })),
      }),
      // As prom-client's: label sets are forgotten, and counts not yet reported are dropped, as the
      // registry resets the counter at the same time.
      reset: () => {
        this.timings.length = 0;
        this.byRoute.clear();
        for (const tally of this.tallies) tally.reported = tally.count;
      },
    };
  }
}
