/**
 * Webhooks as the store keeps them, and their deliveries: the outbox of the dispatcher
 * (server/webhooks/). Both backends persist these through `WebhookPersistence`.
 *
 * The change record a commit writes (the audit entry) is the outbox entry: it is written in the same
 * commit as the change itself, on both stores, so no crash can commit a change without it. Deliveries
 * are derived from the change log after each webhook's own cursor, with the id `<webhook>:<position>`,
 * inserted only if absent: any number of instances may derive them, each delivery exists once.
 */
import type { ChangeRecord } from '../types.js';
import { environmentOf } from '../types.js';

/** The change kinds a webhook can subscribe to (`ALL`: every one of them). */
export const webhookEvents = [
  'ALL',
  'FLAG_CREATED',
  'FLAG_UPDATED',
  'FLAG_TOGGLED',
  'FLAG_ARCHIVED',
  'FLAG_RESTORED',
  'FLAG_DELETED',
  'SEGMENT_CREATED',
  'SEGMENT_UPDATED',
  'SEGMENT_DELETED',
  'ENVIRONMENT_CREATED',
] as const;
export type WebhookEvent = (typeof webhookEvents)[number];

/** A webhook as stored. The secret is kept (HMAC needs it), but never returned after creation. */
export interface StoredWebhook {
  id: string;
  url: string;
  events: WebhookEvent[];
  /** Only changes of this environment (and flag-wide changes); null for every change. */
  environment: string | null;
  secret: string;
  createdAt: string;
  actor: string;
  /** Every change at or below this feed position has its deliveries derived. */
  cursor: number;
}

/** A webhook as the API shows it: without the secret. */
export type Webhook = Omit<StoredWebhook, 'secret'>;

export type DeliveryStatus = 'PENDING' | 'DELIVERED' | 'FAILED';

export interface WebhookAttempt {
  number: number;
  at: string;
  /** The receiver's HTTP status; null when no response came (refused, timed out). */
  statusCode: number | null;
  error: string | null;
  durationMs: number;
}

export interface WebhookDelivery {
  /** `<webhook id>:<feed position>`: unique, so deriving it twice inserts it once. */
  id: string;
  webhookId: string;
  position: number;
  event: WebhookEvent;
  /** The exact JSON text sent (and signed) on every attempt. */
  body: string;
  status: DeliveryStatus;
  createdAt: string;
  firstAttemptAt: string | null;
  /** When the next attempt is due; null once delivered or failed. */
  nextAttemptAt: string | null;
  /** The instance sending the current attempt, and until when that claim holds. */
  leaseOwner: string | null;
  leaseUntil: string;
  attempts: WebhookAttempt[];
}

/** What an attempt's end writes to its delivery. */
export interface AttemptOutcome {
  status: DeliveryStatus;
  nextAttemptAt: string | null;
  firstAttemptAt: string;
  attempt: WebhookAttempt;
}

/** Before every instant: the lease of a delivery nobody holds. */
export const noLease = new Date(0).toISOString();

/** The persistence each backend provides (embedded: LMDB; MongoDB: conditional single-document writes). */
export interface WebhookPersistence {
  insertWebhook(webhook: StoredWebhook): Promise<void>;
  listWebhooks(): Promise<StoredWebhook[]>;
  /** Deletes the webhook and its deliveries; false when there was none. */
  deleteWebhook(id: string): Promise<boolean>;
  /** Moves a webhook's cursor from `from` to `to`; false when another instance moved it first. */
  advanceCursor(id: string, from: number, to: number): Promise<boolean>;
  /** Inserts the deliveries that do not exist yet (by id); existing ones are left as they are. */
  insertDeliveries(deliveries: readonly WebhookDelivery[]): Promise<void>;
  /**
   * Claims up to `limit` pending deliveries due at `now` whose lease has expired, each with one
   * conditional write, so that of several instances exactly one gets each.
   */
  claimDue(now: string, owner: string, leaseUntil: string, limit: number): Promise<WebhookDelivery[]>;
  /** Records an attempt, only while `owner` still holds the delivery's lease; false otherwise. */
  finishAttempt(id: string, owner: string, outcome: AttemptOutcome): Promise<boolean>;
  /** The webhook's deliveries, newest first. */
  listDeliveries(webhookId: string, first: number): Promise<WebhookDelivery[]>;
  /** The last position of the change feed (a new webhook starts after it). */
  latestPosition(): Promise<number>;
}

const pastTense: Record<ChangeRecord['action'], string> = {
  create: 'CREATED',
  update: 'UPDATED',
  delete: 'DELETED',
  archive: 'ARCHIVED',
  restore: 'RESTORED',
  toggle: 'TOGGLED',
  revoke: 'REVOKED',
};

/** The event of a change; null for changes webhooks never see (API keys: their hashes stay inside). */
export function eventOf(record: ChangeRecord): WebhookEvent | null {
  if (record.ref.kind === 'apiKey') return null;
  const event = `${record.ref.kind.toUpperCase()}_${pastTense[record.action]}`;
  return (webhookEvents as readonly string[]).includes(event) ? (event as WebhookEvent) : null;
}

/** Whether `webhook` wants `record`: one of its events, and its environment or a flag-wide change. */
export function wants(webhook: Pick<StoredWebhook, 'events' | 'environment'>, record: ChangeRecord): boolean {
  const event = eventOf(record);
  if (event === null) return false;
  if (!webhook.events.includes('ALL') && !webhook.events.includes(event)) return false;
  if (webhook.environment === null) return true;
  if (record.ref.kind === 'environment') return record.ref.key === webhook.environment;
  const scope = environmentOf(record);
  return scope === null || scope === webhook.environment;
}

export function deliveryId(webhookId: string, position: number): string {
  return `${webhookId}:${position}`;
}

export function withoutSecret({ secret: _secret, ...webhook }: StoredWebhook): Webhook {
  return webhook;
}
