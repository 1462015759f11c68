/**
 * GraphQL over SSE served straight on node:http. Each live subscriber otherwise holds a Fetch-API
 * Request, Response and ReadableStream for its whole life (most of its memory, as heap snapshots
 * showed); here it holds only the node request/response pair. The operation still runs through yoga's
 * envelop (caches, limits, masking, context), and the stream is framed exactly as yoga frames it:
 * an initial `:` comment, `event: next` per result, `event: complete` at the end, pings while idle.
 * Backpressure is respected: the next message is pulled only once the socket drained, so a reader
 * that stops reading falls behind in the hub's bounded queue and is dropped there.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { ExecutionResult } from 'graphql';
import type { KeyRegistry } from './key-registry.js';
import { admit, isAdmitted, run } from './request/admit.js';
import { callerOf } from './request/authenticate.js';
import { withCodes } from './request/coded-errors.js';
import { paramsOf } from './request/params.js';
import { readBody } from './request/read-body.js';
import type { GatewayYoga } from './yoga.js';

/** Yoga's interval; shortened under NODE_ENV=test as yoga does, so keep-alive tests stay quick. */
const pingIntervalMs = process.env.NODE_ENV === 'test' ? 300 : 12_000;

/**
 * Framed messages by result. Subscribers of one payload share one result object (see
 * use-shared-subscription-results.ts), so 10,000 of them cost one JSON.stringify and one encoding;
 * each socket write then only references the same bytes.
 */
const frames = new WeakMap<ExecutionResult, Buffer>();

function frame(result: ExecutionResult): Buffer {
  let framed = frames.get(result);
  if (framed === undefined)
    frames.set(result, (framed = Buffer.from(`event: next\ndata: ${JSON.stringify(withCodes(result))}\n\n`)));
  return framed;
}

/** An SSE comment: the stream's first bytes, and the keep-alive (bytes once, not a string per write). */
const comment = Buffer.from(':\n\n');

/** The last message of every stream. */
const complete = Buffer.from('event: complete\ndata:\n\n');

function openStream(res: ServerResponse): void {
  res.writeHead(200, {
    'content-type': 'text/event-stream',
    connection: 'keep-alive',
    'cache-control': 'no-cache',
    'content-encoding': 'none',
  });
  res.write(comment);
}

/** A single result (an error, or a query or mutation sent as SSE): one message, then complete. */
function sendOne(res: ServerResponse, result: ExecutionResult): void {
  openStream(res);
  res.write(frame(result));
  res.end(complete);
}

/**
 * Keep-alive comments for every open stream from one timer (a timer per stream was a measurable part
 * of a subscriber's memory). Streams are spread over `slots` buckets pinged in turn, so each gets a
 * comment once per interval without all of them writing at the same moment.
 */
class KeepAlive {
  private readonly slots: Array<Set<SseStream>>;
  private tick = 0;
  private count = 0;
  private timer: NodeJS.Timeout | null = null;

  constructor(
    private readonly intervalMs: number,
    slots = 8,
  ) {
    this.slots = Array.from({ length: slots }, () => new Set());
  }

  /** Adds a stream to the bucket pinged last, so its first ping comes about one interval from now. */
  add(stream: SseStream): Set<SseStream> {
    const slot = this.slots[(this.tick + this.slots.length - 1) % this.slots.length]!;
    slot.add(stream);
    if (this.count++ === 0) {
      this.timer = setInterval(() => this.ping(), this.intervalMs / this.slots.length);
      this.timer.unref();
    }
    return slot;
  }

  remove(stream: SseStream, slot: Set<SseStream>): void {
    if (!slot.delete(stream) || --this.count > 0) return;
    clearInterval(this.timer!);
    this.timer = null;
  }

  private ping(): void {
    const slot = this.slots[this.tick]!;
    this.tick = (this.tick + 1) % this.slots.length;
    for (const stream of slot) stream.ping();
  }
}

const keepAlive = new KeepAlive(pingIntervalMs);

/**
 * One subscriber's stream: pulls the next result only once the socket took the previous one, until
 * the source ends or the client goes away. Event-driven rather than an async function, so an idle
 * subscriber holds this object and its iterator chain, not a suspended frame and its locals.
 */
class SseStream {
  private open = true;
  private readonly slot: Set<SseStream>;

  constructor(
    private readonly res: ServerResponse,
    private readonly iterator: AsyncIterator<ExecutionResult>,
  ) {
    openStream(res);
    this.slot = keepAlive.add(this);
    res.on('close', () => this.stop());
    this.pull();
  }

  /** Like yoga: no ping while the socket is backed up (it would only add to the backlog). */
  ping(): void {
    if (!this.res.writableNeedDrain) this.res.write(comment);
  }

  private pull(): void {
    if (!this.open) return;
    this.iterator.next().then(
      (step) => this.write(step),
      (error: unknown) => this.fail(error),
    );
  }

  private write({ value, done }: IteratorResult<ExecutionResult>): void {
    if (!this.open) return;
    const flushed = value == null || this.res.write(frame(value));
    if (done) {
      this.res.end(complete);
      this.stop();
    } else if (flushed) this.pull();
    else this.res.once('drain', () => this.pull());
  }

  private fail(error: unknown): void {
    this.stop();
    this.res.destroy(error as Error);
  }

  private stop(): void {
    if (!this.open) return;
    this.open = false;
    keepAlive.remove(this, this.slot);
    this.iterator.return?.()?.catch(() => {});
  }
}

/** Streams a subscription's results to a response not started yet (the lanes' way out for streams). */
export function streamEvents(res: ServerResponse, iterator: AsyncIterator<ExecutionResult>): void {
  // Not awaited by anyone: the stream outlives the request handler, which keeps nothing of it.
  new SseStream(res, iterator);
}

export interface SseLane {
  /** Serves a request answered as SSE (see request/lane.ts), or returns its body so the caller can hand it to yoga. */
  handle(req: IncomingMessage, res: ServerResponse): Promise<Buffer | null>;
}

export function createSseLane(yoga: GatewayYoga, keys: KeyRegistry): SseLane {
  return {
    async handle(req, res) {
      const body = await readBody(req);
      const params = paramsOf(body);
      const caller = params && callerOf(req, params, keys);
      // A body of another kind is yoga's to answer, and so is an unknown key (401, the error framed as SSE).
      if (!caller) return body;
      const admission = admit(yoga, { authenticated: caller.authenticated, req, params: caller.params });
      if (!isAdmitted(admission)) {
        sendOne(res, { errors: admission });
        return null;
      }
      const result = await run(admission, caller.params, await admission.enveloped.contextFactory());
      if (Symbol.asyncIterator in result) streamEvents(res, result[Symbol.asyncIterator]());
      else sendOne(res, result);
      return null;
    },
  };
}
