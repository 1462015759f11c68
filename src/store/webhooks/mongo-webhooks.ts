/**
 * Webhooks of the MongoDB store: collections `webhooks` (_id: webhook id) and `webhookDeliveries`
 * (_id: delivery id, `<webhook>:<position>`). No transactions (mongo-java-server, the test server, has
 * none): every step is one conditional single-document write. Inserting a delivery twice fails on its
 * `_id`; a claim is a findOneAndUpdate on "pending, due, lease expired", so of several instances
 * exactly one takes each attempt; an attempt's end is written only while its claimer holds the lease.
 */
import type { Collection, Db } from 'mongodb';
import { guard, isDuplicateKey } from '../mongo/errors.js';
import {
  type AttemptOutcome,
  noLease,
  type StoredWebhook,
  type WebhookDelivery,
  type WebhookPersistence,
} from './model.js';

type WebhookDoc = StoredWebhook & { _id: string };
type DeliveryDoc = WebhookDelivery & { _id: string };

export class MongoWebhooks implements WebhookPersistence {
  private indexes: Promise<unknown> | null = null;

  constructor(private readonly db: () => Db) {}

  private get hooks(): Collection<WebhookDoc> {
    return this.db().collection<WebhookDoc>('webhooks');
  }

  private get deliveries(): Collection<DeliveryDoc> {
    return this.db().collection<DeliveryDoc>('webhookDeliveries');
  }

  /** Indexes are created on first use (idempotently, so concurrent instances are fine). */
  private run<T>(doing: string, operation: () => Promise<T>): Promise<T> {
    return guard(doing, async () => {
      this.indexes ??= this.deliveries
        .createIndexes([
          { key: { webhookId: 1, position: -1 }, name: 'deliveries_by_webhook' },
          { key: { status: 1, nextAttemptAt: 1 }, name: 'deliveries_due' },
        ])
        .catch((error: unknown) => {
          this.indexes = null;
          throw error;
        });
      await this.indexes;
      return operation();
    });
  }

  async insertWebhook(webhook: StoredWebhook): Promise<void> {
    await this.run('creating a webhook', () => this.hooks.insertOne({ _id: webhook.id, ...webhook }));
  }

  async listWebhooks(): Promise<StoredWebhook[]> {
    return this.run('listing webhooks', async () =>
      (await this.hooks.find({}).sort({ createdAt: 1 }).toArray()).map(({ _id, ...webhook }) => webhook),
    );
  }

  async deleteWebhook(id: string): Promise<boolean> {
    return this.run('deleting a webhook', async () => {
      const { deletedCount } = await this.hooks.deleteOne({ _id: id });
      await this.deliveries.deleteMany({ webhookId: id });
      return deletedCount === 1;
    });
  }

  async advanceCursor(id: string, from: number, to: number): Promise<boolean> {
    return this.run('moving a webhook cursor', async () => {
      const { modifiedCount } = await this.hooks.updateOne({ _id: id, cursor: from }, { $set: { cursor: to } });
      return modifiedCount === 1;
    });
  }

  async insertDeliveries(deliveries: readonly WebhookDelivery[]): Promise<void> {
    await this.run('queueing webhook deliveries', async () => {
      // Another instance may have derived some of them: those inserts fail on _id and are fine.
      await this.deliveries
        .insertMany(
          deliveries.map((delivery) => ({ _id: delivery.id, ...delivery })),
          { ordered: false },
        )
        .catch((error: { writeErrors?: unknown[] }) => {
          const errors = Array.isArray(error.writeErrors) ? error.writeErrors : [error];
          if (!errors.every(isDuplicateKey) && !isDuplicateKey(error)) throw error;
        });
    });
  }

  async claimDue(now: string, owner: string, leaseUntil: string, limit: number): Promise<WebhookDelivery[]> {
    return this.run('claiming webhook deliveries', async () => {
      const claimed: WebhookDelivery[] = [];
      while (claimed.length < limit) {
        const taken = await this.deliveries.findOneAndUpdate(
          { status: 'PENDING', nextAttemptAt: { $lte: now }, leaseUntil: { $lte: now } },
          { $set: { leaseOwner: owner, leaseUntil } },
          { sort: { nextAttemptAt: 1 }, returnDocument: 'after' },
        );
        if (!taken) break;
        const { _id, ...delivery } = taken;
        claimed.push(delivery);
      }
      return claimed;
    });
  }

  async finishAttempt(id: string, owner: string, outcome: AttemptOutcome): Promise<boolean> {
    return this.run('recording a webhook attempt', async () => {
      const { modifiedCount } = await this.deliveries.updateOne(
        { _id: id, leaseOwner: owner, status: 'PENDING' },
        {
          $set: {
            status: outcome.status,
            nextAttemptAt: outcome.nextAttemptAt,
            firstAttemptAt: outcome.firstAttemptAt,
            leaseOwner: null,
            leaseUntil: noLease,
          },
          $push: { attempts: outcome.attempt },
        },
      );
      return modifiedCount === 1;
    });
  }

  async listDeliveries(webhookId: string, first: number): Promise<WebhookDelivery[]> {
    return this.run('listing webhook deliveries', async () =>
      (await this.deliveries.find({ webhookId }).sort({ position: -1 }).limit(first).toArray()).map(
        ({ _id, ...delivery }) => delivery,
      ),
    );
  }

  async latestPosition(): Promise<number> {
    return this.run('reading the feed position', async () => {
      const counter = await this.db()
        .collection<{ _id: string; position: number }>('counters')
        .findOne({ _id: 'feed' });
      return counter?.position ?? 0;
    });
  }
}
