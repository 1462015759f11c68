/**
 * Flags as code: the whole flag set (environments, segments, flags) as one document that people
 * keep in git. It holds what people write and nothing the server manages (versions, timestamps),
 * sorted by key so that an export diffs cleanly against the last one. schema/flags.schema.json is
 * its JSON Schema, for editors.
 */
import type { EngineState } from '../flags/engine.js';
import {
  type Environment,
  type Flag,
  type FlagEnvironmentConfig,
  type Segment,
  type Serve,
  targetingKeyAttribute,
} from '../flags/model.js';
import type { RolloutPlan } from '../flags/rollout-plan.js';

export const flagsFileVersion = 1;

export type FlagEntry = Omit<Flag, 'version' | 'createdAt' | 'updatedAt' | 'salt' | 'archived'> & {
  salt?: string;
  archived?: boolean;
};
export type SegmentEntry = Omit<Segment, 'version' | 'createdAt' | 'updatedAt'>;
export type EnvironmentEntry = Omit<Environment, 'createdAt'>;

export interface FlagsFile {
  version: typeof flagsFileVersion;
  environments: EnvironmentEntry[];
  segments: SegmentEntry[];
  flags: FlagEntry[];
}

export interface ExportOptions {
  /** Only this environment: its configuration of each flag, and its segments. */
  environment?: string;
}

const byKey = <T extends { key: string }>(a: T, b: T) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0);

/** The document for a flag set, server-managed fields left out. */
export function toFlagsFile(state: EngineState, { environment }: ExportOptions = {}): FlagsFile {
  const wanted = (key: string) => environment === undefined || key === environment;
  return {
    version: flagsFileVersion,
    environments: state.environments
      .filter((entry) => wanted(entry.key))
      .map(({ key, name }) => ({ key, name }))
      .sort(byKey),
    segments: state.segments
      .filter((segment) => wanted(segment.environment))
      .map(segmentEntry)
      .sort((a, b) => (a.environment === b.environment ? byKey(a, b) : a.environment < b.environment ? -1 : 1)),
    flags: state.flags.map((flag) => flagEntry(flag, wanted)).sort(byKey),
  };
}

// Fields in a fixed order, whatever order the documents came in, so that exports diff cleanly.
function flagEntry(flag: Flag, wanted: (environment: string) => boolean): FlagEntry {
  const environments = Object.entries(flag.environments)
    .filter(([key]) => wanted(key))
    .sort(([a], [b]) => (a < b ? -1 : 1))
    .map(([key, config]) => [key, environmentEntry(config)] as const);
  return {
    key: flag.key,
    name: flag.name,
    description: flag.description,
    kind: flag.kind,
    valueType: flag.valueType,
    owner: flag.owner,
    tags: [...flag.tags],
    expiresAt: flag.expiresAt,
    // The salt defaults to the key; writing it only when it differs keeps files short.
    ...(flag.salt !== flag.key ? { salt: flag.salt } : {}),
    ...(flag.archived ? { archived: true } : {}),
    variations: flag.variations.map(({ key, value, name, description }) => ({
      key,
      value,
      ...(name !== undefined ? { name } : {}),
      ...(description !== undefined ? { description } : {}),
    })),
    environments: Object.fromEntries(environments),
  };
}

function environmentEntry(config: FlagEnvironmentConfig): FlagEnvironmentConfig {
  return {
    on: config.on,
    offVariation: config.offVariation,
    rules: config.rules.map(({ id, description, condition, serve, enabled }) => ({
      id,
      ...(description !== undefined ? { description } : {}),
      condition,
      serve: serveEntry(serve),
      ...(enabled === false ? { enabled } : {}),
    })),
    defaultServe: serveEntry(config.defaultServe),
    // Absent when there are none, so files of flags without targets read as before.
    ...(config.targets && config.targets.length > 0
      ? {
          targets: config.targets.map(({ variation, values, attribute }) => ({
            variation,
            values: [...values],
            ...(attribute !== undefined && attribute !== targetingKeyAttribute ? { attribute } : {}),
          })),
        }
      : {}),
    ...(config.rollout ? { rollout: planEntry(config.rollout) } : {}),
    // Where the experiment stands (its last reset) is the gateway's, like versions; the setting travels.
    ...(config.sticky ? { sticky: true } : {}),
  };
}

/**
 * A rollout plan as people write it: target, stages and breach action. Where the plan stands
 * (state, stage, times, guard checks) is the server's, like versions, and stays out of the file.
 */
function planEntry(plan: RolloutPlan): RolloutPlan {
  return {
    ...(plan.ruleId !== null ? { ruleId: plan.ruleId } : {}),
    onGuardBreach: plan.onGuardBreach,
    stages: plan.stages.map(({ weights, holdSeconds, enableRules, guard }) => ({
      weights: weights.map(({ variation, weight }) => ({ variation, weight })),
      holdSeconds,
      ...(enableRules ? { enableRules: [...enableRules] } : {}),
      ...(guard ? { guard: { query: guard.query, max: guard.max } } : {}),
    })),
  } as RolloutPlan;
}

function serveEntry(serve: Serve): Serve {
  if (!serve.rollout) return { variation: serve.variation! };
  const { bucketBy, weights } = serve.rollout;
  // targetingKey is the default: written only when another attribute is bucketed.
  return {
    rollout: {
      ...(bucketBy !== undefined && bucketBy !== targetingKeyAttribute ? { bucketBy } : {}),
      weights: weights.map(({ variation, weight }) => ({ variation, weight })),
    },
  };
}

function segmentEntry(segment: Segment): SegmentEntry {
  const { key, environment, name, description, included, excluded, condition } = segment;
  return { key, environment, name, description, included: [...included], excluded: [...excluded], condition };
}
