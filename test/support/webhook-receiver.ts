/**
 * A webhook receiver for tests: a real HTTP server on loopback that records every request (headers and
 * raw body) and answers as told: 200, 500, or not at all (hang, until told otherwise or closed).
 */
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface ReceivedRequest {
  headers: IncomingMessage['headers'];
  body: string;
  /** The status it was answered with; null while hanging. */
  answeredWith: number | null;
}

export type ReceiverMode = 'ok' | 'fail' | 'hang';

export class WebhookReceiver {
  readonly requests: ReceivedRequest[] = [];
  mode: ReceiverMode = 'ok';
  private readonly hanging: ServerResponse[] = [];
  private readonly server = createServer((req, res) => this.handle(req, res));
  url = '';

  async start(): Promise<this> {
    await new Promise<void>((resolve) => this.server.listen(0, '127.0.0.1', resolve));
    this.url = `http://127.0.0.1:${(this.server.address() as AddressInfo).port}/hook`;
    return this;
  }

  private handle(req: IncomingMessage, res: ServerResponse): void {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      const received: ReceivedRequest = {
        headers: req.headers,
        body: Buffer.concat(chunks).toString('utf8'),
        answeredWith: null,
      };
      this.requests.push(received);
      if (this.mode === 'hang') {
        this.hanging.push(res);
        return;
      }
      received.answeredWith = this.mode === 'ok' ? 200 : 500;
      res.writeHead(received.answeredWith).end(this.mode === 'ok' ? 'thanks' : 'receiver broken');
    });
  }

  /** Requests per X-Vexil-Delivery id. */
  countsByDelivery(): Map<string, number> {
    const counts = new Map<string, number>();
    for (const request of this.requests) {
      const id = String(request.headers['x-vexil-delivery']);
      counts.set(id, (counts.get(id) ?? 0) + 1);
    }
    return counts;
  }

  /** Requests answered 2xx, per delivery id. */
  deliveredCounts(): Map<string, number> {
    const counts = new Map<string, number>();
    for (const request of this.requests.filter((r) => r.answeredWith === 200)) {
      const id = String(request.headers['x-vexil-delivery']);
      counts.set(id, (counts.get(id) ?? 0) + 1);
    }
    return counts;
  }

  get hangingCount(): number {
    return this.hanging.filter((res) => !res.writableEnded && !res.destroyed).length;
  }

  async close(): Promise<void> {
    for (const res of this.hanging.splice(0)) res.destroy();
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }
}

/** Polls `condition` every 25 ms until it holds; fails with `what` after `timeoutMs` (generous: the machine is shared). */
export async function waitFor(
  what: string,
  condition: () => boolean | Promise<boolean>,
  timeoutMs = 30_000,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await condition())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
}
