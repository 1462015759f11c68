/**
 * `vexil flags stale`: the stale-flag report (the gateway's `staleFlags`), as a table for people or
 * JSON for tools, and a CI gate: `--fail-on expired,unused,…` exits 1 when a flag has one of those
 * reasons. A read-only key is enough.
 */
import { CliFailure, gatewayRequest } from '../gateway-client.js';
import type { CommandContext } from '../main.js';
import { printRows } from '../table.js';
import { parseCommand, requireGateway, stringOption, tableOrJson } from './options.js';

/** `--fail-on` names (kebab-case) and the reason codes they stand for. */
const failOnCodes: Readonly<Record<string, string>> = {
  expired: 'EXPIRED',
  'expiring-soon': 'EXPIRING_SOON',
  unused: 'UNUSED',
  'one-variation': 'ONE_VARIATION',
  'archived-but-called': 'ARCHIVED_BUT_CALLED',
  'no-code-references': 'NO_CODE_REFERENCES',
};

const thresholds = {
  'unused-days': 'unusedDays',
  'one-variation-days': 'oneVariationDays',
  'called-within-days': 'calledWithinDays',
  'expiring-within-days': 'expiringWithinDays',
} as const;

const staleQuery = `query VexilCliStale($environment: String, $now: String, $unusedDays: Int, $oneVariationDays: Int, $calledWithinDays: Int, $expiringWithinDays: Int) {
  staleFlags(environment: $environment, now: $now, unusedDays: $unusedDays, oneVariationDays: $oneVariationDays, calledWithinDays: $calledWithinDays, expiringWithinDays: $expiringWithinDays) {
    key deleted stale
    flag { owner kind createdAt expiresAt archived }
    reasons { code severity message suggestedAction evidence { environment expiresAt lastEvaluatedAt since variation count days repositories scannedAt } }
  }
}`;

interface StaleFlag {
  key: string;
  deleted: boolean;
  stale: boolean;
  flag: { owner: string; kind: string; createdAt: string; expiresAt: string | null; archived: boolean } | null;
  reasons: Array<{ code: string; severity: string; message: string; suggestedAction: string }>;
}

function parseFailOn(value: string | undefined): Set<string> {
  const codes = new Set<string>();
  for (const name of (value ?? '')
    .split(',')
    .map((part) => part.trim())
    .filter(Boolean)) {
    const code = failOnCodes[name];
    if (!code)
      throw new CliFailure(
        `--fail-on takes ${Object.keys(failOnCodes).join(', ')} (comma-separated), not '${name}'`,
        2,
      );
    codes.add(code);
  }
  return codes;
}

function thresholdVariables(values: Record<string, unknown>): Record<string, number> {
  const variables: Record<string, number> = {};
  for (const [option, variable] of Object.entries(thresholds)) {
    const raw = values[option];
    if (raw === undefined) continue;
    const days = Number(raw);
    if (!Number.isInteger(days) || days < 0) throw new CliFailure(`--${option} must be a whole number of days`, 2);
    variables[variable] = days;
  }
  return variables;
}

const ageInDays = (createdAt: string | undefined, now: number) =>
  createdAt ? `${Math.floor((now - Date.parse(createdAt)) / 86_400_000)}d` : '';

export async function staleFlags(args: string[], context: CommandContext): Promise<number> {
  const options = {
    environment: { type: 'string', short: 'e' },
    'fail-on': { type: 'string' },
    now: { type: 'string' },
    ...Object.fromEntries(Object.keys(thresholds).map((name) => [name, { type: 'string' }])),
  } as const;
  const { values } = parseCommand(args, options, { min: 0, max: 0, names: '' });
  const failOn = parseFailOn(stringOption(values, 'fail-on'));
  const variables = {
    environment: stringOption(values, 'environment') ?? null,
    now: stringOption(values, 'now') ?? null,
    ...thresholdVariables(values),
  };
  const target = requireGateway(values);
  const format = tableOrJson(values);
  const { staleFlags: report } = await gatewayRequest<{ staleFlags: StaleFlag[] }>(target, staleQuery, variables);
  const now = variables.now ? Date.parse(variables.now) : Date.now();
  printRows(context, format, report, ['FLAG', 'OWNER', 'KIND', 'AGE', 'REASONS'], (entry) => [
    entry.deleted ? `${entry.key} (deleted)` : entry.flag?.archived ? `${entry.key} (archived)` : entry.key,
    entry.flag?.owner,
    entry.flag?.kind.toLowerCase(),
    ageInDays(entry.flag?.createdAt, now),
    entry.reasons
      .map((reason) => (reason.severity === 'WARNING' ? `${reason.code} (warning)` : reason.code))
      .join(', '),
  ]);
  const failing = report.filter((entry) => entry.reasons.some((reason) => failOn.has(reason.code)));
  if (failing.length === 0) return 0;
  context.stderr(
    `vexil flags stale: ${failing.length} flag(s) with ${[...failOn].join(', ')}: ${failing.map((entry) => entry.key).join(', ')}`,
  );
  return 1;
}
