/**
 * The stale-flag reasons: one pure check per reason, each giving a stable code, a sentence for
 * people, the evidence it rests on and what to do. `EXPIRING_SOON` is a warning; every other reason
 * makes a flag stale (`Flag.stale`). Checks read the flag, its usage totals and the code-reference
 * reports; none of them reads the clock (`now` is given) or touches the store.
 */
import type { Flag } from '../../flags/model.js';
import { servedVariations } from '../../flags/served-variations.js';
import type { CodeReferenceReport } from '../code-references.js';
import type { UsageStat } from '../types.js';

export const staleReasonCodes = [
  'EXPIRED',
  'EXPIRING_SOON',
  'UNUSED',
  'ONE_VARIATION',
  'ARCHIVED_BUT_CALLED',
  'NO_CODE_REFERENCES',
] as const;
export type StaleReasonCode = (typeof staleReasonCodes)[number];

export interface StaleEvidence {
  environment?: string;
  expiresAt?: string;
  lastEvaluatedAt?: string | null;
  /** Since when the condition holds (ONE_VARIATION: the flag's last change). */
  since?: string;
  variation?: string;
  count?: number;
  days?: number;
  repositories?: string[];
  scannedAt?: string;
}

export interface StaleReason {
  code: StaleReasonCode;
  severity: 'stale' | 'warning';
  message: string;
  evidence: StaleEvidence;
  suggestedAction: string;
}

/** Thresholds of the checks, in days; every one has a default. */
export interface StaleThresholds {
  /** EXPIRING_SOON: expires within this many days. @default 7 */
  expiringWithinDays: number;
  /** UNUSED: not evaluated for this many days, in any environment, and older than that. @default 30 */
  unusedDays: number;
  /** ONE_VARIATION: serves one variation to everyone, unchanged for this many days. @default 14 */
  oneVariationDays: number;
  /** ARCHIVED_BUT_CALLED: requested within this many days after being archived or deleted. @default 7 */
  calledWithinDays: number;
}

export const defaultStaleThresholds: Readonly<StaleThresholds> = Object.freeze({
  expiringWithinDays: 7,
  unusedDays: 30,
  oneVariationDays: 14,
  calledWithinDays: 7,
});

/** What the checks of one flag read. */
export interface StaleInput {
  now: string;
  thresholds: StaleThresholds;
  /** ONE_VARIATION is checked in this environment (if the flag is configured there), or in every one it is configured in. */
  environment: string | null;
  /** The flag's usage totals, every environment. */
  usage: readonly UsageStat[];
  /** The latest code-reference report of each repository. */
  codeReferences: readonly CodeReferenceReport[];
}

const dayMs = 24 * 3600 * 1000;
const daysBefore = (iso: string, days: number) => new Date(Date.parse(iso) - days * dayMs).toISOString();
const daysAfter = (iso: string, days: number) => new Date(Date.parse(iso) + days * dayMs).toISOString();
const latest = (stats: readonly UsageStat[]) =>
  stats.reduce<string | null>(
    (max, stat) => (max === null || stat.lastEvaluatedAt > max ? stat.lastEvaluatedAt : max),
    null,
  );

function expiry(flag: Flag, { now, thresholds }: StaleInput): StaleReason[] {
  if (flag.expiresAt === null) return [];
  if (flag.expiresAt <= now) {
    return [
      {
        code: 'EXPIRED',
        severity: 'stale',
        message: `The flag expired on ${flag.expiresAt}.`,
        evidence: { expiresAt: flag.expiresAt },
        suggestedAction:
          'Remove the flag from the code and archive it, or extend expiresAt with updateFlag (say why in the comment).',
      },
    ];
  }
  if (flag.expiresAt > daysAfter(now, thresholds.expiringWithinDays)) return [];
  return [
    {
      code: 'EXPIRING_SOON',
      severity: 'warning',
      message: `The flag expires on ${flag.expiresAt}, within ${thresholds.expiringWithinDays} days.`,
      evidence: { expiresAt: flag.expiresAt, days: thresholds.expiringWithinDays },
      suggestedAction: 'Plan its removal, or extend expiresAt with updateFlag if it must live longer.',
    },
  ];
}

function unused(flag: Flag, { now, thresholds, usage }: StaleInput): StaleReason[] {
  const cutoff = daysBefore(now, thresholds.unusedDays);
  if (flag.createdAt > cutoff) return [];
  const last = latest(usage.filter((stat) => stat.variation !== null));
  if (last !== null && last > cutoff) return [];
  const message =
    last === null
      ? `The flag has never been evaluated in ${thresholds.unusedDays} days or more of existence.`
      : `The flag has not been evaluated since ${last} (more than ${thresholds.unusedDays} days), in any environment.`;
  return [
    {
      code: 'UNUSED',
      severity: 'stale',
      message,
      evidence: { lastEvaluatedAt: last, days: thresholds.unusedDays },
      suggestedAction: 'Check that no code still reads it, then archive it.',
    },
  ];
}

function oneVariation(flag: Flag, { now, thresholds, environment }: StaleInput): StaleReason[] {
  if (flag.updatedAt > daysBefore(now, thresholds.oneVariationDays)) return [];
  // An environment the flag is not configured in does not use it: nothing to conclude there.
  const environments =
    environment === null ? Object.keys(flag.environments) : flag.environments[environment] ? [environment] : [];
  return environments.flatMap((name): StaleReason[] => {
    const served = servedVariations(flag, name);
    if (served.size !== 1) return [];
    const variation = [...served][0]!;
    return [
      {
        code: 'ONE_VARIATION',
        severity: 'stale',
        message: `In ${name}, every context has been getting the variation '${variation}' since ${flag.updatedAt} (more than ${thresholds.oneVariationDays} days).`,
        evidence: { environment: name, variation, since: flag.updatedAt, days: thresholds.oneVariationDays },
        suggestedAction: `Replace the flag in the code by the value of '${variation}', then archive it.`,
      },
    ];
  });
}

// A report judges every flag against the same reports: one set of referenced keys per report list,
// instead of a scan of every report entry for each flag (10,000 flags × 10,000 entries otherwise).
const referencedKeys = new WeakMap<readonly CodeReferenceReport[], ReadonlySet<string>>();

function referencedKeysOf(codeReferences: readonly CodeReferenceReport[]): ReadonlySet<string> {
  let keys = referencedKeys.get(codeReferences);
  if (keys === undefined) {
    keys = new Set(codeReferences.flatMap((report) => report.flags.map((entry) => entry.key)));
    referencedKeys.set(codeReferences, keys);
  }
  return keys;
}

function noCodeReferences(flag: Flag, { codeReferences }: StaleInput): StaleReason[] {
  if (codeReferences.length === 0 || referencedKeysOf(codeReferences).has(flag.key)) return [];
  const repositories = codeReferences.map((report) => report.repository).sort();
  const scannedAt = codeReferences.reduce((max, report) => (report.scannedAt > max ? report.scannedAt : max), '');
  // A flag created after the latest scan could not have been found by it.
  if (flag.createdAt > scannedAt) return [];
  return [
    {
      code: 'NO_CODE_REFERENCES',
      severity: 'stale',
      message: `The latest code scans (${repositories.join(', ')}) found no reference to the flag.`,
      evidence: { repositories, scannedAt },
      suggestedAction: 'Archive the flag: no scanned code reads it.',
    },
  ];
}

/** ARCHIVED_BUT_CALLED, for an archived flag or a deleted key: its FLAG_NOT_FOUND counts. */
export function archivedButCalled(
  key: string,
  deleted: boolean,
  { now, thresholds, usage, environment }: StaleInput,
): StaleReason[] {
  const calls = usage.filter(
    (stat) => stat.variation === null && (environment === null || stat.environment === environment),
  );
  const last = latest(calls);
  if (last === null || last <= daysBefore(now, thresholds.calledWithinDays)) return [];
  const count = calls.reduce((sum, stat) => sum + stat.count, 0);
  const where = [...new Set(calls.map((stat) => stat.environment))].sort().join(', ');
  return [
    {
      code: 'ARCHIVED_BUT_CALLED',
      severity: 'stale',
      message: `The flag is ${deleted ? 'deleted' : 'archived'}, yet it was still requested on ${last} (${count} requests in ${where}).`,
      evidence: {
        lastEvaluatedAt: last,
        count,
        days: thresholds.calledWithinDays,
        ...(environment === null ? {} : { environment }),
      },
      suggestedAction: `Remove the remaining references to '${key}' from the code: callers get their default value.`,
    },
  ];
}

/** Every reason that holds for a flag. An archived flag is done with, apart from still being called. */
export function staleReasonsOf(flag: Flag, input: StaleInput): StaleReason[] {
  if (flag.archived) return archivedButCalled(flag.key, false, input);
  return [
    ...expiry(flag, input),
    ...unused(flag, input),
    ...oneVariation(flag, input),
    ...noCodeReferences(flag, input),
  ];
}

export const isStale = (reasons: readonly StaleReason[]) => reasons.some((reason) => reason.severity !== 'warning');
