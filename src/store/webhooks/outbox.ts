/**
 * Deriving deliveries from the change log: for each webhook, the changes after its cursor that it
 * wants become deliveries (inserted if absent), then the cursor moves on with a compare-and-set.
 * Several instances may do this at once: they derive the same ids, and only one moves each cursor.
 * Each webhook has its own cursor, set to the feed's last position when it is created, so a webhook
 * created while another instance is deriving cannot miss a change nor get one from before it existed.
 */
import type { StoreBackend } from '../types.js';
import type { StoredWebhook, WebhookPersistence } from './model.js';
import { wants } from './model.js';
import { newDelivery } from './payload.js';

const changesPerRound = 500;

export interface DeriveResult {
  /** Changes read past the webhooks' cursors (0: every webhook is caught up). */
  read: number;
  /** Webhooks whose changes were pruned by retention before they were derived. */
  tooOld: string[];
}

/** One round over every webhook; call it until `read` is 0 to catch up. */
export async function deriveDeliveries(
  backend: StoreBackend,
  persistence: WebhookPersistence,
  now: string,
): Promise<DeriveResult> {
  const result: DeriveResult = { read: 0, tooOld: [] };
  for (const webhook of await persistence.listWebhooks()) {
    const derived = await deriveFor(backend, persistence, webhook, now);
    if (derived === 'too-old') result.tooOld.push(webhook.id);
    else result.read += derived;
  }
  return result;
}

async function deriveFor(
  backend: StoreBackend,
  persistence: WebhookPersistence,
  webhook: StoredWebhook,
  now: string,
): Promise<number | 'too-old'> {
  const changes = await backend.changesSince(webhook.cursor, changesPerRound);
  if (changes === 'too-old') return 'too-old';
  const last = changes.at(-1);
  if (!last) return 0;
  const deliveries = changes
    .filter((record) => wants(webhook, record))
    .map((record) => newDelivery(webhook, record, now));
  if (deliveries.length > 0) await persistence.insertDeliveries(deliveries);
  await persistence.advanceCursor(webhook.id, webhook.cursor, last.position);
  return changes.length;
}
