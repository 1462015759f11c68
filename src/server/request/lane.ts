/**
 * The front door's first decision, from a request's headers alone (before its body is read): which
 * node:http lane serves it. A JSON POST goes to the fast lane when yoga would answer it as JSON, to
 * the SSE lane when yoga would answer it as SSE (the client accepts SSE and not JSON); everything
 * else — GET, multipart, a body without a length, nothing acceptable (406) — is yoga's.
 */
import type { IncomingMessage } from 'node:http';
import { isJson, negotiate } from './accept.js';

export type LaneName = 'fast' | 'sse';

export function laneFor(req: IncomingMessage): LaneName | null {
  if (req.method !== 'POST' || req.headers['content-length'] === undefined) return null;
  const type = req.headers['content-type'];
  if (typeof type !== 'string' || !/^application\/json\s*(;|$)/i.test(type)) return null;
  const { result } = negotiate(req.headers.accept);
  return isJson(result) ? 'fast' : result === 'text/event-stream' ? 'sse' : null;
}
