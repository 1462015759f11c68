/** Limits on live subscriptions per API key and per connection, so one client cannot hold the server's memory. */
import type { GraphQLError } from 'graphql';
import { apiError } from '../errors.js';

export interface SubscriberIdentity {
  keyId: string;
  /** The WebSocket, or the HTTP request of an SSE stream. */
  connection: object;
}

export class SubscriptionLimits {
  private readonly perKey = new Map<string, number>();
  private readonly perConnection = new WeakMap<object, number>();

  constructor(
    private readonly maxPerKey: number,
    private readonly maxPerConnection: number,
  ) {}

  acquire({ keyId, connection }: SubscriberIdentity): void {
    const forKey = this.perKey.get(keyId) ?? 0;
    const forConnection = this.perConnection.get(connection) ?? 0;
    if (forKey >= this.maxPerKey)
      throw limitError(`this key already has ${this.maxPerKey} live subscriptions (VEXIL_MAX_SUBSCRIPTIONS_PER_KEY)`);
    if (forConnection >= this.maxPerConnection)
      throw limitError(
        `this connection already has ${this.maxPerConnection} live subscriptions (VEXIL_MAX_SUBSCRIPTIONS_PER_CONNECTION)`,
      );
    this.perKey.set(keyId, forKey + 1);
    this.perConnection.set(connection, forConnection + 1);
  }

  release({ keyId, connection }: SubscriberIdentity): void {
    const forKey = (this.perKey.get(keyId) ?? 1) - 1;
    if (forKey <= 0) this.perKey.delete(keyId);
    else this.perKey.set(keyId, forKey);
    this.perConnection.set(connection, Math.max(0, (this.perConnection.get(connection) ?? 1) - 1));
  }
}

function limitError(message: string): GraphQLError {
  return apiError('SUBSCRIPTION_LIMIT', message);
}
