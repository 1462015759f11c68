/**
 * Webhooks in the store: creating (validated, with a fresh signing secret shown once), listing,
 * deleting, reading deliveries, and the outbox operations the dispatcher uses.
 */
import { randomBytes, randomUUID } from 'node:crypto';
import { ValidationError } from '../../flags/errors.js';
import { StoreUnavailable, type StoreBackend } from '../types.js';
import {
  type AttemptOutcome,
  type StoredWebhook,
  type Webhook,
  type WebhookDelivery,
  type WebhookEvent,
  type WebhookPersistence,
  webhookEvents,
  withoutSecret,
} from './model.js';
import { type DeriveResult, deriveDeliveries } from './outbox.js';

export interface WebhookInput {
  url: string;
  events: readonly string[];
  environment?: string | null;
}

export class WebhookStore {
  constructor(
    private readonly backend: StoreBackend,
    private readonly now: () => string,
  ) {}

  private get persistence(): WebhookPersistence {
    const persistence = this.backend.webhooks;
    if (!persistence) throw new StoreUnavailable(`the ${this.backend.name} store does not keep webhooks`);
    return persistence;
  }

  /** Validates and stores a webhook; the secret is returned here and never again. */
  async create(input: WebhookInput, actor: string): Promise<{ webhook: Webhook; secret: string }> {
    const environment = await this.checkInput(input);
    const webhook: StoredWebhook = {
      id: randomUUID(),
      url: new URL(input.url).href,
      events: [...new Set(input.events as WebhookEvent[])],
      environment,
      secret: `whsec_${randomBytes(32).toString('base64url')}`,
      createdAt: this.now(),
      actor,
      cursor: await this.persistence.latestPosition(),
    };
    await this.persistence.insertWebhook(webhook);
    return { webhook: withoutSecret(webhook), secret: webhook.secret };
  }

  private async checkInput(input: WebhookInput): Promise<string | null> {
    if (!isWebUrl(input.url)) invalid('url', 'the url must be an absolute http:// or https:// URL');
    if (input.events.length === 0) invalid('events', 'a webhook needs at least one event');
    const unknown = input.events.find((event) => !(webhookEvents as readonly string[]).includes(event));
    if (unknown !== undefined) invalid('events', `'${unknown}' is not a webhook event`);
    const environment = input.environment ?? null;
    if (environment !== null && !(await this.backend.get({ kind: 'environment', key: environment })))
      invalid('environment', `there is no environment '${environment}'`);
    return environment;
  }

  async list(): Promise<Webhook[]> {
    return (await this.persistence.listWebhooks()).map(withoutSecret);
  }

  /** The stored webhooks with their secrets, for the dispatcher only. */
  async listForDelivery(): Promise<StoredWebhook[]> {
    return this.persistence.listWebhooks();
  }

  async delete(id: string): Promise<boolean> {
    return this.persistence.deleteWebhook(id);
  }

  async deliveries(webhookId: string, first = 20): Promise<WebhookDelivery[]> {
    return this.persistence.listDeliveries(webhookId, Math.max(1, Math.min(Math.floor(first) || 1, 500)));
  }

  /** Turns committed changes into deliveries (see outbox.ts). */
  async derive(): Promise<DeriveResult> {
    return deriveDeliveries(this.backend, this.persistence, this.now());
  }

  async claimDue(now: string, owner: string, leaseUntil: string, limit: number): Promise<WebhookDelivery[]> {
    return this.persistence.claimDue(now, owner, leaseUntil, limit);
  }

  async finishAttempt(id: string, owner: string, outcome: AttemptOutcome): Promise<boolean> {
    return this.persistence.finishAttempt(id, owner, outcome);
  }
}

function isWebUrl(text: string): boolean {
  if (!URL.canParse(text)) return false;
  const url = new URL(text);
  return (url.protocol === 'http:' || url.protocol === 'https:') && url.hostname !== '';
}

function invalid(path: string, message: string): never {
  throw new ValidationError([{ path, message, code: 'VALIDATION' }]);
}
