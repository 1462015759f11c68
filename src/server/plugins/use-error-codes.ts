/**
 * Every error leaves with an `extensions.code`: ours already carry one, as do errors yoga masked
 * (INTERNAL_SERVER_ERROR); GraphQL's own (syntax, validation, abuse limits, arguments and variables
 * that do not coerce) get GRAPHQL_PARSE_FAILED or GRAPHQL_VALIDATION_FAILED. Counts errors by code.
 */
import { GraphQLError } from 'graphql';
import type { Plugin } from 'graphql-yoga';
import { documentErrorCode } from '../request/coded-errors.js';

type ErrorLike = GraphQLError | { message: string; extensions?: Record<string, unknown> };

function withCode(error: ErrorLike): ErrorLike {
  if (error.extensions?.code) return error;
  if (!(error instanceof GraphQLError))
    return { ...error, extensions: { ...error.extensions, code: documentErrorCode(error) } };
  return new GraphQLError(error.message, {
    nodes: error.nodes,
    source: error.source,
    positions: error.positions,
    path: error.path,
    originalError: error.originalError,
    extensions: { ...error.extensions, code: documentErrorCode(error) },
  });
}

export function useErrorCodes(onError: (code: string) => void = () => {}): Plugin {
  return {
    onResultProcess({ result, setResult }) {
      if (Array.isArray(result) || !result || typeof result !== 'object' || !('errors' in result) || !result.errors)
        return;
      const errors = (result.errors as ErrorLike[]).map(withCode);
      for (const error of errors) onError(String(error.extensions?.code));
      setResult({ ...result, errors } as typeof result);
    },
  };
}
