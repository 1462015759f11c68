/**
 * The GraphQL parameters of a JSON POST body, when they are the plain kind the lanes serve: a query
 * string, optional variables and operation name. Anything else (batches, persisted-query
 * `extensions`, a body that is not a JSON object) is yoga's to answer.
 */
export interface Params {
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
  if (variables !== undefined && variables !== null && (typeof variables !== 'object' || Array.isArray(variables)))
    return null;
  if (operationName !== undefined && operationName !== null && typeof operationName !== 'string') return null;
  return {
    query,
    variables: variables as Record<string, unknown> | null,
    operationName: operationName as string | null,
  };
}
