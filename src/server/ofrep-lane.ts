/**
 * OFREP (the OpenFeature Remote Evaluation Protocol, open-feature/protocol service/openapi.yaml) on
 * the gateway's own server: `POST /ofrep/v1/evaluate/flags/{key}` and `POST /ofrep/v1/evaluate/flags`.
 * Like the fast lane's evaluation plans it calls the engine directly (no graphql execution), with the
 * same key registry, body limit and context limit, so usage and metrics count the same evaluations.
 *
 * Where the spec leaves room this does what flagd does: a body without `context` evaluates an empty
 * context, a body that is not JSON is INVALID_CONTEXT, an oversized body is 413.
 * Only evaluation keys may call it: an OFREP client names no environment, and the key's is the one.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { isPlainObject } from '../dsl/values.js';
import type { FlagEngine } from '../flags/engine.js';
import { checkContext } from '../graphql/schema/context-arg.js';
import { BulkAnswers } from '../ofrep/bulk-answer.js';
import { matchesIfNoneMatch } from '../ofrep/etag.js';
import { RateLimiter } from '../ofrep/rate-limit.js';
import { ofrepErrorCode, statusOfError } from '../ofrep/reasons.js';
import { evaluationText, failureBody } from '../ofrep/responses.js';
import type { Principal } from '../graphql/principal.js';
import type { KeyRegistry } from './key-registry.js';
import { bearerSecret } from './request/authenticate.js';
import { readBody } from './request/read-body.js';
import { sendBody } from './respond.js';

const bulkPath = '/ofrep/v1/evaluate/flags';
const json = 'application/json; charset=utf-8';

/** Browsers' OFREP web provider calls from the application's origin with these headers. */
const corsHeaders = {
  'access-control-allow-origin': '*',
  'access-control-expose-headers': 'ETag, Retry-After',
};
/** The CORS headers as name, value pairs, the form writeHead and sendBody take. */
const corsPairs: readonly string[] = Object.entries(corsHeaders).flat();
const preflightHeaders = {
  ...corsHeaders,
  'access-control-allow-methods': 'POST, OPTIONS',
  'access-control-allow-headers': 'authorization, x-api-key, content-type, if-none-match',
  'access-control-max-age': '600',
};

export interface OfrepLaneOptions {
  engine: FlagEngine;
  keys: KeyRegistry;
  /** `VEXIL_MAX_BODY_BYTES`. */
  maxBodyBytes: number;
  /** `VEXIL_OFREP_RATE_LIMIT`: requests a second per key, 0 for no limit. @default 0 */
  rateLimit?: number;
  /** @default Date.now */
  now?: () => number;
}

export interface OfrepLane {
  handle(req: IncomingMessage, res: ServerResponse): Promise<void>;
}

/** What every OFREP answer carries, as sendBody takes headers. */
const answerHeaders: readonly string[] = [...corsPairs, 'cache-control', 'no-store'];

function send(res: ServerResponse, status: number, body: unknown, etag?: string): void {
  const text = typeof body === 'string' || Buffer.isBuffer(body) ? body : JSON.stringify(body);
  sendBody(res, status, json, text, etag === undefined ? answerHeaders : [...answerHeaders, 'etag', etag]);
}

/** The secret of `Authorization: Bearer …`, else of `X-API-Key` (the spec's two schemes). */
function secretOf(req: IncomingMessage): string | null {
  const bearer = bearerSecret(req.headers.authorization ?? '');
  if (bearer) return bearer;
  const apiKey = req.headers['x-api-key'];
  return typeof apiKey === 'string' && apiKey.trim() !== '' ? apiKey.trim() : null;
}

/** The flag key of a single evaluation's path, '' for the bulk path, null for any other path. */
function flagKeyOf(path: string): string | null {
  if (path === bulkPath || path === `${bulkPath}/`) return '';
  if (!path.startsWith(`${bulkPath}/`)) return null;
  const raw = path.slice(bulkPath.length + 1);
  if (raw.includes('/')) return null;
  try {
    return decodeURIComponent(raw);
  } catch {
    return null;
  }
}

/** The request's context, or the error text of a request the spec answers with 400 INVALID_CONTEXT. */
function contextOf(body: Buffer): { context: Record<string, unknown> } | { error: string } {
  let parsed: unknown;
  try {
    parsed = body.length === 0 ? {} : JSON.parse(body.toString('utf8'));
  } catch {
    return { error: 'the request body is not JSON' };
  }
  if (!isPlainObject(parsed)) return { error: 'the request body must be a JSON object' };
  const context = parsed.context ?? {};
  if (!isPlainObject(context)) return { error: 'context must be a JSON object' };
  try {
    return { context: checkContext(context) as Record<string, unknown> };
  } catch (error) {
    return { error: (error as Error).message };
  }
}

export function createOfrepLane({
  engine,
  keys,
  maxBodyBytes,
  rateLimit = 0,
  now = Date.now,
}: OfrepLaneOptions): OfrepLane {
  const limiter = new RateLimiter(rateLimit);
  const answers = new BulkAnswers();

  /** The caller's principal, or null once the request has been answered (401, 403, 429). */
  function admit(req: IncomingMessage, res: ServerResponse): Principal | null {
    const secret = secretOf(req);
    const principal = secret === null ? null : keys.authenticate(secret);
    if (!principal) {
      send(res, 401, {
        errorDetails:
          secret === null
            ? 'send an evaluation key as "Authorization: Bearer <secret>" or "X-API-Key: <secret>"'
            : 'unknown or revoked API key',
      });
      return null;
    }
    if (principal.kind !== 'evaluation' || principal.environment === null) {
      send(res, 403, {
        errorDetails: `OFREP evaluates in an evaluation key's environment; this is a ${principal.kind} key`,
      });
      return null;
    }
    const decision = limiter.take(principal.keyId, now());
    if (!decision.allowed) {
      res.setHeader('retry-after', String(decision.retryAfterSeconds));
      send(res, 429, { errorDetails: `more than ${rateLimit} requests a second with this key` });
      return null;
    }
    return principal;
  }

  function evaluateOne(res: ServerResponse, key: string, context: Record<string, unknown>, environment: string): void {
    const result = engine.evaluate(key, context, { environment });
    send(
      res,
      result.reason === 'ERROR' ? statusOfError(ofrepErrorCode(result.errorCode)) : 200,
      evaluationText(result),
    );
  }

  function evaluateBulk(
    req: IncomingMessage,
    res: ServerResponse,
    context: Record<string, unknown>,
    environment: string,
  ): void {
    const { bytes, etag } = answers.answer(environment, engine.evaluateAll(context, { environment }));
    if (!matchesIfNoneMatch(req.headers['if-none-match'], etag)) return send(res, 200, bytes, etag);
    res.writeHead(304, [...corsPairs, 'etag', etag]);
    res.end();
  }

  async function serve(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const path = (req.url ?? '/').split('?')[0]!;
    const key = flagKeyOf(path);
    if (key === null) return send(res, 404, { errorDetails: `no OFREP route ${path}` });
    if (req.method === 'OPTIONS') {
      res.writeHead(204, preflightHeaders);
      return void res.end();
    }
    if (req.method !== 'POST') {
      res.setHeader('allow', 'POST, OPTIONS');
      return send(res, 405, { errorDetails: 'OFREP evaluations are POST requests' });
    }
    const principal = admit(req, res);
    if (!principal) return;
    if (Number(req.headers['content-length'] ?? 0) > maxBodyBytes)
      return send(res, 413, { errorDetails: `request body larger than ${maxBodyBytes} bytes` });
    if (!req.headers['content-length'] && req.headers['transfer-encoding'])
      return send(res, 411, { errorDetails: 'send a Content-Length with POST bodies' });
    const parsed = contextOf(await readBody(req));
    if ('error' in parsed)
      return send(res, 400, failureBody(key === '' ? undefined : key, 'INVALID_CONTEXT', parsed.error));
    if (key === '') evaluateBulk(req, res, parsed.context, principal.environment!);
    else evaluateOne(res, key, parsed.context, principal.environment!);
  }

  return {
    async handle(req, res) {
      try {
        await serve(req, res);
      } catch (error) {
        // The spec's 500 body: generalErrorResponse, `{errorDetails}`.
        if (!res.headersSent) send(res, 500, { errorDetails: 'an internal error prevented the evaluation' });
        else res.destroy(error as Error);
      }
    },
  };
}
