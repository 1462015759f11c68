/**
 * `vexil flags create|toggle|archive|restore`: the changes an operator makes by hand. The kill
 * switch is one command in an incident: `vexil flags toggle KEY off --environment production --comment "INC-123"`.
 */
import { CliFailure, gatewayRequest, printRecord } from '../gateway-client.js';
import type { CommandContext } from '../main.js';
import {
  archiveFlagMutation,
  createFlagMutation,
  type FlagData,
  restoreFlagMutation,
  toggleFlagMutation,
} from './operations.js';
import { parseCommand, requireGateway, requiredOption, stringOption, tableOrJson } from './options.js';

const flagKinds = ['release', 'experiment', 'ops', 'permission'];
const valueTypes = ['boolean', 'string', 'number', 'json'];

export async function toggleFlag(args: string[], context: CommandContext): Promise<number> {
  const { values, positionals } = parseCommand(
    args,
    { environment: { type: 'string', short: 'e' }, comment: { type: 'string', short: 'm' } },
    { min: 2, max: 2, names: 'flag KEY and on|off' },
  );
  const [key, state] = positionals as [string, string];
  if (state !== 'on' && state !== 'off') throw new CliFailure(`the state must be on or off, not '${state}'`, 2);
  const environment = requiredOption(values, 'environment');
  const target = requireGateway(values);
  const format = tableOrJson(values);
  const { toggleFlag: flag } = await gatewayRequest<{ toggleFlag: FlagData }>(target, toggleFlagMutation, {
    key,
    environment,
    on: state === 'on',
    comment: stringOption(values, 'comment') ?? null,
  });
  printRecord(context, format, {
    key: flag.key,
    environment,
    on: flag.environments[0]?.on ?? state === 'on',
    version: flag.version,
  });
  return 0;
}

export async function archiveOrRestore(
  action: 'archive' | 'restore',
  args: string[],
  context: CommandContext,
): Promise<number> {
  const { values, positionals } = parseCommand(
    args,
    { comment: { type: 'string', short: 'm' } },
    { min: 1, max: 1, names: 'flag KEY' },
  );
  const target = requireGateway(values);
  const format = tableOrJson(values);
  const mutation = action === 'archive' ? archiveFlagMutation : restoreFlagMutation;
  const data = await gatewayRequest<Record<string, FlagData>>(target, mutation, {
    key: positionals[0],
    comment: stringOption(values, 'comment') ?? null,
  });
  const flag = data[action === 'archive' ? 'archiveFlag' : 'restoreFlag']!;
  printRecord(context, format, { key: flag.key, archived: flag.archived, version: flag.version });
  return 0;
}

export async function createFlag(args: string[], context: CommandContext): Promise<number> {
  const options = {
    kind: { type: 'string' },
    type: { type: 'string' },
    variation: { type: 'string', multiple: true },
    name: { type: 'string' },
    description: { type: 'string' },
    owner: { type: 'string' },
    tag: { type: 'string', multiple: true },
    'expires-at': { type: 'string' },
    comment: { type: 'string', short: 'm' },
  } as const;
  const { values, positionals } = parseCommand(args, options, { min: 1, max: 1, names: 'flag KEY' });
  const kind = requiredOption(values, 'kind');
  if (!flagKinds.includes(kind)) throw new CliFailure(`--kind must be one of ${flagKinds.join(', ')}`, 2);
  const valueType = stringOption(values, 'type') ?? 'boolean';
  if (!valueTypes.includes(valueType)) throw new CliFailure(`--type must be one of ${valueTypes.join(', ')}`, 2);
  const variations = parseVariations((values.variation as string[] | undefined) ?? [], valueType);
  const target = requireGateway(values);
  const format = tableOrJson(values);
  const input = {
    key: positionals[0],
    kind: kind.toUpperCase(),
    valueType: valueType.toUpperCase(),
    variations,
    name: stringOption(values, 'name'),
    description: stringOption(values, 'description'),
    owner: stringOption(values, 'owner'),
    tags: values.tag as string[] | undefined,
    expiresAt: stringOption(values, 'expires-at'),
  };
  const { createFlag: flag } = await gatewayRequest<{ createFlag: FlagData }>(target, createFlagMutation, {
    input,
    comment: stringOption(values, 'comment') ?? null,
    environment: null,
  });
  printRecord(context, format, {
    key: flag.key,
    kind: flag.kind.toLowerCase(),
    owner: flag.owner,
    expiresAt: flag.expiresAt,
    variations: (flag.variations ?? []).map((variation) => variation.key).join(', '),
    environments: flag.environments
      .map((environment) => `${environment.environment}:${environment.on ? 'on' : 'off'}`)
      .join(' '),
    version: flag.version,
  });
  return 0;
}

/** `--variation on=true --variation off=false`; boolean flags default to exactly that. */
function parseVariations(specs: string[], valueType: string): Array<{ key: string; value: unknown }> {
  if (specs.length === 0) {
    if (valueType === 'boolean')
      return [
        { key: 'on', value: true },
        { key: 'off', value: false },
      ];
    throw new CliFailure(`a ${valueType} flag needs its variations: --variation KEY=VALUE (repeat it)`, 2);
  }
  return specs.map((spec) => {
    const equals = spec.indexOf('=');
    if (equals < 1) throw new CliFailure(`--variation '${spec}' must be KEY=VALUE`, 2);
    const raw = spec.slice(equals + 1);
    return {
      key: spec.slice(0, equals),
      value: valueType === 'string' && !raw.startsWith('"') ? raw : parseJson(raw, spec),
    };
  });
}

function parseJson(raw: string, spec: string): unknown {
  try {
    return JSON.parse(raw);
  } catch {
    throw new CliFailure(`--variation '${spec}': the value is not JSON (strings of a string flag may be unquoted)`, 2);
  }
}
