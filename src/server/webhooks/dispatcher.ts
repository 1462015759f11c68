/**
 * The webhook dispatcher: one per gateway process, off the write path. Every `pollMs` it derives
 * deliveries from committed changes (store/webhooks/outbox.ts), claims the due ones with a lease and
 * sends them, at most `concurrency` at a time; a write never waits for it, and a slow receiver only
 * holds one of its slots until the attempt's timeout.
 *
 * Exactly once: each attempt is claimed by one instance (a conditional write), a delivered record is
 * never claimed again, so a restart re-sends nothing delivered. The one at-least-once window: an
 * attempt that reached the receiver, whose result could not be recorded (the process died, the
 * store was unreachable), is sent again once its lease expires, with the same `X-Vexil-Delivery`, by
 * which the receiver can tell.
 */
import { randomUUID } from 'node:crypto';
import type { WebhookStore } from '../../store/webhooks/webhook-store.js';
import type { StoredWebhook, WebhookAttempt, WebhookDelivery } from '../../store/webhooks/model.js';
import { nextAttemptAt } from './backoff.js';
import { sendDelivery } from './sender.js';
import type { WebhookSettings } from './settings.js';

export interface DispatcherOptions extends Omit<WebhookSettings, 'enabled'> {
  /** Identifies this instance's leases. @default a random UUID */
  owner?: string;
  /** The clock (ms since the epoch); tests move it. @default Date.now */
  now?: () => number;
  /** @default Math.random */
  random?: () => number;
  onError?: (error: unknown) => void;
}

/** Derive rounds per tick (500 changes each), so one tick catching up a long log ends and sends. */
const maxDeriveRounds = 20;

/** Extra time a lease holds beyond the attempt's timeout, for recording its result. */
const leaseMarginMs = 30_000;

export class WebhookDispatcher {
  private readonly owner: string;
  private readonly now: () => number;
  private readonly inFlight = new Set<Promise<void>>();
  private timer: NodeJS.Timeout | null = null;
  private running: Promise<void> | null = null;
  private stopped = false;
  /** Aborts the attempts in flight at shutdown (they are recorded as failed and retried). */
  private readonly stopping = new AbortController();

  constructor(
    private readonly webhooks: WebhookStore,
    private readonly options: DispatcherOptions,
  ) {
    this.owner = options.owner ?? randomUUID();
    this.now = options.now ?? Date.now;
  }

  start(): void {
    this.schedule(0);
  }

  private schedule(delayMs: number): void {
    if (this.stopped) return;
    this.timer = setTimeout(() => {
      this.running = this.tick()
        .catch((error: unknown) => this.options.onError?.(error))
        .finally(() => {
          this.running = null;
          this.schedule(this.options.pollMs);
        });
    }, delayMs);
    this.timer.unref();
  }

  /** One round: derive, claim what the free slots allow, start sending. Tests call it directly. */
  async tick(): Promise<void> {
    for (let round = 0; round < maxDeriveRounds && !this.stopped; round += 1) {
      if ((await this.webhooks.derive()).read === 0) break;
    }
    const free = this.options.concurrency - this.inFlight.size;
    if (free <= 0 || this.stopped) return;
    const nowMs = this.now();
    const due = await this.webhooks.claimDue(
      new Date(nowMs).toISOString(),
      this.owner,
      new Date(nowMs + this.options.timeoutMs + leaseMarginMs).toISOString(),
      free,
    );
    if (due.length === 0) return;
    const hooks = new Map((await this.webhooks.listForDelivery()).map((hook) => [hook.id, hook]));
    for (const delivery of due) this.track(this.attempt(hooks.get(delivery.webhookId), delivery));
  }

  private track(attempt: Promise<void>): void {
    const tracked = attempt
      .catch((error: unknown) => this.options.onError?.(error))
      .finally(() => this.inFlight.delete(tracked));
    this.inFlight.add(tracked);
  }

  private async attempt(hook: StoredWebhook | undefined, delivery: WebhookDelivery): Promise<void> {
    const attempt: WebhookAttempt = hook
      ? await sendDelivery(hook.url, hook.secret, delivery, {
          timeoutMs: this.options.timeoutMs,
          now: this.now,
          signal: this.stopping.signal,
        })
      : {
          number: delivery.attempts.length + 1,
          at: new Date(this.now()).toISOString(),
          statusCode: null,
          error: 'the webhook was deleted',
          durationMs: 0,
        };
    const endedMs = this.now();
    const firstAttemptAt = delivery.firstAttemptAt ?? attempt.at;
    const delivered = attempt.statusCode !== null && attempt.statusCode >= 200 && attempt.statusCode < 300;
    const next =
      delivered || !hook ? null : nextAttemptAt(attempt.number, Date.parse(firstAttemptAt), endedMs, this.backoff);
    await this.webhooks.finishAttempt(delivery.id, this.owner, {
      status: delivered ? 'DELIVERED' : next === null ? 'FAILED' : 'PENDING',
      nextAttemptAt: next === null ? null : new Date(next).toISOString(),
      firstAttemptAt,
      attempt,
    });
  }

  private get backoff() {
    const { retryBaseMs, retryCapMs, giveUpMs, random = Math.random } = this.options;
    return { baseMs: retryBaseMs, capMs: retryCapMs, giveUpMs, random };
  }

  /** Stops polling and waits for the attempts in flight (each ends by its timeout at the latest). */
  async stop(): Promise<void> {
    this.stopped = true;
    if (this.timer) clearTimeout(this.timer);
    this.stopping.abort();
    await this.running;
    await Promise.all([...this.inFlight]);
  }
}
