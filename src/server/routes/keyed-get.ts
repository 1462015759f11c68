/**
 * The front of the plain `GET` routes that answer keyed callers outside GraphQL (the flag set,
 * annotations): exact path, GET only, and a known key. One place, so every such route refuses alike.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Principal } from '../../graphql/principal.js';
import type { KeyRegistry } from '../key-registry.js';
import { principalFromHeader } from '../request/authenticate.js';
import { sendJson } from '../respond.js';

export interface KeyedGet {
  url: URL;
  principal: Principal;
}

/**
 * The request's URL and caller, or undefined once the refusal is sent: 404 for another path, 405 for
 * another method, 401 for an unknown key or none (`missingKey` says which key to send).
 */
export function admitKeyedGet(
  req: IncomingMessage,
  res: ServerResponse,
  path: string,
  keys: KeyRegistry,
  missingKey: string,
): KeyedGet | undefined {
  const url = new URL(req.url ?? '/', 'http://gateway');
  if (url.pathname !== path) return void sendJson(res, 404, { error: 'not found' });
  if (req.method !== 'GET') {
    res.setHeader('allow', 'GET');
    return void sendJson(res, 405, { error: 'method not allowed' });
  }
  let principal: Principal | null;
  try {
    principal = principalFromHeader(req.headers.authorization, keys);
  } catch {
    return void sendJson(res, 401, { error: 'unknown or revoked API key' });
  }
  if (!principal) return void sendJson(res, 401, { error: missingKey });
  return { url, principal };
}
