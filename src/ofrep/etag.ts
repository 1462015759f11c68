/**
 * ETags of bulk answers. The tag is a hash of the answer's bytes, not of the snapshot version: it
 * changes exactly when this context's evaluations change, so an edit to another flag's other
 * environment (which bumps the snapshot version) still answers a polling client with 304.
 */
import { createHash } from 'node:crypto';

/** A strong entity tag of a body: 128 bits of its SHA-256, base64url, quoted. */
export function etagOf(body: string): string {
  return `"${createHash('sha256').update(body).digest('base64url').slice(0, 22)}"`;
}

/**
 * Whether an If-None-Match header names this tag (RFC 9110 §13.1.2: a list, `*`, weak comparison,
 * so `W/"x"` matches `"x"`).
 */
export function matchesIfNoneMatch(header: string | undefined, etag: string): boolean {
  if (!header) return false;
  for (const part of header.split(',')) {
    const tag = part.trim();
    if (tag === '*' || tag === etag || (tag.startsWith('W/') && tag.slice(2) === etag)) return true;
  }
  return false;
}
