/**
 * The error codes of the API (`extensions.code`), every one of them, as the README's Errors table
 * lists them (test/gateway/error-codes.test.ts holds the two to each other), and the mapping from
 * domain errors to them. Anything unmapped is masked by graphql-yoga and logged.
 */
import { GraphQLError } from 'graphql';
import { isValidationError } from '../flags/errors.js';
import { NotFound, ReadOnlyStore, StoreUnavailable, VersionConflict } from '../store/types.js';

export const errorCodes = [
  'UNAUTHENTICATED',
  'FORBIDDEN',
  'NOT_FOUND',
  'CONFLICT',
  'VALIDATION',
  'RULE_SYNTAX',
  'STORE_UNAVAILABLE',
  'SUBSCRIPTION_LIMIT',
  'SLOW_CONSUMER',
  'SHUTTING_DOWN',
  'PAYLOAD_TOO_LARGE',
  'LENGTH_REQUIRED',
  // GraphQL's own word on a request (see server/plugins/use-error-codes.ts), and yoga's for masked errors.
  'GRAPHQL_PARSE_FAILED',
  'GRAPHQL_VALIDATION_FAILED',
  'INTERNAL_SERVER_ERROR',
] as const;

export type ErrorCode = (typeof errorCodes)[number];

export function apiError(code: ErrorCode, message: string, extensions: Record<string, unknown> = {}): GraphQLError {
  return new GraphQLError(message, { extensions: { code, ...extensions } });
}

/** Converts a domain error into the API's error, or returns it unchanged (to be masked) if unknown. */
export function toApiError(error: unknown): unknown {
  if (error instanceof GraphQLError) return error;
  if (isValidationError(error)) {
    const ruleIssue = error.issues.find((issue) => issue.code === 'RULE_SYNTAX');
    if (ruleIssue) {
      return apiError('RULE_SYNTAX', error.message, {
        field: ruleIssue.path,
        line: ruleIssue.line,
        column: ruleIssue.column,
        ruleIndex: ruleIssue.ruleIndex,
        issues: error.issues,
      });
    }
    return apiError('VALIDATION', error.message, { field: error.issues[0]?.path ?? '', issues: error.issues });
  }
  if (error instanceof VersionConflict) {
    return apiError('CONFLICT', error.message, {
      currentVersion: error.currentVersion,
      expectedVersion: error.expectedVersion,
    });
  }
  if (error instanceof NotFound) return apiError('NOT_FOUND', error.message);
  if (error instanceof StoreUnavailable) return apiError('STORE_UNAVAILABLE', error.message);
  if (error instanceof ReadOnlyStore) return apiError('FORBIDDEN', error.message);
  return error;
}

/** Runs a resolver body, translating domain errors into API errors. */
export async function mapErrors<T>(body: () => Promise<T>): Promise<T> {
  try {
    return await body();
  } catch (error) {
    throw toApiError(error);
  }
}
