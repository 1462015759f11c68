/** `semver(s)`: a SemVer 2.0 version (pre-releases ordered by the spec's precedence), or null. */
import { parse, type SemVer } from 'semver';

export function toSemver(value: unknown): SemVer | null {
  if (typeof value !== 'string' || value.length > 256) return null;
  return parse(value);
}
