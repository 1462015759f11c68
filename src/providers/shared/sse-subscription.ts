/**
 * One GraphQL subscription over Server-Sent Events with nothing but `fetch` (Node 20 and browsers
 * alike): a POST with `accept: text/event-stream`, graphql-sse's "distinct connections" mode, which the
 * gateway's SSE lane answers. The stream is read by hand rather than with graphql-sse's client so the
 * providers ship without a transport dependency and see every drop themselves (they reconnect with
 * their own backoff and resynchronise from the first message).
 */

export interface GraphqlError {
  message: string;
  extensions?: { code?: string; [name: string]: unknown };
}

export interface SubscriptionHandlers<T> {
  /** A `next` event's payload. */
  next(result: { data?: T | null; errors?: GraphqlError[] }): void;
  /** The stream ended: `error` when it failed or was refused, none when the server completed it. */
  end(error?: unknown): void;
  /** The gateway accepted the subscription (its response headers arrived). */
  open?(): void;
}

export interface SseRequest {
  endpoint: string;
  query: string;
  variables: Record<string, unknown>;
  headers: Record<string, string>;
  fetch: typeof globalThis.fetch;
}

/** A refusal the server answered with a status (401, 403, …) before any event. */
export class SubscriptionRefused extends Error {
  constructor(
    readonly status: number,
    readonly errors: GraphqlError[],
  ) {
    super(errors[0]?.message ?? `the gateway answered ${status}`);
  }
}

/** Starts the subscription; the returned function aborts it (no `end` call follows an abort). */
export function subscribeOverSse<T>(request: SseRequest, handlers: SubscriptionHandlers<T>): () => void {
  const abort = new AbortController();
  let ended = false;
  const end = (error?: unknown) => {
    if (ended || abort.signal.aborted) return;
    ended = true;
    handlers.end(error);
  };
  void read(request, abort.signal, handlers, end).then(
    () => end(new Error('the stream closed')),
    (error: unknown) => end(error),
  );
  return () => {
    ended = true;
    abort.abort();
  };
}

async function read<T>(
  request: SseRequest,
  signal: AbortSignal,
  { next, open }: SubscriptionHandlers<T>,
  end: (error?: unknown) => void,
): Promise<void> {
  const response = await request.fetch(request.endpoint, {
    method: 'POST',
    signal,
    headers: { 'content-type': 'application/json', accept: 'text/event-stream', ...request.headers },
    body: JSON.stringify({ query: request.query, variables: request.variables }),
  });
  if (!response.ok || !response.body || !response.headers.get('content-type')?.includes('text/event-stream'))
    throw new SubscriptionRefused(response.status, await errorsOf(response));
  open?.();
  const decoder = new TextDecoder();
  let buffer = '';
  const reader = response.body.getReader();
  for (;;) {
    const { done, value } = await reader.read();
    if (done) return;
    buffer += decoder.decode(value, { stream: true });
    for (let cut = buffer.indexOf('\n\n'); cut >= 0; cut = buffer.indexOf('\n\n')) {
      const event = parseEvent(buffer.slice(0, cut));
      buffer = buffer.slice(cut + 2);
      if (event?.name === 'next') next(JSON.parse(event.data));
      else if (event?.name === 'complete') return end();
    }
  }
}

/** An SSE block's event name and joined data lines; null for a comment (the gateway's pings). */
function parseEvent(block: string): { name: string; data: string } | null {
  let name = 'message';
  const data: string[] = [];
  let fields = 0;
  for (const line of block.split('\n')) {
    if (line.startsWith(':')) continue;
    fields++;
    if (line.startsWith('event:')) name = line.slice(6).trim();
    else if (line.startsWith('data:')) data.push(line.slice(5).replace(/^ /, ''));
  }
  return fields === 0 ? null : { name, data: data.join('\n') };
}

async function errorsOf(response: Response): Promise<GraphqlError[]> {
  try {
    const body = (await response.json()) as { errors?: GraphqlError[] };
    return Array.isArray(body.errors) ? body.errors : [];
  } catch {
    return [];
  }
}
