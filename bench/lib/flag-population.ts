/**
 * A large flag set of realistic variety for bench/flag-count.ts: flag `i` cycles through the kinds of
 * targeting real flag sets hold (plain on/off, equality, `in` lists, suffixes, bucketing, semver,
 * segments, rollouts, compounds), with literals of its own (user lists, thresholds, versions), so rule
 * texts are mostly distinct while their shapes repeat, as in a real flag set. Deterministic.
 */
import { countryWeights, seededRandom } from './random.js';

const booleanVariations = [
  { key: 'on', value: true },
  { key: 'off', value: false },
];
const countries = countryWeights.map(([country]) => country);
const environments = ['development', 'staging', 'production'] as const;

function rollout(percent: number, bucketBy?: string) {
  const on = Math.round(percent * 1000);
  const weights = [
    { variation: 'on', weight: on },
    { variation: 'off', weight: 100_000 - on },
  ];
  return { rollout: bucketBy ? { bucketBy, weights } : { weights } };
}

type Rule = { condition: string; serve: Record<string, unknown> };

function rulesOf(i: number): { rules: Rule[]; defaultServe: Record<string, unknown> } {
  const on = { variation: 'on' };
  const c = (offset: number) => countries[(i + offset) % countries.length];
  switch (i % 10) {
    case 0:
      return { rules: [], defaultServe: { variation: i % 20 ? 'off' : 'on' } };
    case 1:
      return {
        rules: [{ condition: `plan == "premium" and accountAgeDays > ${i % 365}`, serve: on }],
        defaultServe: { variation: 'off' },
      };
    case 2:
      return {
        rules: [{ condition: `country in ["${c(0)}", "${c(1)}", "${c(2)}"]`, serve: on }],
        defaultServe: { variation: 'off' },
      };
    case 3:
      return {
        rules: [{ condition: `email endsWith "@company.com" or userId in ["user_${i}", "user_${i + 1}"]`, serve: on }],
        defaultServe: { variation: 'off' },
      };
    case 4:
      return { rules: [], defaultServe: rollout(i % 100) };
    case 5:
      return {
        rules: [{ condition: `semver(appVersion) >= semver("3.${i % 12}.${i % 5}")`, serve: on }],
        defaultServe: { variation: 'off' },
      };
    case 6:
      return {
        rules: [{ condition: `segment("${i % 2 ? 'beta-testers' : 'internal'}")`, serve: on }],
        defaultServe: { variation: 'off' },
      };
    case 7:
      return {
        rules: [{ condition: `plan in ["premium", "enterprise"]`, serve: rollout(10 + (i % 80)) }],
        defaultServe: { variation: 'off' },
      };
    case 8:
      return {
        rules: [{ condition: `bucket(userId) < ${(i % 100) + 0.5}`, serve: on }],
        defaultServe: { variation: 'off' },
      };
    default:
      return {
        rules: [
          { condition: `userId in ["user_${i}", "user_${i + 7}", "user_${i + 13}"]`, serve: on },
          {
            condition: `(plan == "premium" or accountAgeDays > ${i % 90}) and country in ["${c(0)}", "${c(3)}"] and not (userId in ["user_${i + 2}"])`,
            serve: rollout(25, 'userId'),
          },
        ],
        defaultServe: { variation: 'off' },
      };
  }
}

/** Flag `i` (key `flag-000042` for 42) as the store holds it, created at `now`. */
export function populationFlag(i: number, now: string) {
  const key = `flag-${String(i).padStart(6, '0')}`;
  const { rules, defaultServe } = rulesOf(i);
  const config = (environment: number) => ({
    on: environment < 2 || i % 25 !== 0,
    offVariation: 'off',
    rules: rules.map((rule, index) => ({ id: `r${index}`, ...rule })),
    defaultServe,
  });
  return {
    key,
    name: `Flag ${i}`,
    description: `benchmark flag ${i}`,
    kind: 'release',
    valueType: 'boolean',
    variations: booleanVariations,
    tags: [`team-${i % 40}`],
    owner: `team-${i % 40}`,
    createdAt: now,
    updatedAt: now,
    expiresAt: null,
    archived: false,
    version: 1,
    salt: key,
    environments: Object.fromEntries(environments.map((environment, index) => [environment, config(index)])),
  };
}

/** The segments the population's `segment("…")` rules refer to, per environment. */
export function populationSegments(now: string) {
  return environments.flatMap((environment) => [
    {
      key: 'beta-testers',
      environment,
      name: 'Beta testers',
      description: '',
      included: ['user_100', 'user_200'],
      excluded: [],
      condition: 'beta',
      version: 1,
      createdAt: now,
      updatedAt: now,
    },
    {
      key: 'internal',
      environment,
      name: 'Internal',
      description: '',
      included: [],
      excluded: [],
      condition: 'email endsWith "@company.com"',
      version: 1,
      createdAt: now,
      updatedAt: now,
    },
  ]);
}

const { random, pick } = seededRandom(20260101);

/** 1,000 JSON-parsed contexts as SDKs send them. */
export const benchContexts = JSON.parse(
  JSON.stringify(
    Array.from({ length: 1000 }, (_, index) => ({
      targetingKey: `acct-${index}`,
      userId: `user_${Math.floor(random() * 200_000)}`,
      email: `u${index}@${pick(['company.com', 'gmail.com', 'example.org'])}`,
      plan: pick(['free', 'pro', 'premium', 'enterprise']),
      country: pick(countries),
      accountAgeDays: Math.floor(random() * 1000),
      appVersion: `3.${Math.floor(random() * 12)}.${Math.floor(random() * 5)}`,
      beta: random() < 0.1,
    })),
  ),
) as Array<Record<string, unknown>>;
