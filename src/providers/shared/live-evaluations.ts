/**
 * The evaluations of one context, kept current by `evaluationsChanged`: its first message is every
 * flag (so a reconnection resynchronises by replacing the cache with it), later ones only the flags
 * that changed. When the stream drops the last values stay served (as STALE), the listener hears
 * `stale`, then `error` once `errorAfterMs` passed without a stream, and reconnection is retried with
 * exponential backoff and jitter until it succeeds. A refusal (bad key, invalid context) is final.
 */
import { Backoff, type BackoffOptions } from './backoff.js';
import { type BootstrapDocument, bootstrapEvaluations } from './bootstrap-document.js';
import { EvaluationCache, type RemoteEvaluation } from './evaluation-cache.js';
import { type GraphqlError, SubscriptionRefused, subscribeOverSse } from './sse-subscription.js';

const EVALUATIONS_CHANGED = `subscription VexilProvider($context: JSON!, $environment: String) {
  evaluationsChanged(context: $context, environment: $environment) {
    changedKeys
    evaluations { key value variation reason ruleId errorCode errorMessage }
  }
}`;

export interface LiveOptions {
  /** The gateway's base URL (`https://flags.example.com`); the provider talks to `<url>/graphql`. */
  url: string;
  /** An evaluation key (`vxl_eval_…`), bound to one environment. */
  apiKey: string;
  /** Only for admin keys, which are bound to no environment. */
  environment?: string;
  /** Values served until the first load, and while the gateway cannot be reached at start. */
  bootstrap?: BootstrapDocument;
  /** Time without a stream after which the provider reports PROVIDER_ERROR (it keeps serving the last values). @default 30000 */
  errorAfterMs?: number;
  /** Reconnection delays. @default { initialMs: 500, maxMs: 30000 } */
  backoff?: BackoffOptions;
  /** For tests and instrumentation. @default globalThis.fetch */
  fetch?: typeof globalThis.fetch;
}

export interface LiveListener {
  /** Values are current again after a drop (or for the first time after a bootstrap). */
  ready(): void;
  changed(keys: string[]): void;
  stale(message: string): void;
  error(message: string): void;
}

/** Why a subscription can never succeed, in OpenFeature's error codes. */
export interface Refusal {
  errorCode: 'INVALID_CONTEXT' | 'GENERAL';
  message: string;
}

function refusalOf(errors: readonly GraphqlError[], status?: number): Refusal {
  const first = errors[0];
  const message = first?.message ?? `the gateway refused the subscription (${status})`;
  return { errorCode: first?.extensions?.code === 'VALIDATION' ? 'INVALID_CONTEXT' : 'GENERAL', message };
}

/**
 * Codes that no retry can change (the key, the environment or the context is wrong). Anything else
 * (SHUTTING_DOWN from a gateway stopping, SLOW_CONSUMER, STORE_UNAVAILABLE, …) is a drop: reconnect.
 */
const finalCodes = new Set(['UNAUTHENTICATED', 'FORBIDDEN', 'NOT_FOUND', 'VALIDATION', 'GRAPHQL_VALIDATION_FAILED']);

function isFinal(errors: readonly GraphqlError[]): boolean {
  return errors.some((error) => finalCodes.has(error.extensions?.code ?? ''));
}

interface Update {
  changedKeys: string[];
  evaluations: RemoteEvaluation[];
}

export class LiveEvaluations {
  readonly cache = new EvaluationCache();
  /** Set when the gateway refused this subscription: evaluations answer this error. */
  refusal: Refusal | null = null;
  private readonly backoff: Backoff;
  private unsubscribe: (() => void) | null = null;
  private firstMessage = true;
  private everLoaded = false;
  private down = false;
  private closed = false;
  private retryTimer: ReturnType<typeof setTimeout> | undefined;
  private errorTimer: ReturnType<typeof setTimeout> | undefined;
  private settle: { resolve(): void; reject(error: Error): void } | null = null;

  constructor(
    private readonly options: LiveOptions,
    private readonly context: Record<string, unknown>,
    private readonly listener: LiveListener,
  ) {
    this.backoff = new Backoff(options.backoff);
    if (options.bootstrap) this.cache.replace(bootstrapEvaluations(options.bootstrap), 'bootstrap');
  }

  /** Resolves at the first message (at once with a bootstrap document); rejects when the first attempt fails. */
  start(): Promise<void> {
    const started = new Promise<void>((resolve, reject) => {
      this.settle = { resolve, reject };
    });
    this.connect();
    if (this.options.bootstrap) this.settleWith(null);
    return started;
  }

  /** Whether there are values to serve: a first message arrived, or a bootstrap document was given. */
  get loaded(): boolean {
    return this.everLoaded || this.options.bootstrap !== undefined;
  }

  close(): void {
    this.closed = true;
    this.unsubscribe?.();
    clearTimeout(this.retryTimer);
    clearTimeout(this.errorTimer);
  }

  private connect(): void {
    if (this.closed) return;
    this.firstMessage = true;
    const variables = {
      context: this.context,
      ...(this.options.environment ? { environment: this.options.environment } : {}),
    };
    this.unsubscribe = subscribeOverSse<{ evaluationsChanged: Update }>(
      {
        endpoint: `${this.options.url.replace(/\/$/, '')}/graphql`,
        query: EVALUATIONS_CHANGED,
        variables,
        headers: { authorization: `Bearer ${this.options.apiKey}` },
        fetch: this.options.fetch ?? globalThis.fetch.bind(globalThis),
      },
      {
        next: (result) => {
          const errors = result.errors ?? [];
          if (result.data && !errors.length) return this.receive(result.data.evaluationsChanged);
          this.unsubscribe?.();
          if (isFinal(errors)) this.refuse(refusalOf(errors));
          else this.dropped(errors[0]?.message ?? 'the gateway sent no data');
        },
        end: (error) => {
          if (error instanceof SubscriptionRefused && error.status >= 400 && error.status < 500 && error.status !== 429)
            return this.refuse(refusalOf(error.errors, error.status));
          this.dropped(error instanceof Error ? error.message : 'the stream ended');
        },
      },
    );
  }

  private receive(update: Update): void {
    if (!this.firstMessage) {
      const changed = this.cache.merge(update.evaluations);
      if (changed.length) this.listener.changed(update.changedKeys.length ? update.changedKeys : changed);
      return;
    }
    this.firstMessage = false;
    const hadValues = this.everLoaded || this.options.bootstrap !== undefined;
    const changed = this.cache.replace(update.evaluations, 'live');
    this.everLoaded = true;
    this.backoff.reset();
    clearTimeout(this.errorTimer);
    const recovered = this.down;
    this.down = false;
    if (this.settle) this.settleWith(null);
    else if (recovered) this.listener.ready();
    if (hadValues && changed.length) this.listener.changed(changed);
  }

  private dropped(message: string): void {
    this.unsubscribe = null;
    if (this.closed) return;
    if (this.cache.freshness === 'live') this.cache.freshness = 'stale';
    if (!this.down) {
      this.down = true;
      if (this.settle) this.settleWith(new Error(`cannot reach the Vexil gateway: ${message}`));
      else this.listener.stale(`lost the Vexil gateway's stream: ${message}`);
      this.errorTimer = setTimeout(
        () => this.listener.error(`no stream from the Vexil gateway for ${this.options.errorAfterMs ?? 30_000} ms`),
        this.options.errorAfterMs ?? 30_000,
      );
    }
    this.retryTimer = setTimeout(() => this.connect(), this.backoff.next());
  }

  private refuse(refusal: Refusal): void {
    this.unsubscribe?.();
    this.unsubscribe = null;
    this.refusal = refusal;
    clearTimeout(this.errorTimer);
    if (this.settle) this.settleWith(new Error(refusal.message));
    else this.listener.error(refusal.message);
  }

  private settleWith(error: Error | null): void {
    const settle = this.settle;
    this.settle = null;
    if (error) settle?.reject(error);
    else settle?.resolve();
  }
}
