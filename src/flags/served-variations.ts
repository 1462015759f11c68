/**
 * Which variations a flag can serve in an environment, read from its configuration (not from
 * traffic): the off variation when it is off, else every rule's and the default's serve, counting
 * only the slices of a rollout with a weight above zero. One variation means every context gets
 * the same value: the flag has done its job and can be removed from the code.
 */
import { unconfiguredEnvironment } from './compiled-flag.js';
import type { Flag, Serve } from './model.js';

function addServed(serve: Serve, into: Set<string>): void {
  if (serve.variation !== undefined) into.add(serve.variation);
  for (const weight of serve.rollout?.weights ?? []) if (weight.weight > 0) into.add(weight.variation);
}

/** The variations `flag` can serve in `environment` (an unconfigured environment serves its off variation). */
export function servedVariations(flag: Flag, environment: string): Set<string> {
  const config = flag.environments[environment] ?? unconfiguredEnvironment(flag);
  const served = new Set<string>();
  if (!config.on) served.add(config.offVariation);
  else {
    for (const rule of config.rules) addServed(rule.serve, served);
    addServed(config.defaultServe, served);
  }
  return served;
}
