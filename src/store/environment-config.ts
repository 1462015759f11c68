/** The configuration an environment a flag was never configured in gets when it is toggled. */
import { unconfiguredEnvironment } from '../flags/compiled-flag.js';
import type { Flag, FlagEnvironmentConfig } from '../flags/model.js';

/** The configuration given to an environment a flag was never configured in when it is toggled. */
export function initialEnvironmentConfig(flag: Flag, on: boolean): FlagEnvironmentConfig {
  const config = unconfiguredEnvironment(flag);
  if (!on) return config;
  // Switched on: serve the "true-like" variation to everyone (for a boolean flag, `true`).
  const served = flag.variations.find((variation) => variation.value === true) ?? flag.variations.find((variation) => variation.key !== config.offVariation) ?? flag.variations[0]!;
  return { ...config, on: true, defaultServe: { variation: served.key } };
}
