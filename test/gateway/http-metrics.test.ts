/**
 * HTTP metrics tallied per label set (src/server/http-metrics.ts) read exactly as prom-client's own
 * Counter and Histogram fed the same requests: same exposition text, same JSON.
 */
import { Counter, Histogram, Registry } from 'prom-client';
import { describe, expect, it } from 'vitest';
import { HttpMetrics } from '../../src/server/http-metrics.js';

const buckets = [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5];

function pair() {
  const ours = new Registry();
  const metrics = new HttpMetrics({ registry: ours, buckets });
  const theirs = new Registry();
  const counter = new Counter({
    name: 'vexil_http_requests_total',
    help: 'HTTP requests.',
    labelNames: ['method', 'route', 'status'] as const,
    registers: [theirs],
  });
  const histogram = new Histogram({
    name: 'vexil_http_request_duration_seconds',
    help: 'HTTP request latency.',
    labelNames: ['method', 'route'] as const,
    buckets,
    registers: [theirs],
  });
  const record = (method: string, route: string, status: number, seconds: number) => {
    metrics.record(method, route, status, seconds);
    counter.inc({ method, route, status: String(status) });
    histogram.observe({ method, route }, seconds);
  };
  return { ours, theirs, record };
}

describe('HTTP metrics', () => {
  it('expose what prom-client’s Counter and Histogram would, bounds, overflow and later requests included', async () => {
    const { ours, theirs, record } = pair();
    expect(await ours.metrics()).toBe(await theirs.metrics());
    record('POST', '/graphql', 200, 0.0003);
    record('POST', '/graphql', 200, 0.0005);
    record('GET', '/healthz', 200, 0.0021);
    record('POST', '/graphql', 400, 3.5);
    record('GET', 'other', 404, 0.25);
    expect(await ours.metrics()).toBe(await theirs.metrics());
    record('POST', '/graphql', 200, 0.07);
    record('GET', '/metrics', 200, 0.001);
    expect(await ours.metrics()).toBe(await theirs.metrics());
    expect(await ours.getMetricsAsJSON()).toEqual(await theirs.getMetricsAsJSON());
  });

  it('start again from nothing when the registry is reset', async () => {
    const { ours, theirs, record } = pair();
    record('POST', '/graphql', 200, 0.003);
    await ours.metrics();
    record('GET', '/healthz', 200, 0.0001);
    ours.resetMetrics();
    theirs.resetMetrics();
    expect(await ours.metrics()).toBe(await theirs.metrics());
    record('POST', '/graphql', 200, 0.02);
    record('POST', '/graphql', 500, 0.2);
    expect(await ours.metrics()).toBe(await theirs.metrics());
  });
});
