/** GraphQL helpers of the webhook tests: create a webhook, read its deliveries. */
import type { TypedDocumentNode } from '@graphql-typed-document-node/core';
import {
  CreateWebhookDocument,
  type WebhookEvent,
  type WebhooksQuery,
  WebhooksDocument,
} from '../../src/client/generated/graphql.js';
import { dataOf, type GqlResult } from './gateway.js';

type Gql = <TResult, TVariables>(
  document: TypedDocumentNode<TResult, TVariables> | string,
  variables?: TVariables,
  key?: string | null,
) => Promise<GqlResult<TResult>>;

export type DeliveryView = WebhooksQuery['webhooks'][number]['deliveries'][number];

export async function createWebhook(
  gql: Gql,
  url: string,
  events: WebhookEvent[] = ['ALL'],
  environment?: string,
): Promise<{ id: string; secret: string }> {
  const created = dataOf(
    await gql(CreateWebhookDocument, { url, events, ...(environment ? { environment } : {}) }),
  ).createWebhook;
  return { id: created.webhook.id, secret: created.secret };
}

/** The deliveries of webhook `id`, newest first. */
export async function deliveriesOf(gql: Gql, id: string): Promise<DeliveryView[]> {
  const { webhooks } = dataOf(await gql(WebhooksDocument, { first: 100 }));
  return webhooks.find((webhook) => webhook.id === id)?.deliveries ?? [];
}
