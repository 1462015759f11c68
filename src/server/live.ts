/**
 * Live updates wiring: the change feed drives the subscription hubs (every instance learns of every
 * change only from the feed), key revocations end subscriptions, and metrics count subscribers.
 */
import type { FlagEngine } from '../flags/engine.js';
import { EvaluationHub } from '../graphql/live/evaluation-hub.js';
import { FlagChangeHub } from '../graphql/live/flag-change-hub.js';
import { SubscriptionLimits } from '../graphql/live/subscription-limits.js';
import { apiError } from '../graphql/errors.js';
import type { EngineSync } from '../store/engine-sync.js';
import type { KeyRegistry } from './key-registry.js';
import type { GatewayMetrics } from './metrics.js';

export interface LiveOptions {
  maxPerKey: number;
  maxPerConnection: number;
  /** Messages a subscriber may fall behind before it is dropped. @default 256 */
  bufferSize?: number;
}

export interface Live {
  evaluations: EvaluationHub;
  flagChanges: FlagChangeHub;
  close(): void;
}

export function createLive(
  engine: FlagEngine,
  sync: EngineSync,
  keys: KeyRegistry,
  metrics: GatewayMetrics,
  options: LiveOptions,
): Live {
  const limits = new SubscriptionLimits(options.maxPerKey, options.maxPerConnection);
  const bufferSize = options.bufferSize ?? 256;
  const evaluations = new EvaluationHub(engine, limits, bufferSize);
  const flagChanges = new FlagChangeHub(limits, bufferSize);
  sync.on('change', (record, touched) => {
    evaluations.onChange(touched);
    flagChanges.onChange(record);
  });
  sync.on('reload', () => evaluations.onReload());
  keys.on('revoked', (keyId) => {
    const error = apiError('UNAUTHENTICATED', 'the API key of this subscription was revoked');
    evaluations.endForKey(keyId, error);
    flagChanges.endForKey(keyId, error);
  });
  // Read at scrape time, like the engine's counters: nothing to maintain on subscribe/unsubscribe.
  (metrics.subscribers as unknown as { collect: () => void }).collect = () => {
    metrics.subscribers.set({ subscription: 'evaluationsChanged' }, evaluations.size);
    metrics.subscribers.set({ subscription: 'flagChanged' }, flagChanges.size);
  };
  return {
    evaluations,
    flagChanges,
    close() {
      const error = apiError('SHUTTING_DOWN', 'the server is shutting down; reconnect');
      evaluations.close(error);
      flagChanges.close(error);
    },
  };
}
