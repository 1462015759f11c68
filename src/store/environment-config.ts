/**
 * What an environment-scoped write does to a flag's configuration in that environment: the
 * configuration an unconfigured environment gets when toggled, and how a partial configuration
 * combines with the stored one (an omitted list means "unchanged", never "empty").
 */
import { unconfiguredEnvironment } from '../flags/compiled-flag.js';
import type { Flag, FlagEnvironmentConfig } from '../flags/model.js';
import { isObject } from './validation/input.js';

/** The configuration given to an environment a flag was never configured in when it is toggled. */
export function initialEnvironmentConfig(flag: Flag, on: boolean): FlagEnvironmentConfig {
  const config = unconfiguredEnvironment(flag);
  if (!on) return config;
  // Switched on: serve the "true-like" variation to everyone (for a boolean flag, `true`).
  const served =
    flag.variations.find((variation) => variation.value === true) ??
    flag.variations.find((variation) => variation.key !== config.offVariation) ??
    flag.variations[0]!;
  return { ...config, on: true, defaultServe: { variation: served.key } };
}

/**
 * The configuration to validate when `given` replaces `current`: `rules` left out (undefined) keep
 * the current rules (none for an unconfigured environment), and `targets` the current targets; an
 * explicit `[]` clears them. The same holds for the rollout plan: left out, it stays; null removes it.
 */
export function mergeEnvironmentConfig(current: FlagEnvironmentConfig | undefined, given: unknown): unknown {
  if (!isObject(given)) return given;
  const withRules = given.rules !== undefined ? given : { ...given, rules: current?.rules ?? [] };
  // Individual targets and the rollout plan likewise: left out, they stay (an edit of the rules must not drop them).
  const withTargets =
    withRules.targets !== undefined || current?.targets === undefined
      ? withRules
      : { ...withRules, targets: current.targets };
  const withRollout =
    withTargets.rollout === undefined && current?.rollout ? { ...withTargets, rollout: current.rollout } : withTargets;
  // Stickiness likewise, and the time of the last reset always stays (only resetStickyAssignments moves it).
  return {
    ...withRollout,
    ...(withRollout.sticky === undefined && current?.sticky ? { sticky: true } : {}),
    ...(current?.stickyResetAt ? { stickyResetAt: current.stickyResetAt } : {}),
  };
}

/** `mergeEnvironmentConfig` for each environment of an update's `environments` object. */
export function mergeEnvironments(
  current: Flag['environments'],
  given: Record<string, unknown>,
): Record<string, unknown> {
  const merged: Record<string, unknown> = { ...current };
  for (const [environment, config] of Object.entries(given))
    merged[environment] = mergeEnvironmentConfig(current[environment], config);
  return merged;
}
