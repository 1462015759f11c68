/**
 * Apollo Client 4 (core only, `@apollo/client/core`, no React) against the default gateway: an
 * HttpLink for queries and mutations, a GraphQLWsLink (graphql-ws) for subscriptions, split by
 * operation type, and the normalized InMemoryCache (Apollo adds `__typename` to every selection).
 */
import { ApolloClient, ApolloLink, CombinedGraphQLErrors, HttpLink, InMemoryCache } from '@apollo/client/core';
import { GraphQLWsLink } from '@apollo/client/link/subscriptions';
import { getMainDefinition } from '@apollo/client/utilities';
import { createClient as createWsClient, type Client as WsClient } from 'graphql-ws';
import WebSocket from 'ws';
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
const sockets: WsClient[] = [];

function apolloClient(key: string): ApolloClient {
  const ws = createWsClient({
    url: scenario.wsUrl,
    webSocketImpl: WebSocket,
    connectionParams: { authorization: `Bearer ${key}` },
    retryAttempts: 0,
  });
  sockets.push(ws);
  const isSubscription = ({ query }: ApolloLink.Operation) => {
    const definition = getMainDefinition(query);
    return definition.kind === 'OperationDefinition' && definition.operation === 'subscription';
  };
  return new ApolloClient({
    link: ApolloLink.split(
      isSubscription,
      new GraphQLWsLink(ws),
      new HttpLink({ uri: scenario.gw.endpoint, headers: { authorization: `Bearer ${key}` } }),
    ),
    // Flags and evaluations are identified by their key, not an `id`.
    cache: new InMemoryCache({ typePolicies: { Flag: { keyFields: ['key'] }, Evaluation: { keyFields: false } } }),
  });
}

beforeAll(async () => {
  scenario = await startScenario('apollo-flag');
});

afterAll(async () => {
  await Promise.all(sockets.map((socket) => socket.dispose()));
  await scenario?.gw.stop();
});

describe('Apollo Client', () => {
  it('evaluates a flag with an evaluation key, query after query', async () => {
    const client = apolloClient(scenario.evalKey);
    for (const [plan, value] of planEvaluations) {
      const result = await within(
        client.query({
          query: EvaluateDocument,
          variables: { key: scenario.flagKey, context: { plan } },
          fetchPolicy: 'network-only',
        }),
        `evaluate for ${plan}`,
      );
      expect(result.error).toBeUndefined();
      expect(result.data?.evaluate).toMatchObject({
        __typename: 'Evaluation',
        key: scenario.flagKey,
        value,
        variation: value ? 'on' : 'off',
        errorCode: null,
      });
    }
  });

  it('reads a flag with the admin key into the normalized cache', async () => {
    const client = apolloClient(scenario.gw.adminKey);
    const result = await within(
      client.query({ query: FlagDocument, variables: { key: scenario.flagKey } }),
      'flag query',
    );
    expect(result.data?.flag).toMatchObject({
      __typename: 'Flag',
      key: scenario.flagKey,
      valueType: 'BOOLEAN',
      archived: false,
    });
    expect(client.cache.identify({ __typename: 'Flag', key: scenario.flagKey })).toBe(
      `Flag:{"key":"${scenario.flagKey}"}`,
    );
  });

  it('toggles a flag with a comment, and a GraphQLWsLink subscription receives the change', async () => {
    const client = apolloClient(scenario.gw.adminKey);
    const received = new Promise<FlagChanged>((resolve, reject) => {
      const subscription = client
        .subscribe({ query: FlagChangedDocument, variables: { keys: [scenario.flagKey] } })
        .subscribe({
          next: (result) => {
            if (result.data) resolve(result.data as FlagChanged);
            else reject(result.error ?? new Error('a message without data'));
            subscription.unsubscribe();
          },
          error: reject,
        });
    });
    await watchersReady(scenario);
    const toggled = await within(
      client.mutate({
        mutation: ToggleFlagDocument,
        variables: { key: scenario.flagKey, environment: PROD, on: false, comment: 'apollo: off' },
      }),
      'toggleFlag',
    );
    expect(toggled.error).toBeUndefined();
    expect(toggled.data?.toggleFlag.environments.find((environment) => environment.environment === PROD)?.on).toBe(
      false,
    );
    const change = await within(received, 'the flagChanged message');
    expect(change.flagChanged).toMatchObject({ key: scenario.flagKey, version: toggled.data?.toggleFlag.version });
    expect(await latestComment(scenario)).toBe('apollo: off');
  });

  it('surfaces GraphQL errors with their extensions.code (CONFLICT, UNAUTHENTICATED)', async () => {
    const stale = await apolloClient(scenario.gw.adminKey)
      .mutate({
        mutation: ToggleFlagDocument,
        variables: { key: scenario.flagKey, environment: PROD, on: true, expectedVersion: 1 },
      })
      .catch((error: unknown) => error);
    expect(CombinedGraphQLErrors.is(stale)).toBe(true);
    expect((stale as CombinedGraphQLErrors).errors[0]?.extensions?.code).toBe('CONFLICT');
    const unknownKey = await apolloClient('vxl_eval_not_a_key')
      .query({ query: EvaluateDocument, variables: { key: scenario.flagKey, context: {} } })
      .catch((error: unknown) => error);
    expect(CombinedGraphQLErrors.is(unknownKey)).toBe(true);
    expect((unknownKey as CombinedGraphQLErrors).errors[0]?.extensions?.code).toBe('UNAUTHENTICATED');
  });
});
