/**
 * Serves a folder of static files under a URL prefix, with content types, ETags and caching headers.
 * Paths are resolved inside the folder only (no `..` escapes).
 */
import { createHash } from 'node:crypto';
import { readFile, stat } from 'node:fs/promises';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { extname, join, normalize, sep } from 'node:path';

const contentTypes: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json; charset=utf-8',
  '.md': 'text/markdown; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.txt': 'text/plain; charset=utf-8',
  '.woff2': 'font/woff2',
};

export interface StaticOptions {
  prefix: string;
  root: string;
  /** Served for the bare prefix. @default "index.html" */
  index?: string;
  /** Cache-Control for files whose names carry a content hash (e.g. `assets/app-3f2a1b.js`). */
  immutablePattern?: RegExp;
  /**
   * Served for a path that names no file and has no extension: the client-side routes of a single-page
   * app (e.g. /console/flags/checkout). A missing asset (with an extension) stays a 404.
   */
  fallback?: string;
}

export function staticFiles({ prefix, root, index = 'index.html', immutablePattern, fallback }: StaticOptions) {
  const base = normalize(root + sep);
  return async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    const url = new URL(req.url ?? '/', 'http://local');
    let relative = decodeURIComponent(url.pathname.slice(prefix.length)).replace(/^\/+/, '');
    if (relative === '') {
      if (!url.pathname.endsWith('/')) {
        res.writeHead(301, { location: `${prefix}/${url.search}` });
        return void res.end();
      }
      relative = index;
    }
    let path = normalize(join(base, relative));
    if (!path.startsWith(base)) return notFound(res);
    let info = await stat(path).catch(() => null);
    if (!info?.isFile() && fallback && extname(relative) === '') {
      path = join(base, fallback);
      info = await stat(path).catch(() => null);
    }
    if (!info?.isFile()) return notFound(res);
    const body = await readFile(path);
    const etag = `"${createHash('sha1').update(body).digest('base64url')}"`;
    const headers = {
      'content-type': contentTypes[extname(path)] ?? 'application/octet-stream',
      etag,
      'cache-control': immutablePattern?.test(relative) ? 'public, max-age=31536000, immutable' : 'no-cache',
      'x-content-type-options': 'nosniff',
    };
    if (req.headers['if-none-match'] === etag) {
      res.writeHead(304, headers);
      return void res.end();
    }
    res.writeHead(200, { ...headers, 'content-length': body.length });
    res.end(req.method === 'HEAD' ? undefined : body);
  };
}

function notFound(res: ServerResponse): void {
  res.writeHead(404, { 'content-type': 'text/plain; charset=utf-8' });
  res.end('not found');
}
