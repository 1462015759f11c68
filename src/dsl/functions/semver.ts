/** `semver(s)`: a SemVer 2.0 version (pre-releases ordered by the spec's precedence), or null. */
import { parse, type SemVer } from 'semver';
import { memoize } from './memo.js';

// node-semver trims surrounding whitespace; SemVer 2.0 does not allow it. Parsed versions are frozen
// because the memo shares them between evaluations.
const parseVersion = memoize((text: string): SemVer | null =>
  text.trim() !== text ? null : Object.freeze(parse(text)),
);

export function toSemver(value: unknown): SemVer | null {
  if (typeof value !== 'string' || value.length > 256) return null;
  return parseVersion(value);
}
