/**
 * `vexil flags rollout show|set|start|pause|resume|advance|rollback KEY --environment E`: a flag
 * environment's rollout plan from the command line. `set --file plan.yaml` writes a plan (YAML or
 * JSON: `{ruleId?, onGuardBreach?, stages: [{percentage | weights, holdSeconds | hold, guard?, enableRules?}]}`,
 * `hold` written as `90s`, `30m`, `4h` or `1d`); every change carries the version just read, so a
 * concurrent step (the scheduler's too) is a CONFLICT, never lost.
 */
import { parse as parseYaml } from 'yaml';
import { CliFailure, gatewayRequest, printRecord, type GatewayTarget } from '../gateway-client.js';
import { readInputFile } from '../input-file.js';
import type { CommandContext } from '../main.js';
import { parseCommand, requireGateway, requiredOption, stringOption, tableOrJson } from './options.js';
import { printRows } from '../table.js';

const planFields = `ruleId state onGuardBreach currentStage stageEnteredAt nextAdvanceAt
  stages { weights { variation weight } holdSeconds enableRules guard { query max } }
  lastGuardCheck { at value outcome detail }`;
const flagFields = `key version environments(environment: $environment) { environment on rollout { ${planFields} } }`;
const args = '$key: String!, $environment: String!, $expectedVersion: Int!, $comment: String';
const pass = 'key: $key, environment: $environment, expectedVersion: $expectedVersion, comment: $comment';

const readQuery = `query VexilCliRollout($key: String!, $environment: String) { flag(key: $key) { ${flagFields} } }`;
const mutations: Record<string, string> = {
  set: `mutation VexilCliSetRollout(${args}, $plan: RolloutPlanInput!) { setRolloutPlan(${pass}, plan: $plan) { ${flagFields} } }`,
  start: `mutation VexilCliStartRollout(${args}) { startRollout(${pass}) { ${flagFields} } }`,
  pause: `mutation VexilCliPauseRollout(${args}) { pauseRollout(${pass}) { ${flagFields} } }`,
  resume: `mutation VexilCliResumeRollout(${args}) { resumeRollout(${pass}) { ${flagFields} } }`,
  advance: `mutation VexilCliAdvanceRollout(${args}) { advanceRollout(${pass}) { ${flagFields} } }`,
  rollback: `mutation VexilCliRollback(${args}, $to: RollbackTarget!) { rollbackRollout(${pass}, to: $to) { ${flagFields} } }`,
};
const fieldOf: Record<string, string> = {
  set: 'setRolloutPlan',
  start: 'startRollout',
  pause: 'pauseRollout',
  resume: 'resumeRollout',
  advance: 'advanceRollout',
  rollback: 'rollbackRollout',
};

interface PlanData {
  state: string;
  currentStage: number | null;
  stageEnteredAt: string | null;
  nextAdvanceAt: string | null;
  onGuardBreach: string;
  ruleId: string | null;
  stages: Array<{
    weights: Array<{ variation: string; weight: number }>;
    holdSeconds: number;
    guard: { query: string; max: number } | null;
  }>;
  lastGuardCheck: { at: string; value: number | null; outcome: string; detail: string } | null;
}
interface RolloutFlag {
  key: string;
  version: number;
  environments: Array<{ environment: string; on: boolean; rollout: PlanData | null }>;
}

export async function rollout(argv: string[], context: CommandContext): Promise<number> {
  const [action, ...rest] = argv;
  if (action !== 'show' && !(action !== undefined && action in mutations))
    throw new CliFailure(
      `rollout needs show, set, start, pause, resume, advance or rollback${action ? `, not '${action}'` : ''}`,
      2,
    );
  const { values, positionals } = parseCommand(
    rest,
    {
      environment: { type: 'string', short: 'e' },
      file: { type: 'string', short: 'f' },
      to: { type: 'string' },
      comment: { type: 'string', short: 'm' },
    },
    { min: 1, max: 1, names: 'flag KEY' },
  );
  const environment = requiredOption(values, 'environment');
  const extra = extraVariables(action, values);
  const target = requireGateway(values);
  const format = tableOrJson(values);
  const flag = await read(target, positionals[0]!, environment);
  if (action === 'show') return show(context, format, flag);
  const variables = {
    key: flag.key,
    environment,
    expectedVersion: flag.version,
    comment: stringOption(values, 'comment') ?? null,
    ...extra,
  };
  const data = await gatewayRequest<Record<string, RolloutFlag>>(target, mutations[action]!, variables);
  return show(context, format, data[fieldOf[action]!]!);
}

function extraVariables(action: string, values: Record<string, unknown>): Record<string, unknown> {
  if (action === 'set') return { plan: readPlanFile(requiredOption(values, 'file')) };
  if (action !== 'rollback') return {};
  const to = (stringOption(values, 'to') ?? 'previous').toLowerCase();
  if (to !== 'previous' && to !== 'zero') throw new CliFailure(`--to must be previous or zero, not '${to}'`, 2);
  return { to: to.toUpperCase() };
}

async function read(target: GatewayTarget, key: string, environment: string): Promise<RolloutFlag> {
  const { flag } = await gatewayRequest<{ flag: RolloutFlag | null }>(target, readQuery, { key, environment });
  if (!flag) throw new CliFailure(`the gateway refused: NOT_FOUND: no flag '${key}'`, 1, 'NOT_FOUND');
  return flag;
}

function show(context: CommandContext, format: 'json' | 'table', flag: RolloutFlag): number {
  const config = flag.environments[0];
  const plan = config?.rollout ?? null;
  if (format === 'json') {
    context.stdout(
      JSON.stringify({ key: flag.key, version: flag.version, environment: config?.environment ?? null, rollout: plan }),
    );
    return 0;
  }
  if (!plan) {
    context.stdout(`${flag.key}: no rollout plan in this environment`);
    return 0;
  }
  const check = plan.lastGuardCheck;
  printRecord(context, 'table', {
    key: flag.key,
    environment: config!.environment,
    state: plan.state,
    stage: plan.currentStage === null ? '-' : `${plan.currentStage + 1} of ${plan.stages.length}`,
    entered: plan.stageEnteredAt,
    'next advance': plan.nextAdvanceAt,
    'on breach': plan.onGuardBreach,
    'last guard': check ? `${check.outcome} ${check.value ?? ''} at ${check.at}`.replace('  ', ' ') : null,
    version: flag.version,
  });
  context.stdout('');
  printRows(context, 'table', plan.stages, ['#', 'weights', 'hold', 'guard'], (stage) => [
    plan.stages.indexOf(stage) + 1 + (plan.stages.indexOf(stage) === plan.currentStage ? ' *' : ''),
    stage.weights.map((weight) => `${weight.variation} ${weight.weight / 1000}%`).join(', '),
    duration(stage.holdSeconds),
    stage.guard ? `${stage.guard.query} <= ${stage.guard.max}` : '',
  ]);
  return 0;
}

const units: Array<[string, number]> = [
  ['d', 86_400],
  ['h', 3600],
  ['m', 60],
  ['s', 1],
];

function duration(seconds: number): string {
  const unit = units.find(([, size]) => seconds >= size && seconds % size === 0);
  return unit ? `${seconds / unit[1]}${unit[0]}` : `${seconds}s`;
}

/** The plan file as RolloutPlanInput: `hold: 4h` becomes `holdSeconds: 14400`. */
function readPlanFile(file: string): Record<string, unknown> {
  let raw: unknown;
  try {
    raw = parseYaml(readInputFile(file));
  } catch (error) {
    if (error instanceof CliFailure) throw error;
    throw new CliFailure(`${file}: ${(error as Error).message.split('\n')[0]}`, 2);
  }
  const body = raw as { stages?: unknown } | null;
  if (typeof body !== 'object' || body === null || !Array.isArray(body.stages))
    throw new CliFailure(`${file}: expected a mapping with 'stages:' (a list)`, 2);
  const stages = body.stages.map((stage: Record<string, unknown>, index: number) => {
    const { hold, ...fields } = (stage ?? {}) as Record<string, unknown>;
    if (hold === undefined) return fields;
    const match = /^(\d+)\s*([smhd])$/.exec(String(hold));
    if (!match) throw new CliFailure(`${file}: stage ${index + 1}: hold must look like 90s, 30m, 4h or 1d`, 2);
    return { ...fields, holdSeconds: Number(match[1]) * units.find(([unit]) => unit === match[2])![1] };
  });
  return { ...(body as Record<string, unknown>), stages };
}
