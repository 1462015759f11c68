/** Shared fixtures of the store benchmarks, so both stores are measured on the same flags. */
import { FlagEngine } from '../../dist/index.js';

type Snapshot = Parameters<FlagEngine['load']>[0] & {
  flags: Array<{ environments: Record<string, { rules: unknown[] }> }>;
};

/** The nearest-rank percentile (no interpolation), as both store benchmarks have always reported. */
export function nearestRank(values: number[], p: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? NaN;
}

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
      condition:
        index === 0
          ? `userId in ["${key}-a", "${key}-b"] and country == "${environment}"`
          : `plan in ["premium","enterprise"] and bucket("${key}") < ${(index * 7) % 100}`,
      serve:
        index === 0
          ? { variation: 'on' }
          : {
              rollout: {
                weights: [
                  { variation: 'on', weight: 10_000 },
                  { variation: 'off', weight: 90_000 },
                ],
              },
            },
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

/**
 * Reads a snapshot of `flagCount` flags (seeded with `flagDocument`) and loads it into a fresh
 * FlagEngine, three times; checks each load evaluates, and prints the timings.
 */
export async function measureSnapshotLoads(
  readSnapshot: () => Promise<Snapshot>,
  flagCount: number,
  describeSeeding: string[],
): Promise<void> {
  const rounds: Array<{ read: number; load: number }> = [];
  let rules = 0;
  for (let round = 0; round < 3; round++) {
    const t0 = performance.now();
    const snapshot = await readSnapshot();
    const t1 = performance.now();
    const engine = new FlagEngine();
    engine.load(snapshot);
    const t2 = performance.now();
    rounds.push({ read: t1 - t0, load: t2 - t1 });
    rules = snapshot.flags.reduce(
      (sum, flag) => sum + Object.values(flag.environments).reduce((n, config) => n + config.rules.length, 0),
      0,
    );
    if (snapshot.flags.length !== flagCount) throw new Error(`snapshot has ${snapshot.flags.length} flags`);
    const result = engine.evaluate(
      'flag-00042',
      { userId: 'flag-00042-a', country: 'production', targetingKey: 'x' },
      { environment: 'production' },
    );
    if (result.value !== true) throw new Error('unexpected evaluation');
  }
  console.log(`## Snapshot of ${flagCount} flags (3 environments, ${rules} rules)`);
  for (const line of describeSeeding) console.log(`  ${line}`);
  rounds.forEach((round, index) =>
    console.log(
      `  run ${index + 1}: backend.snapshot() ${ms(round.read)} + new FlagEngine().load() ${ms(round.load)} = ${ms(round.read + round.load)}`,
    ),
  );
}
