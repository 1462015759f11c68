/** A flag's expiry must lie ahead when it is set: a flag that expires in the past is stale the moment it is written. */
import type { Flag } from '../../flags/model.js';
import { invalid } from './input.js';

/**
 * Rejects an `expiresAt` at or before `now` when the write sets it (a create, or an update changing
 * it). An update that leaves an already past expiry as it is stays allowed, so a stale flag can
 * still be edited (or given a new expiry).
 */
export function checkExpirySet(flag: Flag, previous: Flag | null, now: string): void {
  if (flag.expiresAt === null || flag.expiresAt === previous?.expiresAt) return;
  if (flag.expiresAt <= now)
    throw invalid('expiresAt', `must be in the future (it is ${flag.expiresAt}, now is ${now})`);
}

/**
 * Extending an expiry (a later `expiresAt`, or none where there was one) is the moment a team decides
 * to keep a flag longer: the audit log must say why, so it needs a non-empty comment.
 */
export function checkExpiryExtension(flag: Flag, previous: Flag, comment: string | null | undefined): void {
  if (previous.expiresAt === null) return;
  const extended = flag.expiresAt === null || flag.expiresAt > previous.expiresAt;
  if (!extended || (typeof comment === 'string' && comment.trim() !== '')) return;
  const to = flag.expiresAt === null ? 'never' : flag.expiresAt;
  throw invalid(
    'comment',
    `Extending the expiry of '${flag.key}' (from ${previous.expiresAt} to ${to}) needs a comment saying why.`,
  );
}
