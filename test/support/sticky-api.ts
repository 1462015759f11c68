/** GraphQL helpers for the sticky-assignment tests: a sticky experiment, its weights, evaluations. */
import type { CreateFlagInput } from '../../src/client/generated/graphql.js';
import { experimentFlag, PROD } from '../fixtures/gateway/flags.js';
import { dataOf, type TestGateway } from './gateway.js';

export interface StickyEvaluation {
  variation: string | null;
  reason: string;
  sticky: boolean | null;
  stickyAssignedAt: string | null;
}

/** The 50/50 experiment of the fixtures, sticky in production. */
export function stickyExperiment(key: string, sticky = true): CreateFlagInput {
  const input = experimentFlag(key);
  const environments = input.environments!.map((entry) => ({ ...entry, config: { ...entry.config, sticky } }));
  return { ...input, environments };
}

export async function createFlag(gateway: TestGateway, input: CreateFlagInput) {
  return gateway.gql<{ createFlag: { version: number } }, unknown>(
    'mutation($input: CreateFlagInput!) { createFlag(input: $input) { version } }',
    { input },
  );
}

/** Gives `treatment` `percent` % of production, the rest `control`; returns the new version. */
export async function setTreatment(gateway: TestGateway, key: string, percent: number): Promise<number> {
  const current = dataOf(
    await gateway.gql<{ flag: { version: number } }, unknown>('query($key: String!) { flag(key: $key) { version } }', {
      key,
    }),
  ).flag.version;
  const treatment = percent * 1000;
  const config = {
    on: true,
    offVariation: 'control',
    defaultServe: {
      rollout: {
        bucketBy: 'userId',
        weights: [
          { variation: 'control', weight: 100_000 - treatment },
          { variation: 'treatment', weight: treatment },
        ],
      },
    },
  };
  const result = await gateway.gql<{ setFlagEnvironment: { version: number } }, unknown>(
    'mutation($key: String!, $config: EnvironmentConfigInput!, $v: Int!) { setFlagEnvironment(key: $key, environment: "production", config: $config, expectedVersion: $v) { version } }',
    { key, config, v: current },
  );
  return dataOf(result).setFlagEnvironment.version;
}

export async function evaluateUsers(gateway: TestGateway, key: string, users: readonly string[]) {
  const evaluations: StickyEvaluation[] = [];
  for (const userId of users) {
    const result = await gateway.gql<{ evaluate: StickyEvaluation }, unknown>(
      'query($key: String!, $context: JSON!) { evaluate(key: $key, environment: "production", context: $context) { variation reason sticky stickyAssignedAt } }',
      { key, context: { targetingKey: userId, userId } },
    );
    evaluations.push(dataOf(result).evaluate);
  }
  return evaluations;
}

export async function resetSticky(gateway: TestGateway, key: string) {
  return gateway.gql<{ resetStickyAssignments: { version: number } }, unknown>(
    'mutation($key: String!) { resetStickyAssignments(flag: $key, environment: "production", comment: "new experiment") { version } }',
    { key },
  );
}

export const users = Array.from({ length: 40 }, (_, index) => `user-${index}`);
export { PROD };
