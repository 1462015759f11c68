/**
 * Code-reference reports: what a scan of one repository found (`vexil flags refs --report`), per flag
 * key: how many references and where (at most 20 `file:line` locations). The store keeps the latest
 * scan of each repository; an older scan arriving late never replaces a newer one. Reports are
 * statistics, not documents: they are not versioned, audited or sent on the change feed.
 */
import { ValidationError, type ValidationIssue } from '../flags/errors.js';
import { isObject } from './validation/input.js';

/** Most `file:line` locations kept per flag and repository. */
export const maxLocationsPerFlag = 20;
/** Most flags in one report. */
export const maxFlagsPerReport = 100_000;

export interface CodeReferenceFlag {
  key: string;
  /** References found in the repository (may exceed the locations listed). */
  count: number;
  /** Up to 20 `path/to/file.ts:42` locations. */
  locations: string[];
}

export interface CodeReferenceReport {
  /** The repository scanned, as the scanner names it (e.g. `github.com/acme/shop`). */
  repository: string;
  /** When the scan ran (ISO-8601); decides which report of a repository is the latest. */
  scannedAt: string;
  /** When the gateway received it. */
  reportedAt: string;
  /** The flags the scan found referenced; a flag not listed has no reference in the repository. */
  flags: CodeReferenceFlag[];
}

/** Validates a report as received (without `reportedAt`); every problem is reported with its path. */
export function validateCodeReferenceReport(input: unknown, reportedAt: string): CodeReferenceReport {
  const issues: ValidationIssue[] = [];
  const add = (path: string, message: string) => issues.push({ path, message, code: 'VALIDATION' });
  const body = isObject(input) ? input : {};
  const { repository, scannedAt, flags } = body;
  if (typeof repository !== 'string' || repository.trim() === '' || repository.length > 500)
    add('repository', 'must be a non-empty string of at most 500 characters');
  const scanned =
    typeof scannedAt === 'string' && /^\d{4}-\d\d-\d\dT/.test(scannedAt) ? Date.parse(scannedAt) : Number.NaN;
  if (Number.isNaN(scanned)) add('scannedAt', 'must be an ISO-8601 date-time such as 2026-03-01T10:00:00Z');
  const list = Array.isArray(flags) ? flags : [];
  if (!Array.isArray(flags)) add('flags', 'must be a list');
  else if (list.length > maxFlagsPerReport) add('flags', `must have at most ${maxFlagsPerReport} entries`);
  const seen = new Set<string>();
  const clean = list
    .slice(0, maxFlagsPerReport)
    .map((entry, index) => referenceFlag(entry, `flags[${index}]`, seen, add));
  if (issues.length > 0) throw new ValidationError(issues);
  return { repository: repository as string, scannedAt: new Date(scanned).toISOString(), reportedAt, flags: clean };
}

function referenceFlag(
  entry: unknown,
  path: string,
  seen: Set<string>,
  add: (path: string, message: string) => void,
): CodeReferenceFlag {
  const body = isObject(entry) ? entry : {};
  const { key, count, locations } = body;
  if (typeof key !== 'string' || key === '' || key.length > 128)
    add(`${path}.key`, 'must be a non-empty string of at most 128 characters');
  else if (seen.has(key)) add(`${path}.key`, `duplicate flag key '${key}'`);
  else seen.add(key);
  if (typeof count !== 'number' || !Number.isSafeInteger(count) || count < 1)
    add(`${path}.count`, 'must be a positive integer (flags without references are left out)');
  const list = Array.isArray(locations) ? locations : [];
  if (!Array.isArray(locations)) add(`${path}.locations`, 'must be a list of file:line strings');
  else if (list.length > maxLocationsPerFlag)
    add(`${path}.locations`, `must have at most ${maxLocationsPerFlag} entries`);
  list.forEach((location, index) => {
    if (typeof location !== 'string' || !/^.+:\d+$/.test(location) || location.length > 1000)
      add(`${path}.locations[${index}]`, "must be 'file:line', e.g. 'src/checkout.ts:42'");
  });
  return { key: key as string, count: count as number, locations: list.map(String) };
}
