/**
 * Webhooks on the embedded store, end to end: a real gateway, real loopback receivers. Signatures
 * verify with the README's snippet; a failing receiver is retried once it recovers; a hanging one
 * delays no write; a restart re-sends nothing delivered; bad input is refused with VALIDATION.
 */
import { createHmac, timingSafeEqual } from 'node:crypto';
import { afterEach, describe, expect, it } from 'vitest';
import { booleanFlag, PROD, STAGING } from '../fixtures/gateway/flags.js';
import {
  CreateFlagDocument,
  CreateWebhookDocument,
  type CreateWebhookMutationVariables,
  DeleteWebhookDocument,
  ToggleFlagDocument,
  WebhooksDocument,
} from '../../src/client/generated/graphql.js';
import { codeOf, dataOf, errorOf, startTestGateway, type TestGateway } from '../support/gateway.js';
import { createWebhook, deliveriesOf } from '../support/webhook-api.js';
import { waitFor, WebhookReceiver } from '../support/webhook-receiver.js';

/** Fast polling and retries, so a test waits for conditions of well under a second each. */
const fastWebhooks = {
  VEXIL_WEBHOOK_POLL_MS: '50',
  VEXIL_WEBHOOK_RETRY_BASE_MS: '100',
  VEXIL_WEBHOOK_RETRY_CAP_MS: '200',
};

const cleanups: Array<() => Promise<void>> = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

async function gateway(options: Parameters<typeof startTestGateway>[0] = {}): Promise<TestGateway> {
  const gw = await startTestGateway({ seed: false, env: fastWebhooks, ...options });
  cleanups.push(() => gw.stop());
  return gw;
}

async function receiver(): Promise<WebhookReceiver> {
  const started = await new WebhookReceiver().start();
  cleanups.push(() => started.close());
  return started;
}

/** The README's verification snippet, as a receiver would run it. */
function verify(secret: string, rawBody: string, header: string | undefined): boolean {
  const expected = Buffer.from(`sha256=${createHmac('sha256', secret).update(rawBody).digest('hex')}`);
  const given = Buffer.from(header ?? '');
  return given.length === expected.length && timingSafeEqual(given, expected);
}

async function toggle(gw: TestGateway, key: string, on: boolean, comment?: string) {
  return dataOf(await gw.gql(ToggleFlagDocument, { key, environment: PROD, on, ...(comment ? { comment } : {}) }));
}

describe('webhooks on the embedded store', { timeout: 90_000 }, () => {
  it('signs each delivery with the secret createWebhook returned, verifiable with node:crypto', async () => {
    const gw = await gateway();
    const hook = await receiver();
    const { id, secret } = await createWebhook(gw.gql, hook.url, ['FLAG_TOGGLED']);
    dataOf(await gw.gql(CreateFlagDocument, { input: booleanFlag('signed_flag') }));
    await toggle(gw, 'signed_flag', false, 'turning it off');
    await waitFor('one delivery', () => hook.requests.length === 1);

    const [request] = hook.requests;
    expect(verify(secret, request!.body, request!.headers['x-vexil-signature'] as string)).toBe(true);
    expect(verify('another secret', request!.body, request!.headers['x-vexil-signature'] as string)).toBe(false);
    const body = JSON.parse(request!.body);
    expect(request!.headers['x-vexil-event']).toBe('FLAG_TOGGLED');
    expect(request!.headers['x-vexil-delivery']).toBe(body.id);
    expect(Number(request!.headers['x-vexil-timestamp'])).toBeGreaterThan(0);
    expect(body).toMatchObject({
      event: 'FLAG_TOGGLED',
      webhookId: id,
      flagKey: 'signed_flag',
      version: 2,
      change: { kind: 'flag', key: 'signed_flag', environment: PROD, action: 'toggle', comment: 'turning it off' },
    });
    expect(body.change.actor).toContain('bootstrap');
    expect(body.change.after.environments).toBeDefined();

    await waitFor('the delivery recorded', async () => (await deliveriesOf(gw.gql, id))[0]?.status === 'DELIVERED');
    const [delivery] = await deliveriesOf(gw.gql, id);
    expect(delivery).toMatchObject({ id: body.id, event: 'FLAG_TOGGLED', status: 'DELIVERED', nextAttemptAt: null });
    expect(delivery!.attempts).toEqual([expect.objectContaining({ number: 1, statusCode: 200, error: null })]);
  });

  it('never returns the secret again, and only sends the events and environment asked for', async () => {
    const gw = await gateway();
    const hook = await receiver();
    const { id } = await createWebhook(gw.gql, hook.url, ['FLAG_TOGGLED'], STAGING);
    const listed = await gw.gql(WebhooksDocument, { first: 1 });
    expect(listed.text).not.toContain('whsec_');
    expect(dataOf(listed).webhooks).toEqual([
      expect.objectContaining({ id, url: hook.url, events: ['FLAG_TOGGLED'], environment: STAGING, deliveries: [] }),
    ]);

    dataOf(await gw.gql(CreateFlagDocument, { input: booleanFlag('scoped_flag') }));
    await toggle(gw, 'scoped_flag', false); // production: not for this webhook
    dataOf(await gw.gql(ToggleFlagDocument, { key: 'scoped_flag', environment: STAGING, on: false }));
    await waitFor('the staging toggle', () => hook.requests.length === 1);
    expect(JSON.parse(hook.requests[0]!.body).change.environment).toBe(STAGING);
    expect((await deliveriesOf(gw.gql, id)).map((delivery) => delivery.event)).toEqual(['FLAG_TOGGLED']);
  });

  it('retries a failing receiver with backoff and delivers once it is back', async () => {
    const gw = await gateway();
    const hook = await receiver();
    hook.mode = 'fail';
    const { id } = await createWebhook(gw.gql, hook.url);
    dataOf(await gw.gql(CreateFlagDocument, { input: booleanFlag('retried_flag') }));
    await waitFor('two failed attempts', () => hook.requests.length >= 2);
    const [failing] = await deliveriesOf(gw.gql, id);
    expect(failing!.status).toBe('PENDING');
    expect(failing!.nextAttemptAt).not.toBeNull();
    expect(failing!.attempts[0]).toMatchObject({ number: 1, statusCode: 500 });
    expect(failing!.attempts[0]!.error).toContain('500');

    hook.mode = 'ok';
    await waitFor('the delivery', async () => (await deliveriesOf(gw.gql, id))[0]?.status === 'DELIVERED');
    const [delivered] = await deliveriesOf(gw.gql, id);
    expect(delivered!.attempts.at(-1)).toMatchObject({ statusCode: 200, error: null });
    expect(delivered!.attempts.map((attempt) => attempt.number)).toEqual(delivered!.attempts.map((_, i) => i + 1));
    expect(new Set(hook.requests.map((request) => request.body)).size).toBe(1); // the same signed bytes every time
    expect(hook.deliveredCounts()).toEqual(new Map([[delivered!.id, 1]]));
  });

  it('records an unreachable receiver as an attempt without a status code', async () => {
    const gw = await gateway();
    const hook = await receiver();
    await hook.close();
    const { id } = await createWebhook(gw.gql, hook.url);
    dataOf(await gw.gql(CreateFlagDocument, { input: booleanFlag('unreachable_flag') }));
    await waitFor('a failed attempt', async () => ((await deliveriesOf(gw.gql, id))[0]?.attempts.length ?? 0) > 0);
    const [delivery] = await deliveriesOf(gw.gql, id);
    expect(delivery!.attempts[0]).toMatchObject({ statusCode: null, error: 'ECONNREFUSED' });
  });

  it('answers writes while a receiver hangs on a delivery', async () => {
    const gw = await gateway({ env: { ...fastWebhooks, VEXIL_WEBHOOK_TIMEOUT_MS: '600000' } });
    const hook = await receiver();
    hook.mode = 'hang';
    await createWebhook(gw.gql, hook.url);
    dataOf(await gw.gql(CreateFlagDocument, { input: booleanFlag('hung_flag') }));
    await waitFor('the receiver holding a delivery', () => hook.hangingCount === 1);
    for (let i = 0; i < 5; i += 1) await toggle(gw, 'hung_flag', i % 2 === 1);
    const evaluated = await gw.gql(
      `{ evaluate(key: "hung_flag", environment: "${PROD}", context: { targetingKey: "u" }) { value } }`,
    );
    expect(dataOf(evaluated)).toEqual({ evaluate: { value: false } });
    expect(hook.hangingCount).toBeGreaterThanOrEqual(1); // still stuck: the writes did not wait for it
  });

  it('sends nothing twice after a gateway restart', async () => {
    const first = await startTestGateway({ seed: false, env: fastWebhooks });
    const hook = await receiver();
    const { id } = await createWebhook(first.gql, hook.url);
    dataOf(await first.gql(CreateFlagDocument, { input: booleanFlag('restart_flag') }));
    for (let i = 0; i < 3; i += 1) await toggle(first, 'restart_flag', i % 2 === 1);
    await waitFor(
      'four deliveries',
      async () => (await deliveriesOf(first.gql, id)).filter((d) => d.status === 'DELIVERED').length === 4,
    );
    await first.stop({ keepDataDir: true });

    const second = await gateway({ dataDir: first.dataDir, adminKey: first.adminKey });
    await toggle(second, 'restart_flag', true);
    await waitFor(
      'the fifth delivery',
      async () => (await deliveriesOf(second.gql, id)).filter((d) => d.status === 'DELIVERED').length === 5,
    );
    // Give a duplicate every chance: let the dispatcher run a few more rounds.
    const rounds = hook.requests.length;
    await new Promise((resolve) => setTimeout(resolve, 500));
    expect(hook.requests.length).toBe(rounds);
    expect([...hook.countsByDelivery().values()]).toEqual([1, 1, 1, 1, 1]);
  });

  it('refuses a bad url, no events and an unknown environment with VALIDATION on the field', async () => {
    const gw = await gateway();
    const cases: Array<[CreateWebhookMutationVariables, string]> = [
      [{ url: 'ftp://example.com/hook', events: ['ALL'] }, 'url'],
      [{ url: '/relative/hook', events: ['ALL'] }, 'url'],
      [{ url: 'http://127.0.0.1:9/hook', events: [] }, 'events'],
      [{ url: 'http://127.0.0.1:9/hook', events: ['ALL'], environment: 'nowhere' }, 'environment'],
    ];
    for (const [variables, field] of cases) {
      const result = await gw.gql(CreateWebhookDocument, variables);
      expect(codeOf(result), JSON.stringify(variables)).toBe('VALIDATION');
      expect(errorOf(result).extensions?.field).toBe(field);
    }
    expect(dataOf(await gw.gql(WebhooksDocument, {}))).toEqual({ webhooks: [] });
  });

  it('lets only admin keys see or change webhooks, and deletes one with its deliveries', async () => {
    const gw = await gateway();
    const reader = await gw.createKey('READ_ONLY');
    const evaluator = await gw.createKey('EVALUATION', PROD);
    for (const key of [reader.secret, evaluator.secret]) {
      expect(codeOf(await gw.gql(WebhooksDocument, {}, key))).toBe('FORBIDDEN');
      expect(codeOf(await gw.gql(CreateWebhookDocument, { url: 'http://127.0.0.1:9/', events: ['ALL'] }, key))).toBe(
        'FORBIDDEN',
      );
    }
    const { id } = await createWebhook(gw.gql, 'http://127.0.0.1:9/hook');
    expect(codeOf(await gw.gql(DeleteWebhookDocument, { id }, reader.secret))).toBe('FORBIDDEN');
    expect(dataOf(await gw.gql(DeleteWebhookDocument, { id }))).toEqual({ deleteWebhook: true });
    expect(codeOf(await gw.gql(DeleteWebhookDocument, { id }))).toBe('NOT_FOUND');
    expect(dataOf(await gw.gql(WebhooksDocument, {}))).toEqual({ webhooks: [] });
  });
});
