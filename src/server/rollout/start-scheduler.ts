/** The gateway's rollout scheduler: over the engine's flags, guards against `VEXIL_PROMETHEUS_URL`. */
import type { FlagEngine } from '../../flags/engine.js';
import type { FlagStore } from '../../store/store.js';
import type { GatewayConfig } from '../config.js';
import type { Logger } from '../logger.js';
import { prometheusGuard } from './prometheus-guard.js';
import { RolloutScheduler } from './scheduler.js';

export function startRolloutScheduler(
  config: GatewayConfig,
  store: FlagStore,
  engine: FlagEngine,
  logger: Logger,
): RolloutScheduler | undefined {
  if (config.rolloutIntervalMs === 0) return undefined;
  const scheduler = new RolloutScheduler({
    store,
    checkGuard: prometheusGuard({ prometheusUrl: config.prometheusUrl }),
    flags: () => engine.allFlags(),
    intervalMs: config.rolloutIntervalMs,
    guardIntervalMs: config.rolloutGuardIntervalMs,
    onError: (error, flagKey) => logger.warn({ err: error, flagKey }, 'rollout step failed; retried on the next tick'),
  });
  scheduler.start();
  return scheduler;
}
