/**
 * Whole responses with a known length, shared by the HTTP front and the lanes.
 *
 * They go out together, once the event loop has served every request that was ready, rather than each
 * as soon as it is written (as Netty's FlushConsolidationHandler does). Every response written to a
 * client that is waiting makes the kernel wake that client, and on a virtual machine a wake-up across
 * CPUs costs the sender more than the rest of the syscall (perf: 14% of the gateway's CPU, under
 * `sock_def_readable`). When one response reaches a client, the client is awake for the others:
 * `evaluateAll` over 20 flags went from 60.6 to 41.8 µs of server CPU per request, and bench/gateway.ts
 * shows the same on a bare node:http server (its "responses written together" row).
 * A lone request waits for nothing (the flush runs right after the poll phase that read it); a burst
 * is flushed every `maxQueued` responses, which bounds how long the first of them waits.
 */
import type { ServerResponse } from 'node:http';

interface Queued {
  res: ServerResponse;
  status: number;
  contentType: string;
  body: string | Buffer;
  headers: readonly string[] | undefined;
}

const maxQueued = 64;
let queued: Queued[] = [];
let flushScheduled = false;

function writeNow({ res, status, contentType, body, headers }: Queued): void {
  // The client went away, or something answered meanwhile (an error path): nothing more to send.
  if (res.headersSent || res.destroyed) return;
  try {
    const length = String(typeof body === 'string' ? Buffer.byteLength(body) : body.length);
    if (headers === undefined) res.writeHead(status, { 'content-type': contentType, 'content-length': length });
    else res.writeHead(status, [...headers, 'content-type', contentType, 'content-length', length]);
    res.end(body);
  } catch (error) {
    res.destroy(error as Error);
  }
}

function flush(): void {
  flushScheduled = false;
  const batch = queued;
  queued = [];
  for (const response of batch) writeNow(response);
}

/**
 * Sends a complete body (text, or bytes already encoded) with its Content-Length. `headers` (name,
 * value, name, value…) go out with it: each `setHeader` call validates and stores its header on its
 * own, which a lane answering every request with the same few headers need not pay for.
 */
export function sendBody(
  res: ServerResponse,
  status: number,
  contentType: string,
  body: string | Buffer,
  headers?: readonly string[],
): void {
  queued.push({ res, status, contentType, body, headers });
  if (queued.length >= maxQueued) flush();
  else if (!flushScheduled) {
    flushScheduled = true;
    setImmediate(flush);
  }
}

/** Sends a value as JSON. The server's own answers (health, limits, errors outside GraphQL) are never cached. */
export function sendJson(res: ServerResponse, status: number, value: unknown): void {
  res.setHeader('cache-control', 'no-store');
  sendBody(res, status, 'application/json; charset=utf-8', JSON.stringify(value));
}
