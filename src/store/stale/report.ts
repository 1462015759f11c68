/**
 * The stale-flag report, computed from the flags (the engine's, or the store's), their usage totals
 * (merged in the store from every instance by the flushes) and the latest code-reference reports. One read of each for
 * the whole report, nothing per evaluation; keys that no longer exist but are still requested (FLAG_NOT_FOUND
 * counts kept for deleted flags) are reported as deleted flags.
 */
import type { Flag } from '../../flags/model.js';
import type { CodeReferenceReport } from '../code-references.js';
import type { StoreBackend, UsageStat } from '../types.js';
import {
  archivedButCalled,
  defaultStaleThresholds,
  isStale,
  type StaleInput,
  type StaleReason,
  staleReasonsOf,
  type StaleThresholds,
} from './reasons.js';

export interface StaleReportOptions {
  /** ISO-8601 "now" of the checks. */
  now: string;
  /** ONE_VARIATION and ARCHIVED_BUT_CALLED in this environment only; null: every environment. */
  environment?: string | null;
  thresholds?: Partial<StaleThresholds>;
  /**
   * The flags to judge, archived ones included: a gateway passes its engine's, which it holds in
   * memory already (current up to the change feed's latency). @default the store's (a snapshot read)
   */
  flags?: readonly Flag[];
}

export interface StaleFlag {
  key: string;
  /** null for a deleted flag that is still requested. */
  flag: Flag | null;
  reasons: StaleReason[];
  /** True when a reason other than a warning holds. */
  stale: boolean;
}

/** Thresholds with their defaults filled in; a negative or non-finite one is a programming error upstream. */
export function resolveThresholds(thresholds: Partial<StaleThresholds> = {}): StaleThresholds {
  const resolved = { ...defaultStaleThresholds };
  for (const [name, value] of Object.entries(thresholds) as Array<[keyof StaleThresholds, number | undefined | null]>) {
    if (value !== undefined && value !== null) resolved[name] = value;
  }
  return resolved;
}

function groupByFlag(usage: readonly UsageStat[]): Map<string, UsageStat[]> {
  const byFlag = new Map<string, UsageStat[]>();
  for (const stat of usage) {
    const list = byFlag.get(stat.flagKey);
    if (list) list.push(stat);
    else byFlag.set(stat.flagKey, [stat]);
  }
  return byFlag;
}

/** The reasons of one flag, given its usage totals and the code-reference reports. */
export function staleFlagOf(
  flag: Flag,
  usage: readonly UsageStat[],
  codeReferences: readonly CodeReferenceReport[],
  options: StaleReportOptions,
): StaleFlag {
  const input: StaleInput = {
    now: options.now,
    thresholds: resolveThresholds(options.thresholds),
    environment: options.environment ?? null,
    usage,
    codeReferences,
  };
  const reasons = staleReasonsOf(flag, input);
  return { key: flag.key, flag, reasons, stale: isStale(reasons) };
}

/** Every flag (and deleted key) with at least one reason, sorted by key. */
export async function staleReport(backend: StoreBackend, options: StaleReportOptions): Promise<StaleFlag[]> {
  const [flags, usage, codeReferences] = await Promise.all([
    options.flags ?? backend.snapshot().then((snapshot) => snapshot.flags),
    backend.readUsage(),
    backend.readCodeReferences(),
  ]);
  const byFlag = groupByFlag(usage);
  const input: StaleInput = {
    now: options.now,
    thresholds: resolveThresholds(options.thresholds),
    environment: options.environment ?? null,
    usage: [],
    codeReferences,
  };
  const report: StaleFlag[] = [];
  for (const flag of flags) {
    const reasons = staleReasonsOf(flag, { ...input, usage: byFlag.get(flag.key) ?? [] });
    if (reasons.length > 0) report.push({ key: flag.key, flag, reasons, stale: isStale(reasons) });
  }
  const existing = new Set(flags.map((flag) => flag.key));
  for (const [key, stats] of byFlag) {
    if (existing.has(key) || !stats.some((stat) => stat.variation === null)) continue;
    const reasons = archivedButCalled(key, true, { ...input, usage: stats });
    if (reasons.length > 0) report.push({ key, flag: null, reasons, stale: true });
  }
  return report.sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
}
