/**
 * `vexil segments list|get|create|update|delete`: named audiences per environment, from the command
 * line, against a running gateway. Same options, output formats and exit codes as `vexil flags`.
 */
import type { Segment } from '../flags/model.js';
import { type Action, commandWithActions } from './actions.js';
import { CliFailure, gatewayRequest, printRecord } from './gateway-client.js';
import { parseCommand, requireGateway, requiredOption, stringOption, tableOrJson } from './flags/options.js';
import type { CommandContext } from './main.js';
import { printRows } from './table.js';

const usage = `Usage: vexil segments <action> [arguments] [options]

Actions:
  list [--environment E]                 the segments (of one environment)
  get KEY --environment E                one segment
  create KEY --environment E             a new segment
      --name N  --description D  --condition RULE
      --include KEY (repeatable)         targeting keys always in the segment
      --exclude KEY (repeatable)         targeting keys never in it (wins over everything)
  update KEY --environment E             change the fields given (same options as create);
                                         --include/--exclude replace the lists
  delete KEY --environment E             refused while a flag rule uses the segment

Options of every action:
  --url URL  --key KEY  (defaults: VEXIL_URL, VEXIL_API_KEY)  --format table (default) | json
  --comment TEXT (-m) for changes, recorded in the audit log

Exit codes: 0 done, 1 the gateway refused (code named), 2 usage or connection error.
`;

const fields = 'key environment name description included excluded condition version updatedAt';

/** What the CLI reads of a segment: the model's fields but its timestamps. */
type SegmentData = Omit<Segment, 'createdAt' | 'updatedAt'>;

const editOptions = {
  environment: { type: 'string', short: 'e' },
  name: { type: 'string' },
  description: { type: 'string' },
  condition: { type: 'string' },
  include: { type: 'string', multiple: true },
  exclude: { type: 'string', multiple: true },
  comment: { type: 'string', short: 'm' },
} as const;

type Values = ReturnType<typeof parseCommand>['values'];

function segmentFields(values: Values): Record<string, unknown> {
  const fieldsGiven: Record<string, unknown> = {};
  for (const name of ['name', 'description', 'condition'] as const)
    if (stringOption(values, name) !== undefined) fieldsGiven[name] = stringOption(values, name);
  if (values.include) fieldsGiven.included = values.include;
  if (values.exclude) fieldsGiven.excluded = values.exclude;
  return fieldsGiven;
}

function printSegment(context: CommandContext, format: 'json' | 'table', segment: SegmentData): void {
  printRecord(context, format, {
    ...segment,
    included: format === 'json' ? segment.included : segment.included.join(', '),
    excluded: format === 'json' ? segment.excluded : segment.excluded.join(', '),
  });
}

async function list(args: string[], context: CommandContext): Promise<number> {
  const { values } = parseCommand(args, { environment: { type: 'string', short: 'e' } }, { min: 0, max: 0, names: '' });
  const target = requireGateway(values);
  const format = tableOrJson(values);
  const { segments } = await gatewayRequest<{ segments: SegmentData[] }>(
    target,
    `query VexilCliSegments($environment: String) { segments(environment: $environment) { ${fields} } }`,
    { environment: stringOption(values, 'environment') ?? null },
  );
  printRows(
    context,
    format,
    segments,
    ['ENVIRONMENT', 'KEY', 'NAME', 'INCLUDED', 'EXCLUDED', 'CONDITION'],
    (segment) => [
      segment.environment,
      segment.key,
      segment.name,
      segment.included.length,
      segment.excluded.length,
      segment.condition,
    ],
  );
  return 0;
}

async function get(args: string[], context: CommandContext): Promise<number> {
  const { values, positionals } = parseCommand(
    args,
    { environment: { type: 'string', short: 'e' } },
    { min: 1, max: 1, names: 'segment KEY' },
  );
  const environment = requiredOption(values, 'environment');
  const target = requireGateway(values);
  const { segment } = await gatewayRequest<{ segment: SegmentData | null }>(
    target,
    `query VexilCliSegment($key: String!, $environment: String!) { segment(key: $key, environment: $environment) { ${fields} } }`,
    { key: positionals[0], environment },
  );
  if (!segment)
    throw new CliFailure(
      `the gateway refused: NOT_FOUND: no segment '${positionals[0]}' in ${environment}`,
      1,
      'NOT_FOUND',
    );
  printSegment(context, tableOrJson(values), segment);
  return 0;
}

async function create(args: string[], context: CommandContext): Promise<number> {
  const { values, positionals } = parseCommand(args, editOptions, { min: 1, max: 1, names: 'segment KEY' });
  const input = { key: positionals[0], environment: requiredOption(values, 'environment'), ...segmentFields(values) };
  const target = requireGateway(values);
  const mutation = `mutation VexilCliCreateSegment($input: SegmentInput!, $comment: String) { createSegment(input: $input, comment: $comment) { ${fields} } }`;
  const { createSegment } = await gatewayRequest<{ createSegment: SegmentData }>(target, mutation, {
    input,
    comment: stringOption(values, 'comment') ?? null,
  });
  printSegment(context, tableOrJson(values), createSegment);
  return 0;
}

/** Reads the current version first: the write is refused (CONFLICT) if someone changed it meanwhile. */
async function current(
  target: ReturnType<typeof requireGateway>,
  key: string,
  environment: string,
): Promise<SegmentData> {
  const { segment } = await gatewayRequest<{ segment: SegmentData | null }>(
    target,
    `query VexilCliSegmentVersion($key: String!, $environment: String!) { segment(key: $key, environment: $environment) { ${fields} } }`,
    { key, environment },
  );
  if (!segment)
    throw new CliFailure(`the gateway refused: NOT_FOUND: no segment '${key}' in ${environment}`, 1, 'NOT_FOUND');
  return segment;
}

async function update(args: string[], context: CommandContext): Promise<number> {
  const { values, positionals } = parseCommand(args, editOptions, { min: 1, max: 1, names: 'segment KEY' });
  const environment = requiredOption(values, 'environment');
  const input = segmentFields(values);
  if (Object.keys(input).length === 0)
    throw new CliFailure('nothing to change: give --name, --description, --condition, --include or --exclude', 2);
  const target = requireGateway(values);
  const { version } = await current(target, positionals[0]!, environment);
  const mutation = `mutation VexilCliUpdateSegment($key: String!, $environment: String!, $expectedVersion: Int!, $input: UpdateSegmentInput!, $comment: String) {
    updateSegment(key: $key, environment: $environment, expectedVersion: $expectedVersion, input: $input, comment: $comment) { ${fields} } }`;
  const { updateSegment } = await gatewayRequest<{ updateSegment: SegmentData }>(target, mutation, {
    key: positionals[0],
    environment,
    expectedVersion: version,
    input,
    comment: stringOption(values, 'comment') ?? null,
  });
  printSegment(context, tableOrJson(values), updateSegment);
  return 0;
}

async function remove(args: string[], context: CommandContext): Promise<number> {
  const { values, positionals } = parseCommand(
    args,
    { environment: { type: 'string', short: 'e' }, comment: { type: 'string', short: 'm' } },
    { min: 1, max: 1, names: 'segment KEY' },
  );
  const environment = requiredOption(values, 'environment');
  const target = requireGateway(values);
  const { version } = await current(target, positionals[0]!, environment);
  const mutation = `mutation VexilCliDeleteSegment($key: String!, $environment: String!, $expectedVersion: Int!, $comment: String) {
    deleteSegment(key: $key, environment: $environment, expectedVersion: $expectedVersion, comment: $comment) }`;
  await gatewayRequest(target, mutation, {
    key: positionals[0],
    environment,
    expectedVersion: version,
    comment: stringOption(values, 'comment') ?? null,
  });
  printRecord(context, tableOrJson(values), { key: positionals[0], environment, deleted: true });
  return 0;
}

const actions: Record<string, () => Promise<Action>> = {
  list: async () => list,
  get: async () => get,
  create: async () => create,
  update: async () => update,
  delete: async () => remove,
};

export const segmentsCommand = commandWithActions(
  'segments',
  'list, inspect, create, update and delete segments',
  usage,
  actions,
);
