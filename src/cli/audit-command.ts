/**
 * `vexil audit [--flag KEY] [--environment E] [--since ISO] [--limit N]`: who changed what, newest
 * first, against a running gateway. `--since` stops at the first older entry (the log is in commit
 * order, newest first), so it never reads more of the log than it prints.
 */
import { runWithHelp } from './actions.js';
import { CliFailure, gatewayRequest } from './gateway-client.js';
import { parseCommand, requireGateway, stringOption, tableOrJson } from './flags/options.js';
import type { Command, CommandContext } from './main.js';
import { printRows } from './table.js';

const usage = `Usage: vexil audit [options]

The audit log, newest first.

  --flag KEY            only this flag's changes
  --kind KIND           only changes of this kind of document: flag, segment, environment, apiKey
  --environment E       only changes scoped to this environment (toggles, targeting, its segments)
  --since ISO           only changes at or after this time (e.g. 2026-12-01 or 2026-12-01T10:00:00Z)
  --limit N             at most N entries (default 50)
  --url URL  --key KEY  (defaults: VEXIL_URL, VEXIL_API_KEY; a read-only key is enough)
  --format F            table (default) or json

Exit codes: 0 done, 1 the gateway refused (code named), 2 usage or connection error.
`;

interface AuditEntryData {
  position: number;
  at: string;
  actor: string;
  action: string;
  kind: string;
  key: string;
  environment: string | null;
  version: number;
  comment: string | null;
}

const auditQuery = `query VexilCliAudit($key: String, $kind: String, $environment: String, $first: Int, $after: String) {
  auditLog(key: $key, kind: $kind, environment: $environment, first: $first, after: $after) {
    hasNextPage endCursor entries { position at actor action kind key environment version comment }
  }
}`;

async function readAudit(args: string[], context: CommandContext): Promise<number> {
  const options = {
    flag: { type: 'string' },
    kind: { type: 'string' },
    environment: { type: 'string', short: 'e' },
    since: { type: 'string' },
    limit: { type: 'string' },
  } as const;
  const { values } = parseCommand(args, options, { min: 0, max: 0, names: '' });
  const limit = Number(stringOption(values, 'limit') ?? 50);
  if (!Number.isInteger(limit) || limit < 1) throw new CliFailure('--limit must be a positive integer', 2);
  const sinceText = stringOption(values, 'since');
  const since = sinceText === undefined ? undefined : Date.parse(sinceText);
  if (since !== undefined && Number.isNaN(since))
    throw new CliFailure(`--since '${sinceText}' is not a date (ISO-8601, e.g. 2026-12-01T10:00:00Z)`, 2);
  const target = requireGateway(values);
  const format = tableOrJson(values);
  const flag = stringOption(values, 'flag');
  const filter = {
    key: flag ?? null,
    kind: flag ? 'flag' : (stringOption(values, 'kind') ?? null),
    environment: stringOption(values, 'environment') ?? null,
  };
  const entries: AuditEntryData[] = [];
  let after: string | null = null;
  let older = false;
  do {
    type Page = { auditLog: { entries: AuditEntryData[]; hasNextPage: boolean; endCursor: string | null } };
    const page: Page = await gatewayRequest<Page>(target, auditQuery, {
      ...filter,
      first: Math.min(500, limit - entries.length),
      after,
    });
    for (const entry of page.auditLog.entries) {
      if (since !== undefined && Date.parse(entry.at) < since) older = true;
      else entries.push(entry);
    }
    after = page.auditLog.hasNextPage ? page.auditLog.endCursor : null;
  } while (after !== null && !older && entries.length < limit);
  printRows(
    context,
    format,
    entries.slice(0, limit),
    ['AT', 'ACTOR', 'ACTION', 'DOCUMENT', 'ENVIRONMENT', 'VERSION', 'COMMENT'],
    (entry) => [
      entry.at.replace('T', ' ').slice(0, 19),
      entry.actor,
      entry.action,
      `${entry.kind} ${entry.key}`,
      entry.environment,
      entry.version,
      entry.comment,
    ],
  );
  return 0;
}

export const auditCommand: Command = {
  name: 'audit',
  summary: 'read the audit log: who changed what, when',
  usage,
  run: runWithHelp('audit', usage, readAudit),
};
