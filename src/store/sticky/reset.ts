/**
 * `resetStickyAssignments`: an ordinary audited update of the flag environment that moves its
 * `stickyResetAt` to now, so every instance (through the change feed) drops the assignments recorded
 * before it; then the stored ones are deleted.
 */
import { ValidationError } from '../../flags/errors.js';
import type { Flag } from '../../flags/model.js';
import { modifyFlag } from '../flag-writes.js';
import type { WriteMeta } from '../types.js';
import type { WriteContext } from '../write-context.js';

export async function resetStickyAssignments(
  context: WriteContext,
  key: string,
  environment: string,
  expectedVersion: number | undefined,
  meta: WriteMeta,
): Promise<Flag> {
  const flag = await modifyFlag(
    context,
    key,
    expectedVersion,
    'update',
    meta,
    (current) => {
      const config = current.environments[environment];
      if (!config?.sticky)
        throw new ValidationError([
          { path: 'environment', message: `flag '${key}' is not sticky in '${environment}'`, code: 'VALIDATION' },
        ]);
      const resetAt = context.now();
      return {
        ...current,
        environments: { ...current.environments, [environment]: { ...config, stickyResetAt: resetAt } },
      };
    },
    environment,
  );
  await context.backend.sticky?.remove(key, environment);
  return flag;
}
