/**
 * Vexil's OpenFeature provider for servers (`vexil/openfeature/server`). A server evaluates for many
 * contexts, so the provider keeps one `evaluationsChanged` subscription per distinct context it has
 * been asked about (up to `maxContexts`, the least recently used closed first): the first evaluation
 * of a context waits for its bulk load, every later one is answered from memory.
 *
 * With a server key (`vxl_srv_…`) it evaluates locally instead (local-flag-set.ts): one download of
 * the environment's flag set, the gateway's own engine in-process, any number of contexts.
 */
import {
  type EvaluationContext,
  type JsonValue,
  OpenFeatureEventEmitter,
  type Provider,
  type ResolutionDetails,
} from '@openfeature/server-sdk';
import { contextKey } from '../shared/context-key.js';
import { errorResolution, type FlagType } from '../shared/evaluation-cache.js';
import { type LiveListener, LiveEvaluations, type LiveOptions } from '../shared/live-evaluations.js';
import { listenerFor } from '../shared/provider-events.js';
import { LocalFlagSet } from './local-flag-set.js';

export interface VexilServerProviderOptions extends LiveOptions {
  /** Distinct contexts kept subscribed at once (remote evaluation). @default 100 */
  maxContexts?: number;
  /** Evaluate in-process from the environment's flag set; needs a server key. @default apiKey starts with `vxl_srv_` */
  local?: boolean;
}

interface Session {
  live: LiveEvaluations;
  started: Promise<void>;
  settled: boolean;
}

export class VexilServerProvider implements Provider {
  readonly metadata = { name: 'vexil-server' } as const;
  readonly runsOn = 'server' as const;
  readonly events = new OpenFeatureEventEmitter();
  private readonly sessions = new Map<string, Session>();
  private readonly down = new Set<Session>();
  private readonly emit: LiveListener;
  private readonly local: LocalFlagSet | null;

  constructor(private readonly options: VexilServerProviderOptions) {
    this.emit = listenerFor(this.events as never);
    const local = options.local ?? options.apiKey.startsWith('vxl_srv_');
    this.local = local ? new LocalFlagSet(options, this.emit) : null;
  }

  async initialize(context: EvaluationContext = {}): Promise<void> {
    if (this.local) await this.local.start();
    else await this.session(context).started;
  }

  async onClose(): Promise<void> {
    this.local?.close();
    for (const session of this.sessions.values()) session.live.close();
    this.sessions.clear();
  }

  resolveBooleanEvaluation(key: string, defaultValue: boolean, context: EvaluationContext) {
    return this.resolve(key, defaultValue, context, 'boolean');
  }

  resolveStringEvaluation(key: string, defaultValue: string, context: EvaluationContext) {
    return this.resolve(key, defaultValue, context, 'string');
  }

  resolveNumberEvaluation(key: string, defaultValue: number, context: EvaluationContext) {
    return this.resolve(key, defaultValue, context, 'number');
  }

  resolveObjectEvaluation<T extends JsonValue>(key: string, defaultValue: T, context: EvaluationContext) {
    return this.resolve(key, defaultValue, context, 'object');
  }

  private async resolve<T extends JsonValue>(
    key: string,
    defaultValue: T,
    context: EvaluationContext,
    type: FlagType,
  ): Promise<ResolutionDetails<T>> {
    if (this.local) return this.local.resolve(key, defaultValue, context, type);
    const session = this.session(context);
    if (!session.settled) await session.started.catch(() => {});
    const { live } = session;
    if (live.refusal) return errorResolution(defaultValue, live.refusal.errorCode, live.refusal.message);
    if (!live.loaded)
      return errorResolution(defaultValue, 'GENERAL', 'no evaluations loaded from the Vexil gateway yet');
    return live.cache.resolve(key, defaultValue, type);
  }

  /** The context's subscription, opened on first use; the least recently used is closed past `maxContexts`. */
  private session(context: EvaluationContext): Session {
    const id = contextKey(context);
    const existing = this.sessions.get(id);
    if (existing) {
      this.sessions.delete(id);
      this.sessions.set(id, existing);
      return existing;
    }
    const session = this.open(context);
    this.sessions.set(id, session);
    if (this.sessions.size > (this.options.maxContexts ?? 100)) {
      const [oldestId, oldest] = this.sessions.entries().next().value as [string, Session];
      oldest.live.close();
      this.down.delete(oldest);
      this.sessions.delete(oldestId);
    }
    return session;
  }

  private open(context: EvaluationContext): Session {
    const listener: LiveListener = {
      ready: () => {
        this.down.delete(session);
        if (this.down.size === 0) this.emit.ready();
      },
      changed: (keys) => this.emit.changed(keys),
      stale: (message) => {
        this.down.add(session);
        this.emit.stale(message);
      },
      error: (message) => this.emit.error(message),
    };
    const live = new LiveEvaluations(this.options, context as Record<string, unknown>, listener);
    const session: Session = { live, started: live.start(), settled: false };
    session.started.then(
      () => (session.settled = true),
      () => (session.settled = true),
    );
    return session;
  }
}
