/**
 * The way out of a lane for a request it does not serve after all (its body already read): yoga's
 * Fetch-API adapter, with the body given back. A stream (SSE, multipart) is relayed as it comes;
 * anything else is sent whole, with its length.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { GatewayYoga } from '../yoga.js';

function requestHeaders(req: IncomingMessage): Headers {
  const headers = new Headers();
  for (const [name, value] of Object.entries(req.headers)) {
    if (value !== undefined && name !== 'content-length')
      headers.set(name, Array.isArray(value) ? value.join(', ') : value);
  }
  return headers;
}

async function relay(body: ReadableStream<Uint8Array>, res: ServerResponse): Promise<void> {
  const reader = body.getReader();
  res.once('close', () => void reader.cancel().catch(() => {}));
  for (let step = await reader.read(); !step.done; step = await reader.read()) res.write(step.value);
  res.end();
}

export async function handToYoga(
  yoga: GatewayYoga,
  req: IncomingMessage,
  res: ServerResponse,
  body: Buffer,
): Promise<void> {
  const response = await yoga.fetch(
    `http://${req.headers.host ?? 'localhost'}${req.url ?? '/graphql'}`,
    { method: req.method ?? 'POST', headers: requestHeaders(req), body },
    { req, res },
  );
  const outgoing: Record<string, string> = {};
  response.headers.forEach((value, name) => {
    outgoing[name] = value;
  });
  const type = response.headers.get('content-type') ?? '';
  if (response.body && (type.startsWith('text/event-stream') || type.startsWith('multipart/mixed'))) {
    delete outgoing['content-length'];
    res.writeHead(response.status, outgoing);
    return relay(response.body, res);
  }
  const whole = Buffer.from(await response.arrayBuffer());
  res.writeHead(response.status, { ...outgoing, 'content-length': String(whole.length) });
  res.end(whole);
}
