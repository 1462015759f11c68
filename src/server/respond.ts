/** Whole responses with a known length, shared by the HTTP front and the lanes. */
import type { ServerResponse } from 'node:http';

/** Sends a complete body (text, or bytes already encoded) with its Content-Length. */
export function sendBody(res: ServerResponse, status: number, contentType: string, body: string | Buffer): void {
  res.writeHead(status, {
    'content-type': contentType,
    'content-length': typeof body === 'string' ? Buffer.byteLength(body) : body.length,
  });
  res.end(body);
}

/** Sends a value as JSON. The server's own answers (health, limits, errors outside GraphQL) are never cached. */
export function sendJson(res: ServerResponse, status: number, value: unknown): void {
  res.setHeader('cache-control', 'no-store');
  sendBody(res, status, 'application/json; charset=utf-8', JSON.stringify(value));
}
