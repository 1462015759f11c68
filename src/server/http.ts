/**
 * The HTTP front: routes /graphql to yoga and serves /healthz, /readyz and /metrics, with request
 * metrics, a body size limit, and graceful shutdown support (track in-flight requests).
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { apiError } from '../graphql/errors.js';
import type { FastLane } from './fast-lane.js';
import type { GatewayMetrics } from './metrics.js';
import { handToYoga } from './request/hand-to-yoga.js';
import { laneFor } from './request/lane.js';
import type { OfrepLane } from './ofrep-lane.js';
import { sendJson } from './respond.js';
import type { SseLane } from './sse-lane.js';
import type { GatewayYoga } from './yoga.js';

export interface Readiness {
  ready: boolean;
  [detail: string]: unknown;
}

export interface HttpOptions {
  yoga: GatewayYoga;
  /** Serves JSON POST queries answered as JSON without the Fetch-API adapter; hands anything else back. */
  fastLane?: FastLane;
  /** Serves JSON POST requests answered as SSE (the client accepts SSE, not JSON) without the Fetch-API adapter. */
  sseLane?: SseLane;
  /** Serves OpenFeature's remote evaluation protocol under /ofrep/ (see ofrep-lane.ts). */
  ofrepLane?: OfrepLane;
  metrics: GatewayMetrics;
  readiness: () => Promise<Readiness>;
  maxBodyBytes: number;
  /** Extra routes (the playground, the grammar reference), by path prefix. */
  routes?: Array<{ prefix: string; handle: (req: IncomingMessage, res: ServerResponse) => void | Promise<void> }>;
}

function routeOf(path: string): string {
  if (path === '/graphql') return '/graphql';
  if (path === '/healthz' || path === '/readyz' || path === '/metrics') return path;
  if (path.startsWith('/ofrep/')) return '/ofrep';
  return 'other';
}

export function createHttpServer(options: HttpOptions): Server {
  const { yoga, fastLane, sseLane, ofrepLane, metrics, readiness, maxBodyBytes, routes = [] } = options;
  return createServer(async (req, res) => {
    const started = process.hrtime.bigint();
    const path = (req.url ?? '/').split('?')[0]!;
    const route = routeOf(path);
    res.on('finish', () =>
      metrics.http.record(req.method ?? 'GET', route, res.statusCode, Number(process.hrtime.bigint() - started) / 1e9),
    );
    try {
      if (path === '/graphql') {
        const length = Number(req.headers['content-length'] ?? 0);
        if (length > maxBodyBytes)
          return sendJson(res, 413, {
            errors: [apiError('PAYLOAD_TOO_LARGE', `request body larger than ${maxBodyBytes} bytes`)],
          });
        if (req.method === 'POST' && !req.headers['content-length'] && req.headers['transfer-encoding']) {
          return sendJson(res, 411, {
            errors: [apiError('LENGTH_REQUIRED', 'send a Content-Length with POST bodies')],
          });
        }
        // The front door: one of the node:http lanes (request/lane.ts), else yoga.
        const name = laneFor(req);
        const lane = name === 'fast' ? fastLane : name === 'sse' ? sseLane : undefined;
        if (!lane) return await yoga(req, res);
        const body = await lane.handle(req, res);
        if (body) await handToYoga(yoga, req, res, body);
        return;
      }
      if (ofrepLane && path.startsWith('/ofrep/')) return await ofrepLane.handle(req, res);
      if (path === '/healthz') return sendJson(res, 200, { status: 'ok' });
      if (path === '/readyz') {
        const state = await readiness();
        return sendJson(res, state.ready ? 200 : 503, state);
      }
      if (path === '/metrics') {
        const text = await metrics.registry.metrics();
        res.writeHead(200, { 'content-type': metrics.registry.contentType });
        return res.end(text);
      }
      const extra = routes.find((candidate) => path === candidate.prefix || path.startsWith(`${candidate.prefix}/`));
      if (extra) return await extra.handle(req, res);
      sendJson(res, 404, { error: 'not found' });
    } catch (error) {
      if (!res.headersSent) sendJson(res, 500, { error: 'internal error' });
      else res.destroy(error as Error);
    }
  });
}
