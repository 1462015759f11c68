/**
 * The JSON body of a delivery. It is built once, when the delivery is derived, and stored: every
 * attempt sends (and signs) the very same bytes, so a receiver can verify and dedupe any of them.
 */
import type { ChangeRecord } from '../types.js';
import { deliveryId, eventOf, noLease, type StoredWebhook, type WebhookDelivery } from './model.js';

/** What a receiver gets; documented in the README (Webhooks). */
export interface DeliveryBody {
  /** Also in `X-Vexil-Delivery`: the same on every retry of this delivery. */
  id: string;
  event: string;
  webhookId: string;
  /** The change's position in the change feed (and audit log). */
  position: number;
  /** The flag's key for flag changes, else null. */
  flagKey: string | null;
  /** The document's version after the change. */
  version: number;
  /** When the change was committed (ISO-8601). */
  timestamp: string;
  change: {
    kind: string;
    key: string;
    environment: string | null;
    action: string;
    actor: string;
    comment: string | null;
    before: unknown;
    after: unknown;
  };
}

export function deliveryBody(webhookId: string, record: ChangeRecord): DeliveryBody {
  return {
    id: deliveryId(webhookId, record.position),
    event: eventOf(record) ?? 'ALL',
    webhookId,
    position: record.position,
    flagKey: record.ref.kind === 'flag' ? record.ref.key : null,
    version: record.version,
    timestamp: record.at,
    change: {
      kind: record.ref.kind,
      key: record.ref.key,
      environment: record.ref.environment ?? record.environment ?? null,
      action: record.action,
      actor: record.actor,
      comment: record.comment,
      before: record.before,
      after: record.after,
    },
  };
}

/** A new, pending delivery of `record` to `webhook`, due at once. */
export function newDelivery(webhook: StoredWebhook, record: ChangeRecord, now: string): WebhookDelivery {
  const body = deliveryBody(webhook.id, record);
  return {
    id: body.id,
    webhookId: webhook.id,
    position: record.position,
    event: eventOf(record) ?? 'ALL',
    body: JSON.stringify(body),
    status: 'PENDING',
    createdAt: now,
    firstAttemptAt: null,
    nextAttemptAt: now,
    leaseOwner: null,
    leaseUntil: noLease,
    attempts: [],
  };
}
