/**
 * Whole responses go out together once the event loop has served the requests that were ready
 * (src/server/respond.ts): what a client receives is unchanged, nothing waits longer than the poll
 * phase that read it, a burst is flushed every 64 responses, and a response that can no longer be sent
 * (the client left, or an error path answered first) is dropped without harming the others.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { sendBody, sendJson } from '../../src/server/respond.js';

type Handler = (req: IncomingMessage, res: ServerResponse) => void;

let server: Server | null = null;

async function serve(handler: Handler): Promise<string> {
  server = createServer(handler);
  await new Promise<void>((resolve) => server!.listen(0, '127.0.0.1', resolve));
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}

afterEach(async () => {
  server?.closeAllConnections();
  await new Promise((resolve) => server?.close(resolve));
  server = null;
});

const nextLoopTurn = () => new Promise((resolve) => setImmediate(resolve));

describe('coalesced whole responses', () => {
  it('sends status, type, length and body as written, after the poll phase that read the request', async () => {
    const seenBeforeFlush: boolean[] = [];
    const url = await serve((req, res) => {
      sendBody(res, 201, 'application/json; charset=utf-8', req.url === '/bytes' ? Buffer.from('{"é":1}') : '{"é":2}');
      seenBeforeFlush.push(res.headersSent);
    });
    for (const [path, body] of [
      ['/bytes', '{"é":1}'],
      ['/text', '{"é":2}'],
    ] as const) {
      const response = await fetch(`${url}${path}`);
      expect(response.status).toBe(201);
      expect(response.headers.get('content-type')).toBe('application/json; charset=utf-8');
      expect(response.headers.get('content-length')).toBe(String(Buffer.byteLength(body)));
      expect(await response.text()).toBe(body);
    }
    expect(seenBeforeFlush).toEqual([false, false]);
  });

  it('keeps headers set before the response is sent (sendJson: no-store)', async () => {
    const url = await serve((_req, res) => {
      res.setHeader('allow', 'GET');
      sendJson(res, 405, { error: 'method not allowed' });
    });
    const response = await fetch(url, { method: 'POST' });
    expect(response.status).toBe(405);
    expect(response.headers.get('allow')).toBe('GET');
    expect(response.headers.get('cache-control')).toBe('no-store');
    expect(await response.json()).toEqual({ error: 'method not allowed' });
  });

  it('sends the headers given with the body, after any set before it', async () => {
    const url = await serve((req, res) => {
      if (req.url === '/limited') res.setHeader('retry-after', '3');
      sendBody(res, req.url === '/limited' ? 429 : 200, 'application/json; charset=utf-8', Buffer.from('{}'), [
        'access-control-allow-origin',
        '*',
        'etag',
        '"abc"',
      ]);
    });
    for (const path of ['/plain', '/limited']) {
      const response = await fetch(`${url}${path}`);
      expect(response.headers.get('access-control-allow-origin')).toBe('*');
      expect(response.headers.get('etag')).toBe('"abc"');
      expect(response.headers.get('content-type')).toBe('application/json; charset=utf-8');
      expect(response.headers.get('content-length')).toBe('2');
      expect(response.headers.get('retry-after')).toBe(path === '/limited' ? '3' : null);
      expect(await response.text()).toBe('{}');
    }
  });

  it('flushes a burst every 64 responses, without waiting for the loop', async () => {
    const held: ServerResponse[] = [];
    const sentAfterEach: boolean[] = [];
    let burstDone: () => void;
    const burst = new Promise<void>((resolve) => {
      burstDone = resolve;
    });
    const url = await serve((_req, res) => {
      held.push(res);
      if (held.length < 65) return;
      // All 65 answered in one go, as a busy poll phase would.
      for (const [index, response] of held.entries()) {
        sendBody(response, 200, 'text/plain', String(index));
        sentAfterEach.push(response.headersSent);
      }
      burstDone();
    });
    const answers = Array.from({ length: 65 }, () => fetch(url).then((response) => response.text()));
    await burst;
    // The 64th response flushed the 64 queued; the 65th waits for the end of the loop turn.
    expect(sentAfterEach.slice(0, 63).every((sent) => !sent)).toBe(true);
    expect(held.slice(0, 64).every((response) => response.headersSent)).toBe(true);
    expect(held[64]!.headersSent).toBe(false);
    await nextLoopTurn();
    expect(held[64]!.headersSent).toBe(true);
    expect((await Promise.all(answers)).sort((a, b) => Number(a) - Number(b))).toEqual(
      Array.from({ length: 65 }, (_, index) => String(index)),
    );
  });

  it('drops a response whose client left, and a second answer to one request, and sends the rest', async () => {
    const url = await serve((req, res) => {
      if (req.url === '/gone') {
        res.destroy();
        sendBody(res, 200, 'text/plain', 'never sent');
        return;
      }
      sendBody(res, 200, 'text/plain', 'first');
      sendJson(res, 500, { error: 'internal error' });
    });
    await expect(fetch(`${url}/gone`)).rejects.toThrow();
    const response = await fetch(`${url}/twice`);
    expect(response.status).toBe(200);
    expect(await response.text()).toBe('first');
  });
});
