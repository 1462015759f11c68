/**
 * `GET /`: the landing page (routes/landing-page.ts), instead of a JSON 404 for someone who opens the
 * gateway's address in a browser. The page is rendered once; it depends only on start-up options.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { sendJson } from '../respond.js';
import { landingPage, type LandingPageOptions } from './landing-page.js';

/** Nothing on the page loads from anywhere; the policy says so to the browser. */
const securityHeaders = {
  'content-security-policy':
    "default-src 'none'; style-src 'unsafe-inline'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'",
  'x-content-type-options': 'nosniff',
  'cache-control': 'no-cache',
};

export function landingRoute(options: LandingPageOptions) {
  const body = Buffer.from(landingPage(options));
  return {
    // Registered under the prefix "/", which also matches paths such as "//x": those are not the page.
    prefix: '/',
    handle(req: IncomingMessage, res: ServerResponse): void {
      if ((req.url ?? '/').split('?')[0] !== '/') return sendJson(res, 404, { error: 'not found' });
      if (req.method !== 'GET' && req.method !== 'HEAD') {
        res.setHeader('allow', 'GET, HEAD');
        return sendJson(res, 405, { error: 'method not allowed' });
      }
      res.writeHead(200, {
        ...securityHeaders,
        'content-type': 'text/html; charset=utf-8',
        'content-length': body.length,
      });
      res.end(req.method === 'HEAD' ? undefined : body);
    },
  };
}
