/** `semver(s)`: a SemVer 2.0 version (pre-releases ordered by the spec's precedence), or null. */
import { parse, type SemVer } from 'semver';

export function toSemver(value: unknown): SemVer | null {
  // node-semver trims surrounding whitespace; SemVer 2.0 does not allow it.
  if (typeof value !== 'string' || value.length > 256 || value.trim() !== value) return null;
  return parse(value);
}
