/**
 * Scope checks, called by every field that needs one. Evaluation keys may evaluate (and subscribe to
 * evaluations) in their own environment and nothing else; server keys likewise, and may also follow
 * `flagChanged` (their flag set itself is served by GET /sdk/v1/flag-set); read-only keys may run every
 * query; admin keys may do everything.
 */
import type { Principal } from './principal.js';
import type { GatewayContext } from './context.js';
import { apiError } from './errors.js';

export function requireKey(context: GatewayContext): Principal {
  if (!context.principal) throw apiError('UNAUTHENTICATED', 'send an API key as "Authorization: Bearer <secret>"');
  return context.principal;
}

/** Admin and read-only keys: reading flags, rules, segments, keys, the audit log. */
export function requireReader(context: GatewayContext): Principal {
  const principal = requireKey(context);
  if (principal.kind === 'evaluation') throw apiError('FORBIDDEN', 'evaluation keys may only evaluate flags');
  if (principal.kind === 'server')
    throw apiError('FORBIDDEN', 'server keys may only evaluate, download their flag set and follow flagChanged');
  return principal;
}

/** Readers, and server keys (which keep their local flag set current from `flagChanged`). */
export function requireReaderOrServer(context: GatewayContext): Principal {
  const principal = requireKey(context);
  return principal.kind === 'server' ? principal : requireReader(context);
}

export function requireAdmin(context: GatewayContext): Principal {
  const principal = requireKey(context);
  if (principal.kind !== 'admin')
    throw apiError('FORBIDDEN', `${principal.kind} keys cannot change anything: an admin key is needed`);
  return principal;
}

/**
 * The environment an evaluation runs in: an evaluation key's own (the argument may repeat it, any
 * other is FORBIDDEN); admin and read-only keys must name one.
 */
export function evaluationEnvironment(context: GatewayContext, requested: string | null | undefined): string {
  const principal = requireKey(context);
  if (principal.kind === 'evaluation' || principal.kind === 'server') {
    if (requested && requested !== principal.environment)
      throw apiError('FORBIDDEN', `this key may only evaluate in '${principal.environment}'`);
    return principal.environment!;
  }
  if (!requested)
    throw apiError('VALIDATION', 'environment is required with admin and read-only keys', { field: 'environment' });
  return requested;
}

/** The actor recorded in the audit log for a change made with this key. */
export function actorOf(principal: Principal): string {
  return `${principal.name} (${principal.keyId})`;
}
