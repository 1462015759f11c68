/**
 * Errors reach clients with a code, the one yoga's path gives (plugins/use-error-codes.ts): ours carry
 * one, masked errors carry INTERNAL_SERVER_ERROR, and what is left is GraphQL's own word on the
 * request (a document that does not parse or validate, an argument or variable that does not coerce).
 */
import { type ExecutionResult, GraphQLError } from 'graphql';
import type { ErrorCode } from '../../graphql/errors.js';

/** The code of an error GraphQL raised on the request itself: its document, or its arguments and variables. */
export function documentErrorCode(error: { message: string }): ErrorCode {
  // graphql-armor words its limit errors as "Syntax Error: … limit …"; those are validation failures.
  return error.message.startsWith('Syntax Error') && !/limit/i.test(error.message)
    ? 'GRAPHQL_PARSE_FAILED'
    : 'GRAPHQL_VALIDATION_FAILED';
}

/** The error as clients see it: with a code, without yoga's internal `http` extension. */
export function coded(error: unknown, code: ErrorCode): GraphQLError {
  const graphqlError =
    error instanceof GraphQLError ? error : new GraphQLError(String((error as Error)?.message ?? error));
  const { http: _internal, ...extensions } = graphqlError.extensions ?? {};
  return new GraphQLError(graphqlError.message, {
    nodes: graphqlError.nodes,
    source: graphqlError.source,
    positions: graphqlError.positions,
    path: graphqlError.path,
    extensions: { ...extensions, code: extensions.code ?? code },
  });
}

/** A result with a code on each of its errors (errors of execution: their code is GraphQL's word on the request). */
export function withCodes(result: ExecutionResult): ExecutionResult {
  return result.errors
    ? { ...result, errors: result.errors.map((error) => coded(error, documentErrorCode(error))) }
    : result;
}
