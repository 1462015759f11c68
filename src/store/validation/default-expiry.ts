/**
 * Expiry at creation: temporary flags (release, experiment) that are created without an `expiresAt`
 * get one, so that every temporary flag has a date by which it should be gone. Ops and permission
 * flags are long-lived by nature and stay permanent unless given one.
 */
import type { FlagKind } from '../../flags/model.js';

/** Days until a new flag of a kind expires when no `expiresAt` is given; absent kinds stay permanent. */
export type DefaultExpiryDays = Partial<Record<FlagKind, number>>;

/** Release flags live for a rollout (40 days), experiments for a full experiment cycle (90 days). */
export const defaultExpiryDays: Readonly<DefaultExpiryDays> = Object.freeze({ release: 40, experiment: 90 });

const dayMs = 24 * 3600 * 1000;

/**
 * The input of a create with the default expiry filled in when the kind has one and none is given.
 * A given `expiresAt` (even an invalid one) is left for validation to judge.
 */
export function withDefaultExpiry(
  body: Record<string, unknown>,
  now: string,
  days: DefaultExpiryDays,
): Record<string, unknown> {
  if (body.expiresAt !== undefined && body.expiresAt !== null) return body;
  const span = typeof body.kind === 'string' ? days[body.kind as FlagKind] : undefined;
  if (span === undefined) return body;
  return { ...body, expiresAt: new Date(Date.parse(now) + span * dayMs).toISOString() };
}
