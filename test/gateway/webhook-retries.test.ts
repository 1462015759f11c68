/**
 * The dispatcher's retry schedule with an injected clock, over a real embedded store and a real
 * loopback receiver: full-jitter backoff, giving up 24 h after the first attempt, and re-claiming a
 * delivery whose sender died holding its lease.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { nextAttemptAt } from '../../src/server/webhooks/backoff.js';
import { WebhookDispatcher } from '../../src/server/webhooks/dispatcher.js';
import { openStore } from '../../src/store/open-store.js';
import type { FlagStore } from '../../src/store/store.js';
import { waitFor, WebhookReceiver } from '../support/webhook-receiver.js';

const HOUR = 3_600_000;
const settings = {
  pollMs: 1_000_000,
  timeoutMs: 10_000,
  retryBaseMs: 10_000,
  retryCapMs: HOUR,
  giveUpMs: 24 * HOUR,
  concurrency: 4,
};

const cleanups: Array<() => Promise<void>> = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

async function setUp(): Promise<{ store: FlagStore; hook: WebhookReceiver; clock: { now: number } }> {
  const dir = await mkdtemp(join(tmpdir(), 'vexil-webhook-retries-'));
  const clock = { now: Date.parse('2026-03-01T00:00:00.000Z') };
  const store = await openStore({ dataDir: dir, now: () => new Date(clock.now) });
  const hook = await new WebhookReceiver().start();
  cleanups.push(async () => {
    await hook.close();
    await store.close();
    await rm(dir, { recursive: true, force: true });
  });
  return { store, hook, clock };
}

async function createEnvironmentChange(store: FlagStore, key: string): Promise<void> {
  await store.createEnvironment({ key, name: key }, { actor: 'test' });
}

describe('backoff', () => {
  const options = { baseMs: 10_000, capMs: HOUR, giveUpMs: 24 * HOUR, random: () => 0.999_999 };

  it('doubles the ceiling per attempt up to the cap, with the jitter drawn below it', () => {
    const ceilings = [1, 2, 3, 4, 10, 20].map((attempt) => nextAttemptAt(attempt, 0, 0, options));
    expect(ceilings).toEqual([9_999, 19_999, 39_999, 79_999, HOUR - 4, HOUR - 4]);
    expect(nextAttemptAt(5, 0, 0, { ...options, random: () => 0 })).toBe(0);
  });

  it('gives up 24 h after the first attempt, and never schedules past that', () => {
    expect(nextAttemptAt(30, 0, 24 * HOUR, options)).toBeNull();
    expect(nextAttemptAt(30, 0, 24 * HOUR - 1000, options)).toBe(24 * HOUR);
  });
});

describe('the dispatcher with an injected clock', { timeout: 60_000 }, () => {
  it('retries when the backoff allows and fails the delivery 24 h after its first attempt', async () => {
    const { store, hook, clock } = await setUp();
    hook.mode = 'fail';
    const { webhook } = await store.webhooks.create({ url: hook.url, events: ['ENVIRONMENT_CREATED'] }, 'test');
    await createEnvironmentChange(store, 'qa');
    const dispatcher = new WebhookDispatcher(store.webhooks, { ...settings, now: () => clock.now, random: () => 0.5 });
    const attempts = async () => (await store.webhooks.deliveries(webhook.id))[0]?.attempts.length ?? 0;

    await dispatcher.tick();
    await waitFor('the first attempt recorded', async () => (await attempts()) === 1);
    const [pending] = await store.webhooks.deliveries(webhook.id);
    expect(pending!.status).toBe('PENDING');
    expect(Date.parse(pending!.nextAttemptAt!)).toBe(clock.now + 5_000); // half of the 10 s ceiling

    clock.now += 4_000;
    await dispatcher.tick(); // not due yet
    expect(hook.requests).toHaveLength(1);
    clock.now += 1_000;
    await dispatcher.tick();
    await waitFor('the second attempt recorded', async () => (await attempts()) === 2);

    clock.now += 25 * HOUR;
    await dispatcher.tick();
    await waitFor(
      'the delivery given up',
      async () => (await store.webhooks.deliveries(webhook.id))[0]?.status === 'FAILED',
    );
    const [failed] = await store.webhooks.deliveries(webhook.id);
    expect(failed).toMatchObject({ status: 'FAILED', nextAttemptAt: null });
    expect(failed!.attempts.map((attempt) => attempt.statusCode)).toEqual([500, 500, 500]);
    await dispatcher.tick();
    await dispatcher.stop();
    expect(hook.requests).toHaveLength(3);
  });

  it('sends a delivery again only once the lease of an instance that died holding it has expired', async () => {
    const { store, hook, clock } = await setUp();
    const { webhook } = await store.webhooks.create({ url: hook.url, events: ['ALL'] }, 'test');
    await createEnvironmentChange(store, 'qa');
    await store.webhooks.derive();
    const leaseUntil = new Date(clock.now + 40_000).toISOString();
    const taken = await store.webhooks.claimDue(new Date(clock.now).toISOString(), 'dead-instance', leaseUntil, 10);
    expect(taken).toHaveLength(1);

    const survivor = new WebhookDispatcher(store.webhooks, { ...settings, owner: 'survivor', now: () => clock.now });
    await survivor.tick();
    expect(hook.requests).toHaveLength(0);
    clock.now += 40_000;
    await survivor.tick();
    await waitFor(
      'the re-claimed delivery',
      async () => (await store.webhooks.deliveries(webhook.id))[0]?.status === 'DELIVERED',
    );
    // The dead instance's late report is refused: it no longer holds the lease.
    const late = await store.webhooks.finishAttempt(taken[0]!.id, 'dead-instance', {
      status: 'DELIVERED',
      nextAttemptAt: null,
      firstAttemptAt: new Date(clock.now).toISOString(),
      attempt: { number: 1, at: new Date(clock.now).toISOString(), statusCode: 200, error: null, durationMs: 1 },
    });
    expect(late).toBe(false);
    await survivor.stop();
    expect(hook.requests).toHaveLength(1);
    expect((await store.webhooks.deliveries(webhook.id))[0]!.attempts).toHaveLength(1);
  });
});
