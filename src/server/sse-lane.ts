/**
 * GraphQL over SSE served straight on node:http. Each live subscriber otherwise holds a Fetch-API
 * Request, Response and ReadableStream for its whole life (most of its memory, as heap snapshots
 * showed); here it holds only the node request/response pair. The operation still runs through yoga's
 * envelop (caches, limits, masking, context), and the stream is framed exactly as yoga frames it:
 * an initial `:` comment, `event: next` per result, `event: complete` at the end, pings while idle.
 * Backpressure is respected: the next message is pulled only once the socket drained, so a reader
 * that stops reading falls behind in the hub's bounded queue and is dropped there.
 */
import { once } from 'node:events';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { type DocumentNode, type ExecutionResult, getOperationAST, GraphQLError } from 'graphql';
import { coded, paramsOf, readBody, withCodes } from './fast-lane.js';
import { documentErrorCode } from './plugins/use-error-codes.js';
import type { KeyRegistry, Principal } from './key-registry.js';
import { principalFromHeader, type GatewayYoga } from './yoga.js';

/** Yoga's interval; shortened under NODE_ENV=test as yoga does, so keep-alive tests stay quick. */
const pingIntervalMs = process.env.NODE_ENV === 'test' ? 300 : 12_000;

export function isSseCandidate(req: IncomingMessage): boolean {
  const type = req.headers['content-type'];
  return (
    req.method === 'POST' &&
    typeof type === 'string' &&
    /^application\/json\s*(;|$)/i.test(type) &&
    (req.headers.accept ?? '').includes('text/event-stream') &&
    req.headers['content-length'] !== undefined
  );
}

function frame(result: ExecutionResult): string {
  return `event: next\ndata: ${JSON.stringify(withCodes(result))}\n\n`;
}

function sendJson(res: ServerResponse, status: number, body: unknown): void {
  const text = JSON.stringify(body);
  res.writeHead(status, { 'content-type': 'application/json; charset=utf-8', 'content-length': Buffer.byteLength(text) });
  res.end(text);
}

async function* single(result: ExecutionResult): AsyncGenerator<ExecutionResult> {
  yield result;
}

/** Streams results until the source ends or the client goes away. */
async function stream(res: ServerResponse, source: AsyncIterable<ExecutionResult> | ExecutionResult, status = 200): Promise<void> {
  res.writeHead(status, { 'content-type': 'text/event-stream', connection: 'keep-alive', 'cache-control': 'no-cache', 'content-encoding': 'none' });
  res.write(':\n\n');
  const iterator = (Symbol.asyncIterator in (source as object) ? (source as AsyncIterable<ExecutionResult>) : single(source as ExecutionResult))[Symbol.asyncIterator]();
  let open = true;
  const stop = () => {
    if (!open) return;
    open = false;
    clearInterval(pinger);
    void iterator.return?.();
  };
  // Like yoga: no ping while the socket is backed up (it would only add to the backlog).
  const pinger = setInterval(() => {
    if (!res.writableNeedDrain) res.write(':\n\n');
  }, pingIntervalMs);
  pinger.unref();
  res.on('close', stop);
  try {
    while (open) {
      const { value, done } = await iterator.next();
      if (!open) break;
      if (value != null && !res.write(frame(value))) await Promise.race([once(res, 'drain'), once(res, 'close')]);
      if (done) {
        if (open) res.end('event: complete\ndata:\n\n');
        break;
      }
    }
  } finally {
    stop();
  }
}

export interface SseLane {
  handle(req: IncomingMessage, res: ServerResponse): Promise<void>;
}

export function createSseLane(yoga: GatewayYoga, keys: KeyRegistry): SseLane {
  return {
    async handle(req, res) {
      const params = paramsOf(await readBody(req));
      if (!params) return sendJson(res, 400, { errors: [{ message: 'expected a JSON object with a "query" string', extensions: { code: 'GRAPHQL_PARSE_FAILED' } }] });
      let principal: Principal | null;
      try {
        principal = principalFromHeader(req.headers.authorization, keys);
      } catch (error) {
        // As yoga answers: status 401, the error itself framed as an SSE result.
        return stream(res, { errors: [coded(error, 'UNAUTHENTICATED')] }, 401);
      }
      const enveloped = yoga.getEnveloped({ authenticated: { principal, connection: req }, req, params });
      let document: DocumentNode;
      try {
        document = enveloped.parse(params.query);
        const invalid: readonly GraphQLError[] = enveloped.validate(enveloped.schema, document);
        if (invalid.length > 0) return stream(res, { errors: invalid.map((error) => coded(error, 'GRAPHQL_VALIDATION_FAILED')) });
      } catch (error) {
        // A syntax error, or a limit graphql-armor enforces by throwing.
        return stream(res, { errors: [coded(error, documentErrorCode(error as Error))] });
      }
      const operation = getOperationAST(document, params.operationName ?? undefined);
      const args = {
        schema: enveloped.schema,
        document,
        variableValues: params.variables ?? undefined,
        operationName: params.operationName ?? undefined,
        contextValue: await enveloped.contextFactory(),
      };
      const result = operation?.operation === 'subscription' ? await enveloped.subscribe(args) : await enveloped.execute(args);
      await stream(res, result as AsyncIterable<ExecutionResult> | ExecutionResult);
    },
  };
}
