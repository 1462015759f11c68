/** Shared fixtures of the store benchmarks, so both stores are measured on the same flags. */

export const ms = (value: number): string => `${value.toFixed(value < 1 ? 3 : value < 10 ? 2 : 1)} ms`;

/**
 * A flag document as a client would create it: per environment, one equality rule that differs by
 * environment and rollout rules shared by all environments (so a snapshot holds ~4 distinct rules per
 * flag across its 3 environments).
 */
export function flagDocument(key: string, rules = 2): Record<string, unknown> {
  const config = (environment: string) => ({
    on: true,
    offVariation: 'off',
    rules: Array.from({ length: rules }, (_, index) => ({
      id: `r${index}`,
      condition: index === 0 ? `userId in ["${key}-a", "${key}-b"] and country == "${environment}"` : `plan in ["premium","enterprise"] and bucket("${key}") < ${(index * 7) % 100}`,
      serve: index === 0 ? { variation: 'on' } : { rollout: { weights: [{ variation: 'on', weight: 10_000 }, { variation: 'off', weight: 90_000 }] } },
    })),
    defaultServe: { variation: 'off' },
  });
  return {
    key,
    name: `Bench ${key}`,
    description: 'benchmark flag',
    kind: 'ops',
    valueType: 'boolean',
    variations: [
      { key: 'on', value: true },
      { key: 'off', value: false },
    ],
    tags: ['bench'],
    owner: 'team-bench',
    environments: { development: config('development'), staging: config('staging'), production: config('production') },
  };
}
