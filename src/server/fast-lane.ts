/**
 * The fast lane for the request applications make thousands of times a second: a JSON POST of a
 * query. It skips the Fetch-API adapter (Request/Response objects, abort signals, stream pipelines —
 * most of a small request's cost, as profiling showed) but runs the operation through yoga's own
 * envelop, so parsing and validation caches, abuse limits, error masking and the context are exactly
 * those of the normal path. Anything else — GET, SSE, batches, subscriptions, persisted-query
 * extensions, documents that do not parse or validate — goes to yoga untouched.
 *
 * Queries made only of evaluations skip graphql execution as well: an evaluation plan
 * (evaluation-plan/) answers them with the bytes execution would have sent, and leaves to execution
 * every request it cannot answer that way (a failed check, variables that do not coerce).
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { type DocumentNode, type ExecutionResult, getOperationAST, GraphQLError } from 'graphql';
import type { GatewayContext, GatewayServices } from '../graphql/context.js';
import type { ErrorCode } from '../graphql/errors.js';
import { KnownPlans } from './evaluation-plan/known-plans.js';
import { planOf } from './evaluation-plan/plan.js';
import { runPlan } from './evaluation-plan/run-plan.js';
import type { Principal } from '../graphql/principal.js';
import type { KeyRegistry } from './key-registry.js';
import { documentErrorCode } from './plugins/use-error-codes.js';
import { sendBody } from './respond.js';
import { principalFromHeader, type GatewayYoga } from './yoga.js';

type MediaType = 'application/graphql-response+json' | 'application/json';

/** The response type the client prefers (in Accept order, as yoga chooses), or null if it wants neither. */
export function negotiate(accept: string | undefined): MediaType | null {
  if (!accept) return 'application/json';
  for (const part of accept.split(',')) {
    const type = part.split(';')[0]!.trim().toLowerCase();
    if (type === 'application/graphql-response+json') return type;
    if (type === 'application/json' || type === '*/*' || type === 'application/*') return 'application/json';
  }
  return null;
}

/** Whether a request can take the fast lane, judged from its headers alone (before reading the body). */
export function isFastLaneCandidate(req: IncomingMessage): boolean {
  const type = req.headers['content-type'];
  return req.method === 'POST' && typeof type === 'string' && /^application\/json\s*(;|$)/i.test(type) && negotiate(req.headers.accept) !== null && req.headers['content-length'] !== undefined;
}

/**
 * The whole request body. Its listeners go once it is read, so a long-lived request (SSE) does not keep
 * the body alive (and an IncomingMessage without 'error' listeners does not emit its errors).
 */
export function readBody(req: IncomingMessage): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    const onData = (chunk: Buffer) => chunks.push(chunk);
    const settle = (error?: Error) => {
      req.off('data', onData).off('end', settle).off('error', settle);
      if (error) reject(error);
      else resolve(chunks.length === 1 ? chunks[0]! : Buffer.concat(chunks));
    };
    req.on('data', onData).on('end', settle).on('error', settle);
  });
}

interface Params {
  query: string;
  variables?: Record<string, unknown> | null;
  operationName?: string | null;
}

export function paramsOf(body: Buffer): Params | null {
  let parsed: unknown;
  try {
    parsed = JSON.parse(body.toString('utf8'));
  } catch {
    return null;
  }
  if (parsed === null || typeof parsed !== 'object' || Array.isArray(parsed)) return null;
  const { query, variables, operationName, extensions } = parsed as Record<string, unknown>;
  if (typeof query !== 'string' || extensions !== undefined) return null;
  if (variables !== undefined && variables !== null && (typeof variables !== 'object' || Array.isArray(variables))) return null;
  if (operationName !== undefined && operationName !== null && typeof operationName !== 'string') return null;
  return { query, variables: variables as Record<string, unknown> | null, operationName: operationName as string | null };
}

/**
 * Errors reach clients with a code, the one yoga's path gives (use-error-codes.ts): ours carry one,
 * masked errors carry INTERNAL_SERVER_ERROR, and what is left is GraphQL's own word on the request
 * (an argument that does not coerce, a variable without a value).
 */
export function withCodes(result: ExecutionResult): ExecutionResult {
  return result.errors ? { ...result, errors: result.errors.map((error) => coded(error, documentErrorCode(error))) } : result;
}

/** The error as clients see it: with a code, without yoga's internal `http` extension. */
export function coded(error: unknown, code: ErrorCode): GraphQLError {
  const graphqlError = error instanceof GraphQLError ? error : new GraphQLError(String((error as Error)?.message ?? error));
  const { http: _internal, ...extensions } = graphqlError.extensions ?? {};
  return new GraphQLError(graphqlError.message, {
    nodes: graphqlError.nodes,
    source: graphqlError.source,
    positions: graphqlError.positions,
    path: graphqlError.path,
    extensions: { ...extensions, code: extensions.code ?? code },
  });
}

const contentTypes: Readonly<Record<MediaType, string>> = {
  'application/graphql-response+json': 'application/graphql-response+json; charset=utf-8',
  'application/json': 'application/json; charset=utf-8',
};

function send(res: ServerResponse, status: number, mediaType: MediaType, body: string | Buffer): void {
  sendBody(res, status, contentTypes[mediaType], body);
}

/**
 * A request the server cannot execute: per GraphQL over HTTP, 400 with application/graphql-response+json,
 * 200 with the legacy application/json (as yoga answers).
 */
function respondWithErrors(res: ServerResponse, mediaType: MediaType, errors: GraphQLError[], onErrorCode: (code: string) => void): null {
  for (const error of errors) onErrorCode(String(error.extensions?.code));
  send(res, mediaType === 'application/graphql-response+json' ? 400 : 200, mediaType, JSON.stringify({ errors }));
  return null;
}

export interface FastLane {
  /** Serves the request, or returns its body so the caller can hand it to yoga. */
  handle(req: IncomingMessage, res: ServerResponse): Promise<Buffer | null>;
}

type Enveloped = ReturnType<GatewayYoga['getEnveloped']>;

/** The validated document, or null once the request has been answered with its parse or validation errors. */
function validDocument(enveloped: Enveloped, query: string, res: ServerResponse, mediaType: MediaType, onErrorCode: (code: string) => void): DocumentNode | null {
  let document: DocumentNode;
  try {
    document = enveloped.parse(query);
  } catch (error) {
    return respondWithErrors(res, mediaType, [coded(error, documentErrorCode(error as Error))], onErrorCode);
  }
  let invalid: readonly GraphQLError[];
  try {
    invalid = enveloped.validate(enveloped.schema, document);
  } catch (error) {
    // graphql-armor reports a broken limit (depth, aliases, cost…) by throwing from validation.
    invalid = [coded(error, 'GRAPHQL_VALIDATION_FAILED')];
  }
  if (invalid.length === 0) return document;
  return respondWithErrors(res, mediaType, invalid.map((error) => coded(error, 'GRAPHQL_VALIDATION_FAILED')), onErrorCode);
}

/** Executes the operation through envelop and sends its result; false when it is not a single result. */
async function executeAndSend(enveloped: Enveloped, document: DocumentNode, params: Params, contextValue: unknown, res: ServerResponse, mediaType: MediaType, onErrorCode: (code: string) => void): Promise<boolean> {
  const raw = await enveloped.execute({
    schema: enveloped.schema,
    document,
    variableValues: params.variables ?? undefined,
    operationName: params.operationName ?? undefined,
    contextValue,
  });
  if (Symbol.asyncIterator in (raw as object)) return false; // @defer/@stream
  // A request error (e.g. variables that do not coerce) has no `data`: nothing ran.
  if (!('data' in (raw as object))) {
    respondWithErrors(res, mediaType, ((raw as ExecutionResult).errors ?? []).map((error: GraphQLError) => coded(error, 'GRAPHQL_VALIDATION_FAILED')), onErrorCode);
    return true;
  }
  const result = withCodes(raw as ExecutionResult);
  for (const error of result.errors ?? []) onErrorCode(String(error.extensions?.code));
  send(res, 200, mediaType, JSON.stringify(result));
  return true;
}

export interface FastLaneOptions {
  /** Answer queries made only of evaluations from an evaluation plan, without graphql execution (see evaluation-plan/). @default true */
  evaluationPlan?: boolean;
  /**
   * The services of the gateway's GraphQL context. Given, a query text whose plan envelop already
   * accepted is answered without envelop (see evaluation-plan/known-plans.ts).
   */
  services?: GatewayServices;
}

export function createFastLane(yoga: GatewayYoga, keys: KeyRegistry, onErrorCode: (code: string) => void, { evaluationPlan = true, services }: FastLaneOptions = {}): FastLane {
  const known = evaluationPlan && services ? new KnownPlans() : null;
  return {
    async handle(req, res) {
      const body = await readBody(req);
      const params = paramsOf(body);
      if (!params) return body;
      let principal: Principal | null;
      try {
        principal = principalFromHeader(req.headers.authorization, keys);
      } catch {
        return body; // an unknown key: yoga answers 401 with the standard error
      }
      const mediaType = negotiate(req.headers.accept)!;
      const knownPlan = known?.get(params.query, params.operationName);
      // The context the plan reads is what yoga's context factory makes of an authenticated request.
      const answer = knownPlan && runPlan(knownPlan, params.variables, { principal, connection: req, services: services! });
      if (answer) {
        send(res, 200, mediaType, answer);
        return null;
      }
      const enveloped = yoga.getEnveloped({ authenticated: { principal, connection: req }, req, params });
      const document = validDocument(enveloped, params.query, res, mediaType, onErrorCode);
      if (!document) return null;
      const operation = getOperationAST(document, params.operationName ?? undefined);
      if (!operation || operation.operation === 'subscription') return body;
      const contextValue = await enveloped.contextFactory();
      const plan = evaluationPlan ? planOf(enveloped.schema, operation) : null;
      if (plan) known?.remember(params.query, params.operationName, plan);
      // A known plan that just handed the request on would do so again.
      const planned = plan && plan !== knownPlan && runPlan(plan, params.variables, contextValue as unknown as GatewayContext);
      if (planned) {
        send(res, 200, mediaType, planned);
        return null;
      }
      return (await executeAndSend(enveloped, document, params, contextValue, res, mediaType, onErrorCode)) ? null : body;
    },
  };
}
