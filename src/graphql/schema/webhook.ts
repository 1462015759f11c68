/**
 * Webhooks (admin keys only: a webhook's URL may carry a receiver's token). The signing secret is
 * returned by `createWebhook` once; the store keeps it to sign deliveries but never returns it again.
 */
import { webhookEvents, type Webhook, type WebhookAttempt, type WebhookDelivery } from '../../store/webhooks/model.js';
import { actorOf, requireAdmin } from '../access.js';
import { builder } from '../builder.js';
import { apiError, mapErrors } from '../errors.js';

const WebhookEventEnum = builder.enumType('WebhookEvent', {
  description: 'A kind of committed change, named after the audit entry (kind and action); ALL for every one.',
  values: webhookEvents,
});

const DeliveryStatusEnum = builder.enumType('WebhookDeliveryStatus', {
  values: {
    PENDING: { description: 'Not delivered yet: the first attempt or a retry is due at nextAttemptAt.' },
    DELIVERED: { description: 'The receiver answered 2xx.' },
    FAILED: { description: 'Given up: no 2xx within 24 h of the first attempt (or the webhook was deleted).' },
  } as const,
});

const AttemptRef = builder.objectRef<WebhookAttempt>('WebhookAttempt').implement({
  fields: (t) => ({
    number: t.exposeInt('number', { description: '1 for the first attempt.' }),
    at: t.exposeString('at'),
    statusCode: t.exposeInt('statusCode', { nullable: true, description: 'Null when no answer came.' }),
    error: t.exposeString('error', { nullable: true }),
    durationMs: t.exposeInt('durationMs'),
  }),
});

const DeliveryRef = builder.objectRef<WebhookDelivery>('WebhookDelivery').implement({
  fields: (t) => ({
    id: t.exposeID('id', { description: 'Sent as X-Vexil-Delivery; the same on every attempt.' }),
    event: t.field({ type: WebhookEventEnum, resolve: (delivery) => delivery.event }),
    position: t.exposeInt('position', { description: 'The change in the audit log.' }),
    status: t.field({ type: DeliveryStatusEnum, resolve: (delivery) => delivery.status }),
    createdAt: t.exposeString('createdAt'),
    nextAttemptAt: t.exposeString('nextAttemptAt', { nullable: true, description: 'The next retry; null once done.' }),
    attempts: t.field({ type: [AttemptRef], resolve: (delivery) => delivery.attempts }),
  }),
});

const WebhookRef = builder.objectRef<Webhook>('Webhook').implement({
  fields: (t) => ({
    id: t.exposeID('id'),
    url: t.exposeString('url'),
    events: t.field({ type: [WebhookEventEnum], resolve: (webhook) => webhook.events }),
    environment: t.exposeString('environment', {
      nullable: true,
      description: 'Only changes of this environment and flag-wide changes; null for all.',
    }),
    createdAt: t.exposeString('createdAt'),
    deliveries: t.field({
      type: [DeliveryRef],
      description: 'The latest deliveries, newest first, with every attempt.',
      args: { first: t.arg.int({ defaultValue: 20 }) },
      resolve: (webhook, args, context) =>
        mapErrors(() => context.services.store.webhooks.deliveries(webhook.id, args.first ?? 20)),
    }),
  }),
});

const CreatedWebhookRef = builder.objectRef<{ webhook: Webhook; secret: string }>('CreatedWebhook').implement({
  fields: (t) => ({
    webhook: t.field({ type: WebhookRef, resolve: (created) => created.webhook }),
    secret: t.exposeString('secret', {
      description: 'Signs every delivery (X-Vexil-Signature). Shown only this once.',
    }),
  }),
});

builder.queryField('webhooks', (t) =>
  t.field({
    type: [WebhookRef],
    resolve: (_root, _args, context) => {
      requireAdmin(context);
      return mapErrors(() => context.services.store.webhooks.list());
    },
  }),
);

builder.mutationField('createWebhook', (t) =>
  t.field({
    type: CreatedWebhookRef,
    args: {
      url: t.arg.string({ required: true }),
      events: t.arg({ type: [WebhookEventEnum], required: true }),
      environment: t.arg.string(),
    },
    resolve: (_root, args, context) => {
      const principal = requireAdmin(context);
      return mapErrors(() =>
        context.services.store.webhooks.create(
          { url: args.url, events: args.events, environment: args.environment ?? null },
          actorOf(principal),
        ),
      );
    },
  }),
);

builder.mutationField('deleteWebhook', (t) =>
  t.field({
    type: 'Boolean',
    description: 'Deletes the webhook and its deliveries (pending ones are not sent).',
    args: { id: t.arg.id({ required: true }) },
    resolve: async (_root, args, context) => {
      requireAdmin(context);
      const deleted = await mapErrors(() => context.services.store.webhooks.delete(String(args.id)));
      if (!deleted) throw apiError('NOT_FOUND', `webhook '${String(args.id)}' does not exist`);
      return true;
    },
  }),
);
