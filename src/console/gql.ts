/** GraphQL calls with the signed-in key, and error messages that say what to do next. */
import type { TypedDocumentNode } from '@graphql-typed-document-node/core';
import { ApiError, request } from '../playground/api.js';
import { apiKey } from './session.js';

export { ApiError };

export function call<TData, TVariables>(
  document: TypedDocumentNode<TData, TVariables>,
  variables: TVariables,
): Promise<TData> {
  return request(document, variables, { key: apiKey.value });
}

/** The sentence to show for a failed call. */
export function explain(error: unknown): string {
  if (!(error instanceof ApiError))
    return `Something went wrong: ${error instanceof Error ? error.message : String(error)}.`;
  switch (error.code) {
    case 'NETWORK':
      return 'The gateway could not be reached. Check that it is running, then try again.';
    case 'UNAUTHENTICATED':
      return 'Your key is no longer accepted (revoked?). Sign out and sign in with a valid key.';
    case 'FORBIDDEN':
      return `${error.message}. Sign in with an admin key to make changes.`;
    case 'CONFLICT':
      return 'Someone changed this since you loaded it. Review their change, then reapply yours.';
    case 'VALIDATION':
    case 'NOT_FOUND':
      return `${error.message}.`;
    default:
      // A masked internal error still tells the operator what to try.
      return `The gateway failed (${error.message}). Try again; if it keeps failing, check the gateway's log.`;
  }
}
