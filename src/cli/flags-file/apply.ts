/**
 * Applies an import plan through the gateway's mutations, in order, each write carrying the version
 * it was planned against (a concurrent edit is a CONFLICT, never overwritten) and the comment
 * `import <id>: <comment>`, so the audit log shows the import as one change set.
 */
import type { FlagEnvironmentConfig } from '../../flags/model.js';
import { type GatewayTarget, gatewayRequest } from '../gateway-client.js';
import type { PlannedChange } from './plan.js';

const mutations = {
  'create-environment':
    'mutation($key: String!, $name: String, $comment: String) { createEnvironment(key: $key, name: $name, comment: $comment) { key } }',
  'create-segment':
    'mutation($input: SegmentInput!, $comment: String) { createSegment(input: $input, comment: $comment) { version } }',
  'update-segment': `mutation($key: String!, $environment: String!, $expectedVersion: Int!, $input: UpdateSegmentInput!, $comment: String) {
    updateSegment(key: $key, environment: $environment, expectedVersion: $expectedVersion, input: $input, comment: $comment) { version } }`,
  'delete-segment': `mutation($key: String!, $environment: String!, $expectedVersion: Int!, $comment: String) {
    deleteSegment(key: $key, environment: $environment, expectedVersion: $expectedVersion, comment: $comment) }`,
  'create-flag':
    'mutation($input: CreateFlagInput!, $comment: String) { createFlag(input: $input, comment: $comment) { version } }',
  'update-flag': `mutation($key: String!, $expectedVersion: Int!, $input: UpdateFlagInput!, $comment: String) {
    updateFlag(key: $key, expectedVersion: $expectedVersion, input: $input, comment: $comment) { version } }`,
  'archive-flag':
    'mutation($key: String!, $expectedVersion: Int, $comment: String) { archiveFlag(key: $key, expectedVersion: $expectedVersion, comment: $comment) { version } }',
  'restore-flag':
    'mutation($key: String!, $expectedVersion: Int, $comment: String) { restoreFlag(key: $key, expectedVersion: $expectedVersion, comment: $comment) { version } }',
  'set-rollout': `mutation($key: String!, $environment: String!, $expectedVersion: Int!, $plan: RolloutPlanInput!, $comment: String) {
    setRolloutPlan(key: $key, environment: $environment, expectedVersion: $expectedVersion, plan: $plan, comment: $comment) { version } }`,
  'delete-rollout': `mutation($key: String!, $environment: String!, $expectedVersion: Int!, $comment: String) {
    deleteRolloutPlan(key: $key, environment: $environment, expectedVersion: $expectedVersion, comment: $comment) { version } }`,
} as const;

// A plan is not part of EnvironmentConfigInput: it is written by its own change (set-rollout).
const environmentsInput = (environments: Record<string, FlagEnvironmentConfig>) =>
  Object.entries(environments).map(([environment, config]) => ({
    environment,
    // Given explicitly, so that lists the file left empty are cleared rather than kept.
    config: (({ rollout: _plan, ...rest }) => ({ ...rest, targets: rest.targets ?? [] }))(config),
  }));

function variablesOf(change: PlannedChange, comment: string): Record<string, unknown> {
  switch (change.kind) {
    case 'create-environment':
      return { key: change.key, name: change.name, comment };
    case 'create-segment':
      return { input: change.segment, comment };
    case 'update-segment': {
      const { key, environment, ...input } = change.segment;
      return { key, environment, expectedVersion: change.version, input, comment };
    }
    case 'delete-segment':
      return {
        key: change.segment.key,
        environment: change.segment.environment,
        expectedVersion: change.segment.version,
        comment,
      };
    case 'create-flag': {
      const { archived: _archived, environments, kind, valueType, ...fields } = change.flag;
      return {
        input: {
          ...fields,
          kind: kind.toUpperCase(),
          valueType: valueType.toUpperCase(),
          environments: environmentsInput(environments),
        },
        comment,
      };
    }
    case 'update-flag': {
      const {
        archived: _archived,
        key,
        salt: _salt,
        valueType: _valueType,
        environments,
        kind,
        ...fields
      } = change.flag;
      return {
        key,
        expectedVersion: change.version,
        input: { ...fields, kind: kind.toUpperCase(), environments: environmentsInput(environments) },
        comment,
      };
    }
    case 'archive-flag':
    case 'restore-flag':
      return { key: change.key, expectedVersion: change.version, comment };
    case 'set-rollout': {
      const target = { key: change.key, environment: change.environment, expectedVersion: change.version, comment };
      return change.plan === null ? target : { ...target, plan: change.plan };
    }
  }
}

/** Runs the changes in order; stops at the first refusal, reporting how far it got. */
export async function applyPlan(
  target: GatewayTarget,
  changes: readonly PlannedChange[],
  comment: string,
  onApplied: (change: PlannedChange) => void,
): Promise<void> {
  for (const change of changes) {
    const mutation = change.kind === 'set-rollout' && change.plan === null ? 'delete-rollout' : change.kind;
    await gatewayRequest(target, mutations[mutation], variablesOf(change, comment));
    onApplied(change);
  }
}
