/** What both backends write into an empty store when they open it: the default environments. */
import { defaultEnvironments, type Environment } from '../flags/model.js';
import type { PendingChange } from './types.js';

/** One create per default environment (development, staging, production), by `system`. */
export function defaultEnvironmentChanges(createdAt = new Date().toISOString()): Array<PendingChange<'environment'>> {
  return defaultEnvironments.map((key) => {
    const after: Environment = { key, name: key[0]!.toUpperCase() + key.slice(1), createdAt };
    return {
      ref: { kind: 'environment', key },
      expectedVersion: 0,
      action: 'create',
      after,
      meta: { actor: 'system', comment: 'default environment' },
    };
  });
}
