/** The open feed subscriptions of a MongoDB store, so closing the store ends every one of them. */
import type { FeedSubscription } from '../types.js';

export class SubscriptionSet {
  private readonly open = new Set<FeedSubscription>();

  /** Wraps a subscription so that closing it also forgets it. */
  track(subscription: FeedSubscription): FeedSubscription {
    const tracked = {
      close: async () => {
        this.open.delete(tracked);
        await subscription.close();
      },
    };
    this.open.add(tracked);
    return tracked;
  }

  async closeAll(): Promise<void> {
    await Promise.all([...this.open].map((subscription) => subscription.close()));
  }
}
