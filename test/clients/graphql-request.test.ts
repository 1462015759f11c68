/**
 * graphql-request 7 against the default gateway for queries and mutations (POST, `accept:
 * application/graphql-response+json, application/json`), with the graphql-sse client for the
 * subscription, as its documentation suggests (graphql-request itself has no subscriptions).
 */
import { ClientError, GraphQLClient } from 'graphql-request';
import { createClient as createSseClient } from 'graphql-sse';
import { print } from 'graphql';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { EvaluateDocument, FlagDocument, ToggleFlagDocument } from '../../src/client/generated/graphql.js';
import {
  type ClientScenario,
  type FlagChanged,
  FlagChangedDocument,
  latestComment,
  PROD,
  startScenario,
  watchersReady,
  within,
  planEvaluations,
} from './scenario.js';

let scenario: ClientScenario;

const client = (key: string) =>
  new GraphQLClient(scenario.gw.endpoint, { headers: { authorization: `Bearer ${key}` } });

/** The GraphQL error a request failed with; fails the test if it succeeded or failed otherwise. */
async function clientError(request: Promise<unknown>): Promise<ClientError> {
  const error = await request.then(
    () => new Error('expected the request to fail'),
    (thrown: unknown) => thrown,
  );
  if (!(error instanceof ClientError)) throw error;
  return error;
}

beforeAll(async () => {
  scenario = await startScenario('graphql-request-flag');
});

afterAll(async () => {
  await scenario?.gw.stop();
});

describe('graphql-request', () => {
  it('evaluates a flag with an evaluation key, query after query', async () => {
    const evaluation = client(scenario.evalKey);
    for (const [plan, value] of planEvaluations) {
      const data = await within(
        evaluation.request(EvaluateDocument, { key: scenario.flagKey, context: { plan } }),
        `evaluate for ${plan}`,
      );
      expect(data.evaluate).toMatchObject({
        key: scenario.flagKey,
        value,
        variation: value ? 'on' : 'off',
        errorCode: null,
      });
    }
  });

  it('reads a flag with the admin key', async () => {
    const data = await within(
      client(scenario.gw.adminKey).request(FlagDocument, { key: scenario.flagKey }),
      'flag query',
    );
    expect(data.flag).toMatchObject({ key: scenario.flagKey, valueType: 'BOOLEAN', archived: false });
  });

  it('toggles a flag with a comment, and a graphql-sse subscription receives the change', async () => {
    const sse = createSseClient({
      url: scenario.gw.endpoint,
      headers: { authorization: `Bearer ${scenario.gw.adminKey}` },
      retryAttempts: 0,
    });
    try {
      const received = new Promise<FlagChanged>((resolve, reject) => {
        const stop = sse.subscribe<FlagChanged>(
          { query: print(FlagChangedDocument), variables: { keys: [scenario.flagKey] } },
          {
            next: (message) =>
              message.data ? (resolve(message.data), stop()) : reject(new Error(JSON.stringify(message.errors))),
            error: reject,
            complete: () => reject(new Error('the subscription completed without a message')),
          },
        );
      });
      await watchersReady(scenario);
      const data = await within(
        client(scenario.gw.adminKey).request(ToggleFlagDocument, {
          key: scenario.flagKey,
          environment: PROD,
          on: false,
          comment: 'graphql-request: off',
        }),
        'toggleFlag',
      );
      expect(data.toggleFlag.environments.find((environment) => environment.environment === PROD)?.on).toBe(false);
      const change = await within(received, 'the flagChanged message');
      expect(change.flagChanged).toMatchObject({ key: scenario.flagKey, version: data.toggleFlag.version });
      expect(await latestComment(scenario)).toBe('graphql-request: off');
    } finally {
      sse.dispose();
    }
  });

  it('surfaces GraphQL errors with their extensions.code (CONFLICT, UNAUTHENTICATED)', async () => {
    const stale = await clientError(
      client(scenario.gw.adminKey).request(ToggleFlagDocument, {
        key: scenario.flagKey,
        environment: PROD,
        on: true,
        expectedVersion: 1,
      }),
    );
    expect(stale.response.errors?.[0]?.extensions?.code).toBe('CONFLICT');
    const unknownKey = await clientError(
      client('vxl_eval_not_a_key').request(EvaluateDocument, { key: scenario.flagKey, context: {} }),
    );
    expect(unknownKey.response.status).toBe(401);
    expect(unknownKey.response.errors?.[0]?.extensions?.code).toBe('UNAUTHENTICATED');
  });
});
