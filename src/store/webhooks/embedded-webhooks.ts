/**
 * Webhooks of the embedded store: one LMDB database, `webhooks`, with three key families:
 *
 *   ['hook', id]                          → StoredWebhook
 *   ['delivery', webhookId, position]     → WebhookDelivery
 *   ['pending', deliveryId]               → [webhookId, position] (the deliveries still to send)
 *
 * Every write is one lmdb-js child transaction, so a claim (check the lease, take it) is atomic; the
 * directory lock allows one process per store, so only this process's dispatcher claims anyway.
 */
import type { Database, RootDatabase } from 'lmdb';
import { metaKeys } from '../embedded/keys.js';
import type { Databases } from '../embedded/commit.js';
import { StoreUnavailable } from '../types.js';
import {
  type AttemptOutcome,
  noLease,
  type StoredWebhook,
  type WebhookDelivery,
  type WebhookPersistence,
} from './model.js';

type DeliveryKey = ['delivery', string, number];

export class EmbeddedWebhooks implements WebhookPersistence {
  private database: { root: RootDatabase; db: Database } | null = null;

  constructor(private readonly state: () => { root: RootDatabase; db: Databases }) {}

  private get open(): { root: RootDatabase; db: Database; meta: Database } {
    const { root, db } = this.state();
    if (this.database?.root !== root) this.database = { root, db: root.openDB({ name: 'webhooks' }) };
    return { root, db: this.database.db, meta: db.meta };
  }

  private async write<T>(body: (db: Database) => T): Promise<T> {
    const { root, db } = this.open;
    try {
      return await root.childTransaction(() => body(db));
    } catch (error) {
      throw new StoreUnavailable(`the embedded store could not write webhooks: ${(error as Error).message}`, {
        cause: error,
      });
    }
  }

  async insertWebhook(webhook: StoredWebhook): Promise<void> {
    await this.write((db) => db.putSync(['hook', webhook.id], webhook));
  }

  async listWebhooks(): Promise<StoredWebhook[]> {
    const { db } = this.open;
    return [...db.getRange({ start: ['hook'], end: ['hook', '\uffff'] })].map(({ value }) => value as StoredWebhook);
  }

  async deleteWebhook(id: string): Promise<boolean> {
    return this.write((db) => {
      if (db.get(['hook', id]) === undefined) return false;
      db.removeSync(['hook', id]);
      for (const { key, value } of db.getRange({
        start: ['delivery', id],
        end: ['delivery', id, Number.MAX_SAFE_INTEGER],
      })) {
        db.removeSync(['pending', (value as WebhookDelivery).id]);
        db.removeSync(key);
      }
      return true;
    });
  }

  async advanceCursor(id: string, from: number, to: number): Promise<boolean> {
    return this.write((db) => {
      const webhook = db.get(['hook', id]) as StoredWebhook | undefined;
      if (!webhook || webhook.cursor !== from) return false;
      db.putSync(['hook', id], { ...webhook, cursor: to });
      return true;
    });
  }

  async insertDeliveries(deliveries: readonly WebhookDelivery[]): Promise<void> {
    await this.write((db) => {
      for (const delivery of deliveries) {
        const key: DeliveryKey = ['delivery', delivery.webhookId, delivery.position];
        if (db.get(['hook', delivery.webhookId]) === undefined || db.get(key) !== undefined) continue;
        db.putSync(key, delivery);
        db.putSync(['pending', delivery.id], [delivery.webhookId, delivery.position]);
      }
    });
  }

  async claimDue(now: string, owner: string, leaseUntil: string, limit: number): Promise<WebhookDelivery[]> {
    return this.write((db) => {
      const claimed: WebhookDelivery[] = [];
      for (const { value } of db.getRange({ start: ['pending'], end: ['pending', '\uffff'] })) {
        if (claimed.length >= limit) break;
        const [webhookId, position] = value as [string, number];
        const key: DeliveryKey = ['delivery', webhookId, position];
        const delivery = db.get(key) as WebhookDelivery | undefined;
        if (!delivery || !isDue(delivery, now)) continue;
        const taken = { ...delivery, leaseOwner: owner, leaseUntil };
        db.putSync(key, taken);
        claimed.push(taken);
      }
      return claimed;
    });
  }

  async finishAttempt(id: string, owner: string, outcome: AttemptOutcome): Promise<boolean> {
    return this.write((db) => {
      const location = db.get(['pending', id]) as [string, number] | undefined;
      if (!location) return false;
      const key: DeliveryKey = ['delivery', location[0], location[1]];
      const delivery = db.get(key) as WebhookDelivery | undefined;
      if (!delivery || delivery.leaseOwner !== owner || delivery.status !== 'PENDING') return false;
      db.putSync(key, finished(delivery, outcome));
      if (outcome.status !== 'PENDING') db.removeSync(['pending', id]);
      return true;
    });
  }

  async listDeliveries(webhookId: string, first: number): Promise<WebhookDelivery[]> {
    const { db } = this.open;
    const range = db.getRange({
      start: ['delivery', webhookId, Number.MAX_SAFE_INTEGER],
      end: ['delivery', webhookId],
      reverse: true,
      limit: first,
    });
    return [...range].map(({ value }) => value as WebhookDelivery);
  }

  async latestPosition(): Promise<number> {
    return (this.open.meta.get(metaKeys.lastPosition) as number | undefined) ?? 0;
  }
}

/** Pending, due, and nobody's lease runs (ISO-8601 strings of one format compare as instants). */
export function isDue(delivery: WebhookDelivery, now: string): boolean {
  return (
    delivery.status === 'PENDING' &&
    delivery.nextAttemptAt !== null &&
    delivery.nextAttemptAt <= now &&
    delivery.leaseUntil <= now
  );
}

/** The delivery after an attempt: the attempt appended, the lease given back. */
export function finished(delivery: WebhookDelivery, outcome: AttemptOutcome): WebhookDelivery {
  return {
    ...delivery,
    status: outcome.status,
    nextAttemptAt: outcome.nextAttemptAt,
    firstAttemptAt: delivery.firstAttemptAt ?? outcome.firstAttemptAt,
    leaseOwner: null,
    leaseUntil: noLease,
    attempts: [...delivery.attempts, outcome.attempt],
  };
}
