/** OFREP requests over fetch for the OFREP tests: status, headers and the parsed body. */

export interface OfrepResponse {
  status: number;
  headers: Headers;
  body: any;
  text: string;
}

export interface OfrepRequest {
  key?: string | null;
  /** The key goes in X-API-Key instead of Authorization. */
  apiKeyHeader?: boolean;
  /** The raw body; default `{"context": context}`. */
  body?: string;
  context?: unknown;
  headers?: Record<string, string>;
  method?: string;
}

export async function ofrep(baseUrl: string, path: string, request: OfrepRequest = {}): Promise<OfrepResponse> {
  const {
    key = null,
    apiKeyHeader = false,
    context = { targetingKey: 'user-1' },
    headers = {},
    method = 'POST',
  } = request;
  const auth: Record<string, string> =
    key === null ? {} : apiKeyHeader ? { 'x-api-key': key } : { authorization: `Bearer ${key}` };
  const body = request.body ?? JSON.stringify({ context });
  const response = await fetch(`${baseUrl}/ofrep/v1/evaluate/${path}`, {
    method,
    headers: { 'content-type': 'application/json', ...auth, ...headers },
    ...(method === 'POST' ? { body } : {}),
  });
  const text = await response.text();
  let parsed: unknown;
  try {
    parsed = text === '' ? undefined : JSON.parse(text);
  } catch {
    parsed = undefined;
  }
  return { status: response.status, headers: response.headers, body: parsed, text };
}
