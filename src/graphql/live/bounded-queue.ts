/**
 * A subscriber's message queue: an async iterator with a fixed capacity. A consumer that falls further
 * behind than that is dropped: the queue is cleared, one final error message is delivered (so the
 * client learns why), and the stream ends. Memory per subscriber is therefore bounded.
 *
 * Hubs extend it (the subscriber *is* its queue) rather than hand it callbacks: with tens of
 * thousands of live subscribers, every closure and side object per subscriber shows in the heap.
 */
import type { GraphQLError } from 'graphql';

/** A message that resolves to a GraphQL error for the client, then ends the stream. */
export class EndWithError {
  constructor(readonly error: GraphQLError) {}
}

export abstract class BoundedQueue<T> implements AsyncIterableIterator<T | EndWithError> {
  /** Messages not pulled yet; allocated only when the consumer is behind (usually it waits for us). */
  private buffer: Array<T | EndWithError> | null = null;
  private waiting: ((result: IteratorResult<T | EndWithError>) => void) | null = null;
  private finished = false;
  private ending = false;
  private released = false;

  constructor(protected readonly capacity: number) {}

  /** Called once, when the subscriber leaves (returned, dropped, or ended with an error). */
  protected abstract onRelease(): void;

  /** The error that ends a subscriber more than `capacity` messages behind. */
  protected abstract overflowError(): GraphQLError;

  get closed(): boolean {
    return this.finished || this.ending;
  }

  /** Queues a message; drops the subscriber instead when it is already `capacity` messages behind. */
  push(message: T): void {
    if (this.closed) return;
    if (this.waiting) return this.deliver(message);
    const buffer = (this.buffer ??= []);
    if (buffer.length >= this.capacity) return this.endWithError(this.overflowError());
    buffer.push(message);
  }

  /** Ends the stream after one last error message (revoked key, limit, shutdown). */
  endWithError(error: GraphQLError): void {
    if (this.closed) return;
    this.buffer = null;
    this.ending = true;
    // Release the subscriber's slot and state now: a consumer that stopped reading may never come back.
    this.release();
    if (this.waiting) this.deliver(new EndWithError(error));
    else this.buffer = [new EndWithError(error)];
  }

  next(): Promise<IteratorResult<T | EndWithError>> {
    const buffer = this.buffer;
    if (buffer !== null && buffer.length > 0) {
      // A consumer that caught up holds no array (most subscribers, most of the time).
      const value = buffer.shift()!;
      if (buffer.length === 0) this.buffer = null;
      return Promise.resolve({ value, done: false });
    }
    if (this.closed) {
      this.finish();
      return Promise.resolve({ value: undefined, done: true });
    }
    return new Promise((resolve) => {
      this.waiting = resolve;
    });
  }

  return(): Promise<IteratorResult<T | EndWithError>> {
    this.buffer = null;
    this.finish();
    return Promise.resolve({ value: undefined, done: true });
  }

  throw(error?: unknown): Promise<IteratorResult<T | EndWithError>> {
    this.finish();
    return Promise.reject(error);
  }

  [Symbol.asyncIterator](): this {
    return this;
  }

  private deliver(message: T | EndWithError): void {
    const resolve = this.waiting!;
    this.waiting = null;
    resolve({ value: message, done: false });
  }

  private finish(): void {
    if (this.finished) return;
    this.finished = true;
    this.ending = false;
    if (this.waiting) {
      const resolve = this.waiting;
      this.waiting = null;
      resolve({ value: undefined, done: true });
    }
    this.release();
  }

  private release(): void {
    if (this.released) return;
    this.released = true;
    this.onRelease();
  }
}
