/**
 * Vexil's OpenFeature provider for browsers (`vexil/openfeature/web`): the web SDK's static-context
 * paradigm, so one `evaluationsChanged` subscription for the current context, replaced when the
 * application sets another (`onContextChange`), and synchronous resolution from memory. Transport is
 * SSE over `fetch`, which every browser has.
 */
import {
  type EvaluationContext,
  type JsonValue,
  OpenFeatureEventEmitter,
  type Provider,
  type ResolutionDetails,
} from '@openfeature/web-sdk';
import { errorResolution, type FlagType } from '../shared/evaluation-cache.js';
import { LiveEvaluations, type LiveOptions } from '../shared/live-evaluations.js';
import { listenerFor } from '../shared/provider-events.js';

export type VexilWebProviderOptions = LiveOptions;

export class VexilWebProvider implements Provider {
  readonly metadata = { name: 'vexil-web' } as const;
  readonly runsOn = 'client' as const;
  readonly events = new OpenFeatureEventEmitter();
  private live: LiveEvaluations | null = null;
  private opened = 0;

  constructor(private readonly options: VexilWebProviderOptions) {}

  async initialize(context: EvaluationContext = {}): Promise<void> {
    await this.open(context);
  }

  async onContextChange(_oldContext: EvaluationContext, newContext: EvaluationContext): Promise<void> {
    await this.open(newContext);
  }

  async onClose(): Promise<void> {
    this.live?.close();
    this.live = null;
  }

  resolveBooleanEvaluation(key: string, defaultValue: boolean): ResolutionDetails<boolean> {
    return this.resolve(key, defaultValue, 'boolean');
  }

  resolveStringEvaluation(key: string, defaultValue: string): ResolutionDetails<string> {
    return this.resolve(key, defaultValue, 'string');
  }

  resolveNumberEvaluation(key: string, defaultValue: number): ResolutionDetails<number> {
    return this.resolve(key, defaultValue, 'number');
  }

  resolveObjectEvaluation<T extends JsonValue>(key: string, defaultValue: T): ResolutionDetails<T> {
    return this.resolve(key, defaultValue, 'object');
  }

  private resolve<T extends JsonValue>(key: string, defaultValue: T, type: FlagType): ResolutionDetails<T> {
    const live = this.live;
    if (!live?.loaded) return errorResolution(defaultValue, 'PROVIDER_NOT_READY', 'no evaluations loaded yet');
    if (live.refusal) return errorResolution(defaultValue, live.refusal.errorCode, live.refusal.message);
    return live.cache.resolve(key, defaultValue, type);
  }

  /** Subscribes for `context`, closing the previous subscription; the bootstrap document serves the first context only. */
  private open(context: EvaluationContext): Promise<void> {
    this.live?.close();
    const { bootstrap, ...rest } = this.options;
    const options = this.opened++ === 0 ? this.options : rest;
    const live = new LiveEvaluations(options, context as Record<string, unknown>, listenerFor(this.events as never));
    this.live = live;
    return live.start();
  }
}
