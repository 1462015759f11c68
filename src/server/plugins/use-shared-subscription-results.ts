/**
 * Subscribers of one event payload share one execution. The hubs push the very same payload object to
 * every subscriber it concerns (10,000 subscribers of 1,000 contexts: 1,000 payloads per change), and
 * executing the subscription's selection once per subscriber was most of the fan-out's CPU. Here the
 * result of each payload is cached by payload identity (WeakMap) per document and operation (yoga's
 * parser cache hands out one DocumentNode per query string), so 10 subscribers of one payload run the
 * selection once and receive the same ExecutionResult object, which the SSE lane serialises once too.
 *
 * Only where sharing cannot change an answer: the root field declares that its results depend on the
 * payload alone (the SHARED_RESULTS extension), and nothing under it reads a variable. That is decided
 * once per document. Anything else runs on the normal executor, as before.
 *
 * This only swaps the subscribe function (onSubscribe → setSubscribeFn); envelop still wraps what it
 * returns with every plugin's onSubscribeResult/onNext/onSubscribeError (error masking), which keep
 * a result's identity when they have nothing to change.
 */
import {
  createSourceEventStream,
  type DocumentNode,
  execute,
  type ExecutionArgs,
  type ExecutionResult,
  type GraphQLSchema,
} from 'graphql';
import type { Plugin } from 'graphql-yoga';
import { isShareable } from '../../graphql/live/shared-results.js';

type MaybePromise<T> = T | Promise<T>;
type SubscribeFn = (args: ExecutionArgs) => unknown;

/** The shared results of one (document, operation): payload → its result. */
class SharedResults {
  private readonly results = new WeakMap<object, MaybePromise<ExecutionResult>>();

  resultFor(payload: unknown, args: ExecutionArgs): MaybePromise<ExecutionResult> {
    if (payload === null || typeof payload !== 'object') return execute({ ...args, rootValue: payload });
    let result = this.results.get(payload);
    if (result === undefined) this.results.set(payload, (result = execute({ ...args, rootValue: payload })));
    return result;
  }
}

/** One subscriber's results: its source stream mapped through the shared cache. */
class SharedResultStream implements AsyncIterableIterator<ExecutionResult> {
  constructor(
    private readonly source: AsyncIterator<unknown>,
    private readonly shared: SharedResults,
    private readonly args: ExecutionArgs,
  ) {}

  next(): Promise<IteratorResult<ExecutionResult>> {
    return this.source.next().then((step) => (step.done ? step : this.map(step.value)));
  }

  return(): Promise<IteratorResult<ExecutionResult>> {
    return Promise.resolve(this.source.return?.()).then(() => ({ value: undefined, done: true }));
  }

  throw(error?: unknown): Promise<IteratorResult<ExecutionResult>> {
    return this.source.throw
      ? this.source.throw(error).then((step) => (step.done ? step : this.map(step.value)))
      : Promise.reject(error);
  }

  [Symbol.asyncIterator](): this {
    return this;
  }

  private map(payload: unknown): MaybePromise<IteratorResult<ExecutionResult>> {
    const result = this.shared.resultFor(payload, this.args);
    return result instanceof Promise
      ? result.then((value) => ({ value, done: false }))
      : { value: result, done: false };
  }
}

/**
 * Opens the source stream with graphql-js and maps it through the shared results. A request error
 * (variables that do not coerce, no such operation: errors without a path) is left to the normal
 * executor, so the client gets exactly the errors it got before; the subscribe resolver never ran.
 */
async function subscribeShared(args: ExecutionArgs, shared: SharedResults, fallback: SubscribeFn): Promise<unknown> {
  let stream: Awaited<ReturnType<typeof createSourceEventStream>>;
  try {
    stream = await createSourceEventStream(args);
  } catch {
    return fallback(args); // graphql-js throws where the normal executor answers with errors (a field returning no stream)
  }
  if (!(Symbol.asyncIterator in stream))
    return stream.errors?.some((error) => error.path === undefined) ? fallback(args) : stream;
  return new SharedResultStream(stream[Symbol.asyncIterator](), shared, args);
}

export function useSharedSubscriptionResults(): Plugin {
  /** Per document and operation name: the shared results, or null where sharing is not safe. */
  const plans = new WeakMap<DocumentNode, Map<string, SharedResults | null>>();
  const planFor = (
    schema: GraphQLSchema,
    document: DocumentNode,
    operationName: string | undefined,
  ): SharedResults | null => {
    let byOperation = plans.get(document);
    if (!byOperation) plans.set(document, (byOperation = new Map()));
    let plan = byOperation.get(operationName ?? '');
    if (plan === undefined)
      byOperation.set(
        operationName ?? '',
        (plan = isShareable(schema, document, operationName) ? new SharedResults() : null),
      );
    return plan;
  };
  return {
    onSubscribe({ args, subscribeFn, setSubscribeFn }) {
      const shared = planFor(args.schema, args.document, args.operationName ?? undefined);
      if (shared)
        setSubscribeFn(((subscribeArgs: ExecutionArgs) =>
          subscribeShared(subscribeArgs, shared, subscribeFn)) as typeof subscribeFn);
    },
  };
}
