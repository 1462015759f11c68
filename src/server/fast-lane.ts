/**
 * The fast lane for the request applications make thousands of times a second: a JSON POST of a
 * query, from a client that accepts JSON. It skips the Fetch-API adapter (Request/Response objects,
 * abort signals, stream pipelines — most of a small request's cost, as profiling showed) but comes in
 * through the same front door as every lane (request/: the body, its parameters, the caller, envelop,
 * parse and validation), so caches, abuse limits, error masking and the context are exactly those of
 * the normal path. Anything else — GET, batches, persisted-query extensions, an unknown key — goes to
 * yoga untouched; a subscription streams over SSE when the client accepts it, as yoga would answer.
 *
 * Queries made only of evaluations skip graphql execution as well: an evaluation plan
 * (evaluation-plan/) answers them with the bytes execution would have sent, and leaves to execution
 * every request it cannot answer that way (a failed check, variables that do not coerce).
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { ExecutionResult, GraphQLError } from 'graphql';
import type { GatewayContext, GatewayServices } from '../graphql/context.js';
import { KnownPlans } from './evaluation-plan/known-plans.js';
import { planOf } from './evaluation-plan/plan.js';
import { runPlan } from './evaluation-plan/run-plan.js';
import type { KeyRegistry } from './key-registry.js';
import { type JsonMediaType, negotiate } from './request/accept.js';
import { admit, type Admitted, isAdmitted, run } from './request/admit.js';
import { type Caller, callerOf } from './request/authenticate.js';
import { coded, withCodes } from './request/coded-errors.js';
import { paramsOf } from './request/params.js';
import { readBody } from './request/read-body.js';
import { sendBody } from './respond.js';
import { streamEvents } from './sse-lane.js';
import type { GatewayYoga } from './yoga.js';

const contentTypes: Readonly<Record<JsonMediaType, string>> = {
  'application/graphql-response+json': 'application/graphql-response+json; charset=utf-8',
  'application/json': 'application/json; charset=utf-8',
};

function send(res: ServerResponse, status: number, mediaType: JsonMediaType, body: string | Buffer): null {
  sendBody(res, status, contentTypes[mediaType], body);
  return null;
}

type CountCode = (code: string) => void;

/**
 * A request the server cannot execute: per GraphQL over HTTP, 400 with application/graphql-response+json,
 * 200 with the legacy application/json (as yoga answers).
 */
function respondWithErrors(
  res: ServerResponse,
  mediaType: JsonMediaType,
  errors: readonly GraphQLError[],
  onErrorCode: CountCode,
): null {
  for (const error of errors) onErrorCode(String(error.extensions?.code));
  return send(
    res,
    mediaType === 'application/graphql-response+json' ? 400 : 200,
    mediaType,
    JSON.stringify({ errors }),
  );
}

/** A single result of execution (or of a subscription that did not start), coded and counted. */
function sendResult(res: ServerResponse, mediaType: JsonMediaType, raw: ExecutionResult, onErrorCode: CountCode): null {
  // Errors without `data` or a path are about the request itself (variables that do not coerce): nothing ran.
  if (!('data' in raw) && !raw.errors?.some((error) => error.path)) {
    return respondWithErrors(
      res,
      mediaType,
      (raw.errors ?? []).map((error) => coded(error, 'GRAPHQL_VALIDATION_FAILED')),
      onErrorCode,
    );
  }
  const result = withCodes(raw);
  for (const error of result.errors ?? []) onErrorCode(String(error.extensions?.code));
  return send(res, 200, mediaType, JSON.stringify(result));
}

export interface FastLane {
  /** Serves the request, or returns its body so the caller can hand it to yoga. */
  handle(req: IncomingMessage, res: ServerResponse): Promise<Buffer | null>;
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

/**
 * A subscription from a client that accepts JSON: its stream goes out as SSE, errors that kept it
 * from starting as JSON (yoga's choice for both); false when yoga must answer (no SSE: 406).
 */
async function subscribe(
  admission: Admitted,
  caller: Caller,
  res: ServerResponse,
  onErrorCode: CountCode,
): Promise<boolean> {
  const { stream, subscriptionResult } = negotiate(caller.req.headers.accept);
  if (!stream) return false;
  const result = await run(admission, caller.params, await admission.enveloped.contextFactory());
  if (Symbol.asyncIterator in result) streamEvents(res, result[Symbol.asyncIterator]());
  else sendResult(res, subscriptionResult as JsonMediaType, result, onErrorCode);
  return true;
}

export function createFastLane(
  yoga: GatewayYoga,
  keys: KeyRegistry,
  onErrorCode: CountCode,
  { evaluationPlan = true, services }: FastLaneOptions = {},
): FastLane {
  const known = evaluationPlan && services ? new KnownPlans() : null;
  return {
    async handle(req, res) {
      const body = await readBody(req);
      const params = paramsOf(body);
      const caller = params && callerOf(req, params, keys);
      if (!caller) return body; // not plain parameters, or an unknown key: yoga answers (401 with the standard error)
      // The front door sends here only requests yoga would answer as JSON (request/lane.ts).
      const mediaType = negotiate(req.headers.accept).result as JsonMediaType;
      const knownPlan = known?.get(params.query, params.operationName);
      // The context the plan reads is what yoga's context factory makes of an authenticated request.
      const answer =
        knownPlan &&
        runPlan(knownPlan, params.variables, {
          principal: caller.authenticated.principal,
          connection: req,
          services: services!,
        });
      if (answer) return send(res, 200, mediaType, answer);
      const admission = admit(yoga, { authenticated: caller.authenticated, req, params });
      if (!isAdmitted(admission)) return respondWithErrors(res, mediaType, admission, onErrorCode);
      const { operation, enveloped } = admission;
      if (!operation) return body;
      if (operation.operation === 'subscription')
        return (await subscribe(admission, caller, res, onErrorCode)) ? null : body;
      const contextValue = await enveloped.contextFactory();
      const plan = evaluationPlan ? planOf(enveloped.schema, operation) : null;
      if (plan) known?.remember(params.query, params.operationName, plan);
      // A known plan that just handed the request on would do so again.
      const planned =
        plan && plan !== knownPlan && runPlan(plan, params.variables, contextValue as unknown as GatewayContext);
      if (planned) return send(res, 200, mediaType, planned);
      const raw = await run(admission, params, contextValue);
      if (Symbol.asyncIterator in raw) return body; // @defer/@stream: yoga streams it (multipart or SSE)
      return sendResult(res, mediaType, raw, onErrorCode);
    },
  };
}
