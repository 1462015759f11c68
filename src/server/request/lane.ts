/**
 * The front door's first decision, from a request's headers alone (before its body is read): which
 * node:http lane serves it. A JSON POST with a length goes to the SSE lane when the client accepts
 * SSE, to the fast lane when it accepts JSON; everything else is yoga's.
 */
import type { IncomingMessage } from 'node:http';
import { negotiate } from './accept.js';

export type LaneName = 'fast' | 'sse';

export function laneFor(req: IncomingMessage): LaneName | null {
  if (req.method !== 'POST' || req.headers['content-length'] === undefined) return null;
  const type = req.headers['content-type'];
  if (typeof type !== 'string' || !/^application\/json\s*(;|$)/i.test(type)) return null;
  if ((req.headers.accept ?? '').includes('text/event-stream')) return 'sse';
  return negotiate(req.headers.accept) !== null ? 'fast' : null;
}
