/** `vexil flags list` and `vexil flags get`: what is there, for people (tables) and scripts (JSON). */
import { CliFailure, gatewayRequest } from '../gateway-client.js';
import type { CommandContext } from '../main.js';
import { printRows, renderTable } from '../table.js';
import { type FlagData, describeServe, getFlagQuery, listFlagsQuery } from './operations.js';
import { parseCommand, requireGateway, stringOption, tableOrJson } from './options.js';

const pageSize = 500;

export async function listFlags(args: string[], context: CommandContext): Promise<number> {
  const { values } = parseCommand(
    args,
    {
      kind: { type: 'string' },
      tag: { type: 'string' },
      owner: { type: 'string' },
      search: { type: 'string' },
      archived: { type: 'boolean' },
      limit: { type: 'string' },
    },
    { min: 0, max: 0, names: '' },
  );
  const target = requireGateway(values);
  const format = tableOrJson(values);
  const limit = Number(stringOption(values, 'limit') ?? 10_000);
  if (!Number.isInteger(limit) || limit < 1) throw new CliFailure('--limit must be a positive integer', 2);
  const filter = {
    kind: stringOption(values, 'kind')?.toUpperCase(),
    tag: stringOption(values, 'tag'),
    owner: stringOption(values, 'owner'),
    search: stringOption(values, 'search'),
    archived: values.archived === true ? true : undefined,
  };
  const flags: FlagData[] = [];
  let after: string | null = null;
  do {
    type Page = { flags: { nodes: FlagData[]; pageInfo: { hasNextPage: boolean; endCursor: string | null } } };
    const page: Page = await gatewayRequest<Page>(target, listFlagsQuery, {
      ...filter,
      first: Math.min(pageSize, limit - flags.length),
      after,
    });
    flags.push(...page.flags.nodes);
    after = page.flags.pageInfo.hasNextPage ? page.flags.pageInfo.endCursor : null;
  } while (after !== null && flags.length < limit);
  printRows(context, format, flags, ['KEY', 'KIND', 'OWNER', 'ENVIRONMENTS', 'EXPIRES', 'STALE'], (flag) => [
    flag.archived ? `${flag.key} (archived)` : flag.key,
    flag.kind.toLowerCase(),
    flag.owner,
    flag.environments.map((environment) => `${environment.environment}:${environment.on ? 'on' : 'off'}`).join(' '),
    flag.expiresAt?.slice(0, 10),
    flag.stale ? 'yes' : '',
  ]);
  return 0;
}

export async function getFlag(args: string[], context: CommandContext): Promise<number> {
  const { values, positionals } = parseCommand(
    args,
    { environment: { type: 'string' } },
    { min: 1, max: 1, names: 'flag KEY' },
  );
  const target = requireGateway(values);
  const format = tableOrJson(values);
  const { flag } = await gatewayRequest<{ flag: FlagData | null }>(target, getFlagQuery, {
    key: positionals[0],
    environment: stringOption(values, 'environment') ?? null,
  });
  if (!flag) throw new CliFailure(`the gateway refused: NOT_FOUND: no flag '${positionals[0]}'`, 1, 'NOT_FOUND');
  if (format === 'json') {
    context.stdout(JSON.stringify(flag));
    return 0;
  }
  context.stdout(renderFlag(flag));
  return 0;
}

function renderFlag(flag: FlagData): string {
  const header = renderTable(
    ['FIELD', 'VALUE'],
    [
      ['key', flag.key],
      ['name', flag.name],
      ['kind', flag.kind.toLowerCase()],
      ['type', flag.valueType?.toLowerCase()],
      ['owner', flag.owner],
      ['tags', flag.tags.join(', ')],
      ['expires', flag.expiresAt],
      ['archived', flag.archived],
      ['stale', flag.stale],
      ['version', flag.version],
      [
        'variations',
        (flag.variations ?? []).map((variation) => `${variation.key}=${JSON.stringify(variation.value)}`).join(', '),
      ],
    ],
  );
  const environments = flag.environments.map((environment) => {
    const rules = (environment.rules ?? []).map((rule, index) => [
      String(index + 1),
      rule.id,
      rule.condition,
      describeServe(rule.serve),
    ]);
    const title = `\n${environment.environment}: ${environment.on ? 'ON' : `OFF (serves ${environment.offVariation})`}, default ${describeServe(environment.defaultServe)}`;
    return rules.length === 0
      ? `${title}\n  no rules`
      : `${title}\n${renderTable(['#', 'RULE', 'CONDITION', 'SERVES'], rules)}`;
  });
  return [header, ...environments].join('\n');
}
