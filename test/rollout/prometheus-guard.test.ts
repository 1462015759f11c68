/**
 * Rollout guards against a real Prometheus (Debian's package, on loopback) scraping a test service
 * whose error ratio the test sets: a healthy ratio lets the plan advance, a breach pauses it (or rolls
 * it back) with the observed value in the plan and in the audit entry, and with Prometheus stopped a
 * due plan does not advance. Skipped, saying why, only when the prometheus binary is absent.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Flag } from '../../src/flags/model.js';
import { prometheusGuard } from '../../src/server/rollout/prometheus-guard.js';
import { RolloutScheduler, rolloutActor } from '../../src/server/rollout/scheduler.js';
import { openStore } from '../../src/store/open-store.js';
import type { FlagStore } from '../../src/store/store.js';
import { ErrorRateService, hasPrometheus, prometheusBinary, TestPrometheus } from '../support/prometheus.js';
import { onWeight, rolloutFlagInput } from '../store/rollout-contract.js';

if (!hasPrometheus)
  console.warn(`skipping the Prometheus guard tests: no ${prometheusBinary} (apt-get install prometheus)`);

const errorRatio =
  'sum(rate(checkout_errors_total{variation="on"}[5s])) / sum(rate(checkout_requests_total{variation="on"}[5s]))';
const hour = 3600;
const alice = { actor: 'alice' };

describe.skipIf(!hasPrometheus)('rollout guards against a real Prometheus', () => {
  const service = new ErrorRateService();
  const prometheus = new TestPrometheus();
  let store: FlagStore;
  let dataDir: string;
  let now = Date.parse('2026-03-01T10:00:00.000Z');

  const scheduler = () =>
    new RolloutScheduler({
      store,
      now: () => new Date(now),
      checkGuard: prometheusGuard({ prometheusUrl: prometheus.url, timeoutMs: 10_000 }),
    });
  const plan = async (key: string) => (await store.getFlag(key))!.environments.production!.rollout!;
  const runningPlan = async (key: string, onGuardBreach: 'PAUSE' | 'ROLLBACK') => {
    const created = await store.createFlag(rolloutFlagInput(key), alice);
    const guard = { query: errorRatio, max: 0.05 };
    const stages = [1, 5, 100].map((percentage) => ({ percentage, holdSeconds: hour, guard }));
    const set = await store.rollouts.setPlan(key, 'production', { stages, onGuardBreach }, created.version, alice);
    return store.rollouts.step(key, 'production', 'start', set.version, alice);
  };
  /** Waits until Prometheus has scraped the service at its current ratio. */
  const ratioSettles = async (predicate: (value: number) => boolean) => {
    await expect
      .poll(
        async () => {
          const value = await prometheus.value(errorRatio);
          return value !== null && predicate(value);
        },
        { timeout: 120_000, interval: 500 },
      )
      .toBe(true);
  };

  beforeAll(async () => {
    await service.start();
    await prometheus.start(`127.0.0.1:${service.port}`);
    dataDir = await mkdtemp(join(tmpdir(), 'vexil-guard-'));
    store = await openStore({ dataDir, now: () => new Date(now) });
  }, 180_000);

  afterAll(async () => {
    await store?.close();
    await prometheus.cleanup();
    await service.stop();
    if (dataDir) await rm(dataDir, { recursive: true, force: true });
  });

  it('a healthy error ratio lets the plan advance and records the value it saw', async () => {
    service.errorRatio = 0.01;
    await ratioSettles((value) => Math.abs(value - 0.01) < 0.005);
    await runningPlan('healthy', 'PAUSE');
    now += hour * 1000;
    await scheduler().tick();
    const after = await plan('healthy');
    expect(after).toMatchObject({ state: 'RUNNING', currentStage: 1, lastGuardCheck: { outcome: 'ok' } });
    expect(after.lastGuardCheck!.value).toBeCloseTo(0.01, 2);
  }, 180_000);

  it('a breach pauses the plan, or rolls it back, with the observed value in the plan and the audit entry', async () => {
    service.errorRatio = 0.4;
    await ratioSettles((value) => value > 0.3);
    await runningPlan('breach-pause', 'PAUSE');
    await runningPlan('breach-rollback', 'ROLLBACK');
    await scheduler().tick(); // a guard is checked during the hold, not only when it is over
    const paused = await plan('breach-pause');
    expect(paused).toMatchObject({ state: 'PAUSED', currentStage: 0, lastGuardCheck: { outcome: 'breach' } });
    expect(paused.lastGuardCheck!.value).toBeGreaterThan(0.3);
    const rolledBack = await plan('breach-rollback');
    expect(rolledBack).toMatchObject({ state: 'ROLLED_BACK', currentStage: -1, lastGuardCheck: { outcome: 'breach' } });
    expect(onWeight((await store.getFlag('breach-rollback'))!)).toBe(0);
    const [entry] = (await store.auditLog({ ref: { kind: 'flag', key: 'breach-pause' } }, { first: 1 })).items;
    expect(entry!.actor).toBe(rolloutActor);
    const recorded = (entry!.after as Flag).environments.production!.rollout!.lastGuardCheck!;
    expect(recorded.value).toBe(paused.lastGuardCheck!.value);
    expect(entry!.comment).toContain(String(paused.lastGuardCheck!.value));
  }, 180_000);

  it('with Prometheus down a due plan does not advance, and says why', async () => {
    service.errorRatio = 0;
    await ratioSettles((value) => value < 0.01);
    await runningPlan('prometheus-down', 'PAUSE');
    await prometheus.stop();
    now += 2 * hour * 1000;
    await scheduler().tick();
    expect(await plan('prometheus-down')).toMatchObject({
      state: 'RUNNING',
      currentStage: 0,
      lastGuardCheck: { outcome: 'unknown', value: null },
    });
    expect((await plan('prometheus-down')).lastGuardCheck!.detail).toMatch(/unreachable/);
  }, 180_000);
});
