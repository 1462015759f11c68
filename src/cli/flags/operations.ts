/** The GraphQL operations behind `vexil flags …` (the public API, nothing private). */
import type { Serve } from '../../flags/model.js';

export const flagSummaryFields = `key name kind owner tags expiresAt archived stale version
  environments { environment on }`;

export const flagDetailFields = `key name description kind valueType owner tags expiresAt archived stale version createdAt updatedAt salt
  variations { key name value }
  environments(environment: $environment) {
    environment on offVariation
    rules { id description condition serve { variation rollout { bucketBy weights { variation weight } } } }
    defaultServe { variation rollout { bucketBy weights { variation weight } } }
  }`;

export const listFlagsQuery = `query VexilCliFlags($first: Int, $after: String, $kind: FlagKind, $tag: String, $owner: String, $search: String, $archived: Boolean) {
  flags(first: $first, after: $after, kind: $kind, tag: $tag, owner: $owner, search: $search, archived: $archived) {
    totalCount pageInfo { hasNextPage endCursor } nodes { ${flagSummaryFields} }
  }
}`;

export const getFlagQuery = `query VexilCliFlag($key: String!, $environment: String) { flag(key: $key) { ${flagDetailFields} } }`;

export const createFlagMutation = `mutation VexilCliCreateFlag($input: CreateFlagInput!, $comment: String, $environment: String) {
  createFlag(input: $input, comment: $comment) { ${flagDetailFields} }
}`;

export const toggleFlagMutation = `mutation VexilCliToggleFlag($key: String!, $environment: String!, $on: Boolean!, $comment: String) {
  toggleFlag(key: $key, environment: $environment, on: $on, comment: $comment) { key version environments(environment: $environment) { environment on } }
}`;

export const archiveFlagMutation = `mutation VexilCliArchiveFlag($key: String!, $comment: String) { archiveFlag(key: $key, comment: $comment) { key archived version } }`;
export const restoreFlagMutation = `mutation VexilCliRestoreFlag($key: String!, $comment: String) { restoreFlag(key: $key, comment: $comment) { key archived version } }`;

export const setFlagEnvironmentMutation = `mutation VexilCliSetRules($key: String!, $environment: String!, $expectedVersion: Int!, $config: EnvironmentConfigInput!, $comment: String) {
  setFlagEnvironment(key: $key, environment: $environment, expectedVersion: $expectedVersion, config: $config, comment: $comment) {
    key version environments(environment: $environment) { environment on rules { id condition } }
  }
}`;

export interface ServeData {
  variation: string | null;
  rollout: { bucketBy: string | null; weights: Array<{ variation: string; weight: number }> } | null;
}

export interface FlagEnvironmentData {
  environment: string;
  on: boolean;
  offVariation?: string;
  rules?: Array<{ id: string; description: string | null; condition: string; serve: ServeData }>;
  defaultServe?: ServeData;
}

export interface FlagData {
  key: string;
  name: string;
  description?: string;
  kind: string;
  valueType?: string;
  owner: string;
  tags: string[];
  expiresAt: string | null;
  archived: boolean;
  stale: boolean;
  version: number;
  variations?: Array<{ key: string; name: string | null; value: unknown }>;
  environments: FlagEnvironmentData[];
}

/** A serve as GraphQL answers it (nulls, the default bucketBy filled in) as the model's `Serve`. */
export function toServe(serve: ServeData): Serve {
  if (serve.variation) return { variation: serve.variation };
  return {
    rollout: {
      ...(serve.rollout?.bucketBy ? { bucketBy: serve.rollout.bucketBy } : {}),
      weights: serve.rollout?.weights ?? [],
    },
  };
}

/** `25% on, 75% off` or `on`. */
export function describeServe(serve: ServeData | undefined): string {
  if (!serve) return '';
  if (serve.variation) return serve.variation;
  const weights = serve.rollout?.weights ?? [];
  return weights.map((weight) => `${weight.weight / 1000}% ${weight.variation}`).join(', ');
}
