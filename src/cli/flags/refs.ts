/**
 * `vexil flags refs DIR`: where the code still refers to which flag. Asks the gateway for the flag
 * keys (archived ones too), scans DIR (src/refs), prints per flag its `file:line` references, the
 * flags with none, and references to unknown or archived keys. `--fail-on unknown,archived` makes
 * it a CI check: exit 1 when such references exist.
 */
import { statSync } from 'node:fs';
import { type ReferenceScan, scanReferences } from '../../refs/scan.js';
import { CliFailure, gatewayRequest } from '../gateway-client.js';
import type { CommandContext } from '../main.js';
import { renderTable } from '../table.js';
import { parseCommand, requireGateway, stringOption, tableOrJson } from './options.js';

const failureKinds = ['unknown', 'archived'] as const;
type FailureKind = (typeof failureKinds)[number];

const flagKeysQuery = `query VexilCliFlagKeys($after: String) {
  flags(first: 500, after: $after) { pageInfo { hasNextPage endCursor } nodes { key archived } }
}`;

async function knownFlags(
  target: ReturnType<typeof requireGateway>,
): Promise<Array<{ key: string; archived: boolean }>> {
  const flags: Array<{ key: string; archived: boolean }> = [];
  let after: string | null = null;
  do {
    type Page = {
      flags: {
        nodes: Array<{ key: string; archived: boolean }>;
        pageInfo: { hasNextPage: boolean; endCursor: string | null };
      };
    };
    const page: Page = await gatewayRequest<Page>(target, flagKeysQuery, { after });
    flags.push(...page.flags.nodes);
    after = page.flags.pageInfo.hasNextPage ? page.flags.pageInfo.endCursor : null;
  } while (after !== null);
  return flags;
}

export async function findReferences(args: string[], context: CommandContext): Promise<number> {
  const { values, positionals } = parseCommand(
    args,
    { 'fail-on': { type: 'string' }, report: { type: 'boolean' }, repository: { type: 'string' } },
    { min: 1, max: 1, names: 'the directory to scan' },
  );
  const failOn = parseFailOn(stringOption(values, 'fail-on'));
  const directory = positionals[0]!;
  if (!statSync(directory, { throwIfNoEntry: false })?.isDirectory())
    throw new CliFailure(`${directory} is not a directory`, 2);
  const target = requireGateway(values);
  const format = tableOrJson(values);
  const flags = await knownFlags(target);
  const scan = scanReferences(directory, flags);
  const archived = new Set(flags.filter((flag) => flag.archived).map((flag) => flag.key));
  const summary = summarize(scan, archived, stringOption(values, 'repository'));
  if (values.report === true) await sendReport(target, summary);
  if (format === 'json') context.stdout(JSON.stringify(summary));
  else
    context.stdout(
      `${renderSummary(summary)}${values.report === true ? `\n\nReported to the gateway as ${summary.repository}.` : ''}`,
    );
  const failing = failOn.filter((kind) =>
    kind === 'unknown' ? summary.unknown.length > 0 : summary.archived.length > 0,
  );
  if (failing.length > 0)
    context.stderr(`vexil flags refs: found references to ${failing.map((kind) => `${kind} flags`).join(' and ')}`);
  return failing.length > 0 ? 1 : 0;
}

function parseFailOn(value: string | undefined): FailureKind[] {
  if (value === undefined) return [];
  const kinds = value
    .split(',')
    .map((kind) => kind.trim())
    .filter(Boolean);
  const bad = kinds.find((kind) => !failureKinds.includes(kind as FailureKind));
  if (bad) throw new CliFailure(`--fail-on takes ${failureKinds.join(', ')} (comma-separated), not '${bad}'`, 2);
  return kinds as FailureKind[];
}

interface ReferenceSummary {
  repository: string;
  scannedAt: string;
  durationMs: number;
  filesScanned: number;
  filesSkipped: string[];
  flags: Array<{ key: string; archived: boolean; references: Array<{ file: string; line: number }> }>;
  unreferenced: string[];
  unknown: Array<{ key: string; file: string; line: number }>;
  archived: Array<{ key: string; file: string; line: number }>;
}

const reportMutation = `mutation VexilCliReportReferences($repository: String!, $scannedAt: String!, $flags: [CodeReferenceFlagInput!]!) {
  reportCodeReferences(repository: $repository, scannedAt: $scannedAt, flags: $flags) { stored }
}`;

/** `--report`: counts and up to 20 locations per referenced flag, with the scan time and repository. */
async function sendReport(target: ReturnType<typeof requireGateway>, summary: ReferenceSummary): Promise<void> {
  const flags = summary.flags
    .filter((flag) => flag.references.length > 0)
    .map((flag) => ({
      key: flag.key,
      count: flag.references.length,
      locations: flag.references.slice(0, 20).map((location) => `${location.file}:${location.line}`),
    }));
  const { reportCodeReferences } = await gatewayRequest<{ reportCodeReferences: { stored: boolean } }>(
    target,
    reportMutation,
    { repository: summary.repository, scannedAt: summary.scannedAt, flags },
  );
  if (!reportCodeReferences.stored)
    throw new CliFailure(`the gateway kept a later scan of ${summary.repository}; this report was ignored`, 1);
}

function summarize(scan: ReferenceScan, archivedKeys: Set<string>, repository?: string): ReferenceSummary {
  const flags = [...scan.references]
    .map(([key, references]) => ({ key, archived: archivedKeys.has(key), references }))
    .sort((a, b) => (a.key < b.key ? -1 : 1));
  return {
    repository: repository ?? scan.repository,
    scannedAt: scan.scannedAt.toISOString(),
    durationMs: Math.round(scan.durationMs),
    filesScanned: scan.filesScanned,
    filesSkipped: scan.filesSkipped,
    flags,
    unreferenced: flags.filter((flag) => !flag.archived && flag.references.length === 0).map((flag) => flag.key),
    unknown: scan.unknown,
    archived: flags
      .filter((flag) => flag.archived)
      .flatMap((flag) => flag.references.map((location) => ({ key: flag.key, ...location }))),
  };
}

function renderSummary(summary: ReferenceSummary): string {
  const where = (locations: Array<{ file: string; line: number }>) =>
    locations
      .slice(0, 3)
      .map((location) => `${location.file}:${location.line}`)
      .join(' ') + (locations.length > 3 ? ` (+${locations.length - 3})` : '');
  const referenced = summary.flags.filter((flag) => flag.references.length > 0);
  const sections = [
    `Scanned ${summary.filesScanned} files of ${summary.repository} in ${summary.durationMs} ms.`,
    referenced.length === 0
      ? 'No references to known flags.'
      : renderTable(
          ['FLAG', 'REFS', 'WHERE'],
          referenced.map((flag) => [
            flag.archived ? `${flag.key} (archived)` : flag.key,
            flag.references.length,
            where(flag.references),
          ]),
        ),
    `Flags with no reference (${summary.unreferenced.length}): ${summary.unreferenced.join(', ') || '-'}`,
  ];
  if (summary.unknown.length > 0)
    sections.push(
      `References to unknown flags:\n${renderTable(
        ['KEY', 'WHERE'],
        summary.unknown.map((entry) => [entry.key, `${entry.file}:${entry.line}`]),
      )}`,
    );
  if (summary.archived.length > 0)
    sections.push(
      `References to archived flags:\n${renderTable(
        ['KEY', 'WHERE'],
        summary.archived.map((entry) => [entry.key, `${entry.file}:${entry.line}`]),
      )}`,
    );
  if (summary.filesSkipped.length > 0) sections.push(`Skipped (over 2 MiB): ${summary.filesSkipped.join(', ')}`);
  return sections.join('\n\n');
}
