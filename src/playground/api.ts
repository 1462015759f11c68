/**
 * The page talks to the gateway only through the typed operations generated from
 * src/client/operations/*.graphql, so a schema change that breaks the playground breaks its type check.
 */
import type { TypedDocumentNode } from '@graphql-typed-document-node/core';
import { print } from 'graphql';
import {
  EnvironmentsDocument,
  type EnvironmentsQuery,
  ExplainEvaluationDocument,
  type ExplainEvaluationQuery,
  FlagsDocument,
  type FlagsQuery,
  ValidateRuleDocument,
  type ValidateRuleQuery,
} from '../client/generated/graphql.js';

export type RuleValidation = ValidateRuleQuery['validateRule'];
export type Explanation = ExplainEvaluationQuery['explainEvaluation'];
export type FlagSummary = FlagsQuery['flags']['nodes'][number];
export type EnvironmentSummary = EnvironmentsQuery['environments'][number];

/** An error the API returned (with its code, e.g. UNAUTHENTICATED or FORBIDDEN) or a network failure. */
export class ApiError extends Error {
  constructor(
    message: string,
    readonly code: string | undefined,
    readonly status: number,
  ) {
    super(message);
  }
}

const endpoint = '/graphql';
const printed = new WeakMap<object, string>();

function queryText(document: TypedDocumentNode<unknown, unknown>): string {
  let text = printed.get(document);
  if (text === undefined) printed.set(document, (text = print(document)));
  return text;
}

interface GraphQLResponse<T> {
  data?: T | null;
  errors?: Array<{ message: string; extensions?: { code?: string } }>;
}

export async function request<TData, TVariables>(
  document: TypedDocumentNode<TData, TVariables>,
  variables: TVariables,
  options: { key?: string | null; signal?: AbortSignal } = {},
): Promise<TData> {
  const headers: Record<string, string> = {
    'content-type': 'application/json',
    accept: 'application/graphql-response+json, application/json',
  };
  if (options.key) headers.authorization = `Bearer ${options.key}`;
  let response: Response;
  try {
    response = await fetch(endpoint, {
      method: 'POST',
      headers,
      body: JSON.stringify({ query: queryText(document as TypedDocumentNode<unknown, unknown>), variables }),
      signal: options.signal ?? null,
      credentials: 'omit',
    });
  } catch (error) {
    if (error instanceof DOMException && error.name === 'AbortError') throw error;
    throw new ApiError('the gateway could not be reached', 'NETWORK', 0);
  }
  let body: GraphQLResponse<TData>;
  try {
    body = (await response.json()) as GraphQLResponse<TData>;
  } catch {
    throw new ApiError(
      `the gateway answered ${response.status} without a GraphQL response`,
      undefined,
      response.status,
    );
  }
  const first = body.errors?.[0];
  if (first) throw new ApiError(first.message, first.extensions?.code, response.status);
  if (!body.data) throw new ApiError('the gateway returned no data', undefined, response.status);
  return body.data;
}

/** Compiles a rule and, with a context, evaluates it with a trace. Anonymous callers may use it. */
export async function validateRule(source: string, context: unknown, signal?: AbortSignal): Promise<RuleValidation> {
  const data = await request(
    ValidateRuleDocument,
    { source, context: context === undefined ? null : context },
    { signal },
  );
  return data.validateRule;
}

/** Every flag (following pages, up to 2,000). Needs an admin or read-only key. */
export async function listFlags(key: string): Promise<FlagSummary[]> {
  const flags: FlagSummary[] = [];
  let after: string | null | undefined = null;
  for (let page = 0; page < 20; page++) {
    const data: FlagsQuery = await request(FlagsDocument, { first: 100, after }, { key });
    flags.push(...data.flags.nodes);
    if (!data.flags.pageInfo.hasNextPage) break;
    after = data.flags.pageInfo.endCursor;
  }
  return flags;
}

export async function listEnvironments(key: string): Promise<EnvironmentSummary[]> {
  return (await request(EnvironmentsDocument, {}, { key })).environments;
}

export async function explainEvaluation(
  key: string,
  flag: string,
  environment: string,
  context: unknown,
  signal?: AbortSignal,
): Promise<Explanation> {
  const data = await request(ExplainEvaluationDocument, { key: flag, environment, context }, { key, signal });
  return data.explainEvaluation;
}
