/**
 * Local evaluation for a server key: the environment's flag set (GET /sdk/v1/flag-set) compiled by
 * the gateway's own engine and evaluated in-process, kept current by `flagChanged`, each message of
 * which refetches the set (with its ETag, so an unchanged set costs a 304). After a drop the
 * subscription is reopened with backoff and the set refetched once it is open, so no change made
 * while away is missed; meanwhile the last set keeps answering, with reason STALE.
 */
import type { FlagValue, ResolutionDetails } from '@openfeature/server-sdk';
import { FlagEngine } from '../../flags/engine.js';
import type { EvaluationResult } from '../../flags/evaluation.js';
import { engineStateOf, type FlagSetDocument } from '../../flags/flag-set.js';
import { Backoff } from '../shared/backoff.js';
import { isFlagSet } from '../shared/bootstrap-document.js';
import { errorResolution, type FlagType } from '../shared/evaluation-cache.js';
import type { LiveListener, LiveOptions } from '../shared/live-evaluations.js';
import { subscribeOverSse } from '../shared/sse-subscription.js';

const FLAG_CHANGED = 'subscription VexilLocalProvider { flagChanged { key } }';

function typeOf(value: unknown): FlagType | null {
  const type = typeof value;
  if (type === 'boolean' || type === 'string' || type === 'number') return type;
  return type === 'object' && value !== null ? 'object' : null;
}

export class LocalFlagSet {
  private readonly engine = new FlagEngine();
  private readonly backoff: Backoff;
  private readonly fetch: typeof globalThis.fetch;
  /** Results are frozen and shared by the engine: their resolution is built once per result object. */
  private readonly resolutions = new WeakMap<EvaluationResult, ResolutionDetails<FlagValue>>();
  private environment = '';
  private etag: string | null = null;
  private versions = new Map<string, number>();
  private stale = false;
  /** Whether a set came from the gateway (else only the bootstrap's, served as CACHED). */
  private loadedLive = false;
  private down = false;
  private closed = false;
  private unsubscribe: (() => void) | null = null;
  private retryTimer: ReturnType<typeof setTimeout> | undefined;
  private errorTimer: ReturnType<typeof setTimeout> | undefined;
  private refetching: Promise<void> = Promise.resolve();

  constructor(
    private readonly options: LiveOptions,
    private readonly listener: LiveListener,
  ) {
    this.backoff = new Backoff(options.backoff);
    this.fetch = options.fetch ?? globalThis.fetch.bind(globalThis);
    const { bootstrap } = options;
    if (bootstrap && !isFlagSet(bootstrap))
      throw new TypeError('local evaluation is bootstrapped by a flag set (vexil bootstrap with a server key)');
    if (bootstrap) this.load(bootstrap);
  }

  /**
   * Loads the set and opens the change stream; rejects when the gateway cannot be reached or refuses
   * the key, unless a bootstrap flag set is there to serve (STALE) until it can.
   */
  async start(): Promise<void> {
    try {
      await this.refetch();
    } catch (error) {
      if (!this.options.bootstrap) throw error;
      this.dropped((error as Error).message);
      return;
    }
    this.subscribe();
  }

  close(): void {
    this.closed = true;
    this.unsubscribe?.();
    clearTimeout(this.retryTimer);
    clearTimeout(this.errorTimer);
  }

  resolve<T extends FlagValue>(key: string, defaultValue: T, context: unknown, type: FlagType): ResolutionDetails<T> {
    const result = this.engine.evaluate(key, context, { environment: this.environment });
    if (result.errorCode) return errorResolution(defaultValue, result.errorCode, result.errorMessage);
    if (typeOf(result.value) !== type)
      return errorResolution(defaultValue, 'TYPE_MISMATCH', `flag '${key}' is ${typeOf(result.value)}, not ${type}`);
    if (this.stale || !this.loadedLive)
      return { ...this.resolutionOf(result), reason: this.loadedLive ? 'STALE' : 'CACHED' } as ResolutionDetails<T>;
    return this.resolutionOf(result) as ResolutionDetails<T>;
  }

  private resolutionOf(result: EvaluationResult): ResolutionDetails<FlagValue> {
    let resolution = this.resolutions.get(result);
    if (!resolution) {
      resolution = Object.freeze({
        value: result.value as FlagValue,
        reason: result.reason,
        ...(result.variation ? { variant: result.variation } : {}),
        flagMetadata: Object.freeze(result.ruleId ? { ruleId: result.ruleId } : ({} as Record<string, string>)),
      });
      this.resolutions.set(result, resolution);
    }
    return resolution;
  }

  /** Fetches the set (one request at a time; a change during one triggers another) and loads it. */
  private refetch(): Promise<void> {
    const run = async (): Promise<void> => {
      const response = await this.fetch(`${this.options.url.replace(/\/$/, '')}/sdk/v1/flag-set`, {
        headers: {
          authorization: `Bearer ${this.options.apiKey}`,
          ...(this.etag ? { 'if-none-match': this.etag } : {}),
        },
      });
      if (response.status === 304) return;
      if (!response.ok) {
        const body = (await response.json().catch(() => ({}))) as { error?: string };
        throw new Error(body.error ?? `the gateway answered ${response.status} for the flag set`);
      }
      this.etag = response.headers.get('etag');
      this.load((await response.json()) as FlagSetDocument);
      this.loadedLive = true;
    };
    const next = this.refetching.catch(() => {}).then(run);
    this.refetching = next;
    return next;
  }

  private load(document: FlagSetDocument): void {
    const first = this.environment === '';
    this.environment = document.environment;
    this.engine.load(engineStateOf(document));
    const versions = new Map(document.flags.map((flag) => [flag.key, flag.version]));
    const changed = [...versions].filter(([key, version]) => this.versions.get(key) !== version).map(([key]) => key);
    for (const key of this.versions.keys()) if (!versions.has(key)) changed.push(key);
    this.versions = versions;
    // A segment change alters no flag's version: report every flag, as any may use the segment.
    if (!first) this.listener.changed(changed.length ? changed : [...versions.keys()]);
  }

  private subscribe(): void {
    if (this.closed) return;
    this.unsubscribe = subscribeOverSse<{ flagChanged: { key: string } }>(
      {
        endpoint: `${this.options.url.replace(/\/$/, '')}/graphql`,
        query: FLAG_CHANGED,
        variables: {},
        headers: { authorization: `Bearer ${this.options.apiKey}` },
        fetch: this.fetch,
      },
      {
        open: () => {
          if (this.down)
            this.refetch().then(
              () => this.recovered(),
              () => this.dropped('the flag set could not be fetched'),
            );
        },
        next: (result) => {
          if (result.errors?.length) {
            this.unsubscribe?.();
            return this.dropped(result.errors[0]!.message);
          }
          this.refetch().catch(() => {});
        },
        end: (error) => this.dropped(error instanceof Error ? error.message : 'the stream ended'),
      },
    );
  }

  private recovered(): void {
    this.down = false;
    this.stale = false;
    this.backoff.reset();
    clearTimeout(this.errorTimer);
    this.listener.ready();
  }

  private dropped(message: string): void {
    if (this.closed) return;
    if (!this.down) {
      this.down = true;
      this.stale = true;
      this.listener.stale(`lost the Vexil gateway's stream: ${message}`);
      const errorAfterMs = this.options.errorAfterMs ?? 30_000;
      this.errorTimer = setTimeout(
        () => this.listener.error(`no stream from the Vexil gateway for ${errorAfterMs} ms`),
        errorAfterMs,
      );
    }
    this.retryTimer = setTimeout(() => this.subscribe(), this.backoff.next());
  }
}
