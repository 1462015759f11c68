/**
 * The gateway's whole flag set read over GraphQL (a read-only key is enough), as the engine's state,
 * so that export and import work on exactly what `toFlagsFile` and `parseFlagsFile` use.
 */
import type { EngineState } from '../../flags/engine.js';
import type { Environment, Flag, FlagKind, Segment, ValueType, Weight } from '../../flags/model.js';
import type { RolloutGuard, RolloutPlan } from '../../flags/rollout-plan.js';
import { type GatewayTarget, gatewayRequest } from '../gateway-client.js';
import { type ServeData, toServe } from '../flags/operations.js';

const serveFields = 'variation rollout { bucketBy weights { variation weight } }';

// 30 a page keeps the query under the gateway's cost limit (each flag's rules, serves, targets and
// rollout stages count; 50 came to 21,000 of the 20,000 allowed).
const flagsPageQuery = `query VexilCliExportFlags($after: String) {
  flags(first: 30, after: $after) {
    pageInfo { hasNextPage endCursor }
    nodes {
      key name description kind valueType owner tags expiresAt archived salt version createdAt updatedAt
      variations { key name description value }
      environments { environment on offVariation rules { id description condition enabled serve { ${serveFields} } } defaultServe { ${serveFields} } targets { variation values attribute } sticky
        rollout { ruleId onGuardBreach state currentStage stages { weights { variation weight } holdSeconds enableRules guard { query max } } } }
    }
  }
}`;

const restQuery = `query VexilCliExportRest {
  environments { key name createdAt }
  segments { key environment name description included excluded condition version createdAt updatedAt }
}`;

interface FlagNode extends Omit<Flag, 'kind' | 'valueType' | 'environments' | 'variations'> {
  kind: string;
  valueType: string;
  variations: Array<{
    key: string;
    name: string | null;
    description: string | null;
    value: Flag['variations'][number]['value'];
  }>;
  environments: Array<{
    environment: string;
    on: boolean;
    offVariation: string;
    rules: Array<{ id: string; description: string | null; condition: string; enabled: boolean; serve: ServeData }>;
    defaultServe: ServeData;
    targets: Array<{ variation: string; values: string[]; attribute: string }>;
    rollout: PlanNode | null;
    sticky: boolean;
  }>;
}

interface PlanNode {
  ruleId: string | null;
  onGuardBreach: RolloutPlan['onGuardBreach'];
  state: RolloutPlan['state'];
  currentStage: number | null;
  stages: Array<{ weights: Weight[]; holdSeconds: number; enableRules: string[]; guard: RolloutGuard | null }>;
}

export async function readRemoteState(target: GatewayTarget): Promise<EngineState> {
  const flags: Flag[] = [];
  let after: string | null = null;
  do {
    type Page = { flags: { nodes: FlagNode[]; pageInfo: { hasNextPage: boolean; endCursor: string | null } } };
    const page: Page = await gatewayRequest<Page>(target, flagsPageQuery, { after });
    flags.push(...page.flags.nodes.map(toFlag));
    after = page.flags.pageInfo.hasNextPage ? page.flags.pageInfo.endCursor : null;
  } while (after !== null);
  const rest = await gatewayRequest<{ environments: Environment[]; segments: Segment[] }>(target, restQuery);
  return { environments: rest.environments, segments: rest.segments, flags };
}

/** GraphQL's shape (upper-case enums, nulls, environments as a list) back to the model's. */
function toFlag(node: FlagNode): Flag {
  return {
    ...node,
    kind: node.kind.toLowerCase() as FlagKind,
    valueType: node.valueType.toLowerCase() as ValueType,
    variations: node.variations.map(({ key, value, name, description }) => ({
      key,
      value,
      ...(name ? { name } : {}),
      ...(description ? { description } : {}),
    })),
    environments: Object.fromEntries(
      node.environments.map(({ environment, on, offVariation, rules, defaultServe, targets, rollout, sticky }) => [
        environment,
        {
          on,
          offVariation,
          rules: rules.map(({ id, description, condition, serve, enabled }) => ({
            id,
            ...(description ? { description } : {}),
            condition,
            serve: toServe(serve),
            ...(enabled === false ? { enabled } : {}),
          })),
          defaultServe: toServe(defaultServe),
          ...(targets.length > 0 ? { targets } : {}),
          ...(rollout ? { rollout: toPlan(rollout) } : {}),
          ...(sticky ? { sticky } : {}),
        },
      ]),
    ),
  };
}

function toPlan(node: PlanNode): RolloutPlan {
  return {
    ruleId: node.ruleId,
    onGuardBreach: node.onGuardBreach,
    state: node.state,
    currentStage: node.currentStage ?? -1,
    stageEnteredAt: null,
    baseline: null,
    lastGuardCheck: null,
    stages: node.stages.map(({ weights, holdSeconds, enableRules, guard }) => ({
      weights,
      holdSeconds,
      ...(enableRules.length > 0 ? { enableRules } : {}),
      ...(guard ? { guard } : {}),
    })),
  };
}
