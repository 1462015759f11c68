/**
 * urql (@urql/core 6) against the default gateway: its fetchExchange for queries and mutations (urql
 * sends `accept: application/graphql-response+json, application/graphql+json, application/json,
 * text/event-stream, multipart/mixed`; GET for short queries unless `preferGetMethod: false`), and
 * subscriptionExchange over a graphql-ws client for subscriptions.
 */
import { cacheExchange, Client, fetchExchange, subscriptionExchange } from '@urql/core';
import { createClient as createWsClient, type Client as WsClient } from 'graphql-ws';
import { pipe, take, toPromise } from 'wonka';
import WebSocket from 'ws';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { EvaluateDocument, FlagDocument, ToggleFlagDocument } from '../../src/client/generated/graphql.js';
import {
  type ClientScenario,
  FlagChangedDocument,
  latestComment,
  PROD,
  startScenario,
  trackUnhandledRejections,
  watchersReady,
  within,
  planEvaluations,
} from './scenario.js';

let scenario: ClientScenario;
let ws: WsClient;
let rejections: ReturnType<typeof trackUnhandledRejections>;

function urqlClient(key: string, options: { preferGetMethod?: boolean; fetch?: typeof fetch } = {}): Client {
  ws ??= createWsClient({
    url: scenario.wsUrl,
    webSocketImpl: WebSocket,
    connectionParams: { authorization: `Bearer ${scenario.gw.adminKey}` },
    retryAttempts: 0,
  });
  return new Client({
    url: scenario.gw.endpoint,
    ...options,
    fetchOptions: () => ({ headers: { authorization: `Bearer ${key}` } }),
    exchanges: [
      cacheExchange,
      fetchExchange,
      subscriptionExchange({
        forwardSubscription: (request) => ({
          subscribe: (sink) => ({ unsubscribe: ws.subscribe({ ...request, query: request.query ?? '' }, sink) }),
        }),
      }),
    ],
  });
}

beforeAll(async () => {
  scenario = await startScenario('urql-flag');
});

afterAll(async () => {
  await ws?.dispose();
  await scenario?.gw.stop();
});

beforeEach(() => {
  rejections = trackUnhandledRejections();
});

afterEach(async () => {
  const reasons = await rejections.settle();
  rejections.stop();
  expect(reasons, `unhandled rejections inside the client: ${reasons.join('; ')}`).toEqual([]);
});

describe('urql', () => {
  it.each([
    ['POST', false],
    ['GET', true],
  ])('evaluates a flag with an evaluation key, query after query (%s)', async (_method, preferGetMethod) => {
    // What urql was answered with: a query is one result, which its Accept header prefers as JSON.
    const contentTypes: Array<string | null> = [];
    const recordingFetch: typeof fetch = async (input, init) => {
      const response = await fetch(input, init);
      contentTypes.push(response.headers.get('content-type'));
      return response;
    };
    const client = urqlClient(scenario.evalKey, { preferGetMethod, fetch: recordingFetch });
    for (const [plan, value] of planEvaluations) {
      const result = await within(
        client
          .query(EvaluateDocument, { key: scenario.flagKey, context: { plan } }, { requestPolicy: 'network-only' })
          .toPromise(),
        `evaluate for ${plan}`,
      );
      expect(result.error).toBeUndefined();
      expect(result.data?.evaluate).toMatchObject({
        key: scenario.flagKey,
        value,
        variation: value ? 'on' : 'off',
        errorCode: null,
      });
    }
    expect(contentTypes).toHaveLength(3);
    for (const type of contentTypes) expect(type).toMatch(/^application\/(graphql-response\+)?json\b/);
  });

  it('reads a flag with the admin key', async () => {
    const result = await within(
      urqlClient(scenario.gw.adminKey).query(FlagDocument, { key: scenario.flagKey }).toPromise(),
      'flag query',
    );
    expect(result.error).toBeUndefined();
    expect(result.data?.flag).toMatchObject({ key: scenario.flagKey, valueType: 'BOOLEAN', archived: false });
    expect(result.data?.flag?.environments.map((environment) => environment.environment)).toContain(PROD);
  });

  it('toggles a flag with a comment, and a flagChanged subscription receives the change', async () => {
    const client = urqlClient(scenario.gw.adminKey);
    const received = pipe(client.subscription(FlagChangedDocument, { keys: [scenario.flagKey] }), take(1), toPromise);
    await watchersReady(scenario);
    const toggled = await within(
      client
        .mutation(ToggleFlagDocument, {
          key: scenario.flagKey,
          environment: PROD,
          on: false,
          comment: 'urql: switch off',
        })
        .toPromise(),
      'toggleFlag',
    );
    expect(toggled.error).toBeUndefined();
    expect(toggled.data?.toggleFlag.environments.find((environment) => environment.environment === PROD)?.on).toBe(
      false,
    );
    const change = await within(received, 'the flagChanged message');
    expect(change.error).toBeUndefined();
    expect(change.data?.flagChanged).toMatchObject({
      key: scenario.flagKey,
      version: toggled.data?.toggleFlag.version,
    });
    expect(await latestComment(scenario)).toBe('urql: switch off');
  });

  it('surfaces GraphQL errors with their extensions.code (CONFLICT, UNAUTHENTICATED)', async () => {
    const stale = await within(
      urqlClient(scenario.gw.adminKey)
        .mutation(ToggleFlagDocument, { key: scenario.flagKey, environment: PROD, on: true, expectedVersion: 1 })
        .toPromise(),
      'stale toggleFlag',
    );
    expect(stale.error?.graphQLErrors[0]?.extensions.code).toBe('CONFLICT');
    const unknownKey = await within(
      urqlClient('vxl_eval_not_a_key').query(EvaluateDocument, { key: scenario.flagKey, context: {} }).toPromise(),
      'evaluate with an unknown key',
    );
    expect(unknownKey.error?.graphQLErrors[0]?.extensions.code).toBe('UNAUTHENTICATED');
  });
});
