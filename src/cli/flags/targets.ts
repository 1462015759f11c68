/**
 * `vexil flags targets KEY --environment E [--add VARIATION=k1,k2]… [--remove k]… [--file targets.yaml]`:
 * shows or changes one environment's individual targets. `--file` replaces them with the file's (a YAML
 * or JSON list of {variation, values, attribute?}); `--add` moves the keys to that variation (a key is
 * a target of one variation only); `--remove` drops keys from every target. The write keeps the kill
 * switch, rules and default serve and carries the version read, so a concurrent edit is a CONFLICT.
 */
import { parse as parseYaml } from 'yaml';
import { type Target, targetingKeyAttribute } from '../../flags/model.js';
import { CliFailure, gatewayRequest } from '../gateway-client.js';
import { readInputFile } from '../input-file.js';
import type { CommandContext } from '../main.js';
import { printRows } from '../table.js';
import { type ServeData, toServe } from './operations.js';
import { parseCommand, requireGateway, requiredOption, stringOption, tableOrJson } from './options.js';

const targetsQuery = `query VexilCliTargets($key: String!, $environment: String!) {
  flag(key: $key) { key version environments(environment: $environment) {
    on offVariation defaultServe { variation rollout { bucketBy weights { variation weight } } }
    targets { variation values attribute } } }
}`;

const setTargetsMutation = `mutation VexilCliSetTargets($key: String!, $environment: String!, $expectedVersion: Int!, $config: EnvironmentConfigInput!, $comment: String) {
  setFlagEnvironment(key: $key, environment: $environment, expectedVersion: $expectedVersion, config: $config, comment: $comment) {
    version environments(environment: $environment) { targets { variation values attribute } }
  }
}`;

interface EnvironmentData {
  on: boolean;
  offVariation: string;
  defaultServe: ServeData;
  targets: Target[];
}

export async function setTargets(args: string[], context: CommandContext): Promise<number> {
  const { values, positionals } = parseCommand(
    args,
    {
      environment: { type: 'string', short: 'e' },
      add: { type: 'string', multiple: true },
      remove: { type: 'string', multiple: true },
      attribute: { type: 'string' },
      file: { type: 'string', short: 'f' },
      comment: { type: 'string', short: 'm' },
    },
    { min: 1, max: 1, names: 'flag KEY' },
  );
  const environment = requiredOption(values, 'environment');
  const attribute = stringOption(values, 'attribute') ?? targetingKeyAttribute;
  const additions = ((values.add as string[] | undefined) ?? []).map(parseAddition);
  const removals = ((values.remove as string[] | undefined) ?? []).flatMap(splitKeys);
  const file = stringOption(values, 'file');
  const fromFile = file === undefined ? undefined : readTargetsFile(file);
  const target = requireGateway(values);
  const format = tableOrJson(values);
  const { flag } = await gatewayRequest<{
    flag: { key: string; version: number; environments: EnvironmentData[] } | null;
  }>(target, targetsQuery, { key: positionals[0], environment });
  if (!flag) throw new CliFailure(`the gateway refused: NOT_FOUND: no flag '${positionals[0]}'`, 1, 'NOT_FOUND');
  const current = flag.environments[0];
  let targets = fromFile ?? current?.targets ?? [];
  if (fromFile === undefined && additions.length === 0 && removals.length === 0) {
    printTargets(context, format, targets);
    return 0;
  }
  if (!current) throw new CliFailure(`flag '${flag.key}' is not configured in '${environment}': configure it first`, 2);
  targets = withoutKeys(targets, removals, undefined);
  for (const { variation, keys } of additions)
    targets = addKeys(withoutKeys(targets, keys, attribute), variation, keys, attribute);
  const { setFlagEnvironment: updated } = await gatewayRequest<{
    setFlagEnvironment: { environments: Array<{ targets: Target[] }> };
  }>(target, setTargetsMutation, {
    key: flag.key,
    environment,
    expectedVersion: flag.version,
    config: {
      on: current.on,
      offVariation: current.offVariation,
      defaultServe: toServe(current.defaultServe),
      targets,
    },
    comment: stringOption(values, 'comment') ?? null,
  });
  printTargets(context, format, updated.environments[0]?.targets ?? []);
  return 0;
}

function parseAddition(text: string): { variation: string; keys: string[] } {
  const at = text.indexOf('=');
  const keys = splitKeys(text.slice(at + 1));
  if (at <= 0 || keys.length === 0) throw new CliFailure(`--add takes VARIATION=key1,key2, not '${text}'`, 2);
  return { variation: text.slice(0, at), keys };
}

function splitKeys(text: string): string[] {
  return text
    .split(',')
    .map((key) => key.trim())
    .filter((key) => key !== '');
}

/** Drops the keys from every target (of one attribute, or of all when `attribute` is undefined), and empty targets. */
function withoutKeys(targets: Target[], keys: string[], attribute: string | undefined): Target[] {
  const drop = new Set(keys);
  return targets
    .map((entry) =>
      attribute === undefined || (entry.attribute ?? targetingKeyAttribute) === attribute
        ? { ...entry, values: entry.values.filter((value) => !drop.has(value)) }
        : entry,
    )
    .filter((entry) => entry.values.length > 0);
}

function addKeys(targets: Target[], variation: string, keys: string[], attribute: string): Target[] {
  const index = targets.findIndex(
    (entry) => entry.variation === variation && (entry.attribute ?? targetingKeyAttribute) === attribute,
  );
  if (index < 0) return [...targets, { variation, values: keys, attribute }];
  return targets.map((entry, i) => (i === index ? { ...entry, values: [...entry.values, ...keys] } : entry));
}

function readTargetsFile(file: string): Target[] {
  let raw: unknown;
  try {
    raw = parseYaml(readInputFile(file));
  } catch (error) {
    throw new CliFailure(`${file}: ${(error as Error).message.split('\n')[0]}`, 2);
  }
  const list = Array.isArray(raw) ? raw : (raw as { targets?: unknown } | null)?.targets;
  if (!Array.isArray(list))
    throw new CliFailure(
      `${file}: expected a list of targets {variation, values, attribute?}, or a mapping with 'targets:'`,
      2,
    );
  return list as Target[];
}

function printTargets(context: CommandContext, format: 'json' | 'table', targets: Target[]): void {
  const rows = targets.map(({ variation, values, attribute }) => ({
    variation,
    attribute: attribute ?? targetingKeyAttribute,
    values,
  }));
  printRows(context, format, rows, ['VARIATION', 'ATTRIBUTE', 'COUNT', 'VALUES'], (row) => [
    row.variation,
    row.attribute,
    row.values.length,
    row.values.length > 5 ? `${row.values.slice(0, 5).join(', ')}, …` : row.values.join(', '),
  ]);
}
