/**
 * Who is calling. HTTP requests carry `Authorization: Bearer <secret>`; WebSocket connections the same
 * value in connection_init. One parser for both, one lookup (the key registry's cached map).
 */
import type { IncomingMessage } from 'node:http';
import { apiError } from '../../graphql/errors.js';
import type { Principal } from '../../graphql/principal.js';
import type { KeyRegistry } from '../key-registry.js';
import type { Params } from './params.js';

/** Who is calling, established outside yoga (WebSocket connection_init, the node:http lanes). */
export interface Authenticated {
  principal: Principal | null;
  /** What per-connection subscription limits count against. */
  connection: object;
}

/** An authenticated HTTP request and its GraphQL parameters: what the lanes hand to envelop. */
export interface Caller {
  params: Params;
  authenticated: Authenticated;
  req: IncomingMessage;
}

/** The secret of a `Bearer <secret>` value, or null when the value is not of that form. */
export function bearerSecret(value: string): string | null {
  const match = /^Bearer\s+(\S+)\s*$/i.exec(value);
  return match ? match[1]! : null;
}

/** The principal behind an Authorization header: null when absent; UNAUTHENTICATED (401) when unknown or revoked. */
export function principalFromHeader(header: string | null | undefined, keys: KeyRegistry): Principal | null {
  if (!header) return null;
  const secret = bearerSecret(header);
  const principal = secret === null ? null : keys.authenticate(secret);
  if (!principal) throw apiError('UNAUTHENTICATED', 'unknown or revoked API key', { http: { status: 401 } });
  return principal;
}

/**
 * The caller of a request with plain parameters, or null when an unknown or revoked key makes it
 * yoga's to answer (its 401, in the media type the client accepts).
 */
export function callerOf(req: IncomingMessage, params: Params, keys: KeyRegistry): Caller | null {
  let principal: Principal | null;
  try {
    principal = principalFromHeader(req.headers.authorization, keys);
  } catch {
    return null;
  }
  return { params, authenticated: { principal, connection: req }, req };
}
