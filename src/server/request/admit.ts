/**
 * The one way in for every lane (the fast lane, the SSE lane, WebSocket): yoga's envelop for a caller
 * authenticated beforehand, and the document parsed and validated through it, so the parse and
 * validation caches, abuse limits, error masking and context are those of yoga's own path. A document
 * that does not parse or validate comes back as its errors, coded, for the lane to answer in its own
 * framing (JSON, an SSE message, a graphql-ws error message).
 */
import {
  type DocumentNode,
  type ExecutionArgs,
  type ExecutionResult,
  getOperationAST,
  type GraphQLError,
  type OperationDefinitionNode,
} from 'graphql';
import type { GatewayYoga } from '../yoga.js';
import type { Authenticated } from './authenticate.js';
import { coded, documentErrorCode } from './coded-errors.js';

export type Enveloped = ReturnType<GatewayYoga['getEnveloped']>;

/** What envelop's plugins see of the request (yoga's context factory reads `authenticated`). */
export interface InitialContext {
  authenticated: Authenticated;
  params: { query: string; operationName?: string | null; variables?: Record<string, unknown> | null };
  [more: string]: unknown;
}

export interface Admitted {
  enveloped: Enveloped;
  document: DocumentNode;
  /** Null when the document has no operation by the name asked for (execution words that error). */
  operation: OperationDefinitionNode | null;
}

export function admit(yoga: GatewayYoga, initial: InitialContext): Admitted | GraphQLError[] {
  const enveloped = yoga.getEnveloped(initial);
  let document: DocumentNode;
  try {
    document = enveloped.parse(initial.params.query);
  } catch (error) {
    return [coded(error, documentErrorCode(error as Error))];
  }
  let invalid: readonly GraphQLError[];
  try {
    invalid = enveloped.validate(enveloped.schema, document);
  } catch (error) {
    // graphql-armor reports a broken limit (depth, aliases, cost…) by throwing from validation.
    return [coded(error, 'GRAPHQL_VALIDATION_FAILED')];
  }
  if (invalid.length > 0) return invalid.map((error) => coded(error, 'GRAPHQL_VALIDATION_FAILED'));
  return {
    enveloped,
    document,
    operation: getOperationAST(document, initial.params.operationName ?? undefined) ?? null,
  };
}

export function isAdmitted(admission: Admitted | GraphQLError[]): admission is Admitted {
  return !Array.isArray(admission);
}

export function executionArgs(
  { enveloped, document }: Admitted,
  params: InitialContext['params'],
  contextValue: unknown,
): ExecutionArgs {
  return {
    schema: enveloped.schema,
    document,
    variableValues: params.variables ?? undefined,
    operationName: params.operationName ?? undefined,
    contextValue,
  };
}

/** Runs the operation: a subscription gives its stream (or the errors that kept it from starting), anything else a result or, with @defer/@stream, a stream. */
export async function run(
  admitted: Admitted,
  params: InitialContext['params'],
  contextValue: unknown,
): Promise<ExecutionResult | AsyncIterable<ExecutionResult>> {
  const args = executionArgs(admitted, params, contextValue);
  const { enveloped } = admitted;
  return (
    admitted.operation?.operation === 'subscription' ? await enveloped.subscribe(args) : await enveloped.execute(args)
  ) as ExecutionResult | AsyncIterable<ExecutionResult>;
}
