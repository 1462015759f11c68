/** Telling the driver's errors apart: duplicate keys (expected, part of the protocol) and lost connections. */
import {
  MongoError,
  MongoNetworkError,
  MongoNotConnectedError,
  MongoServerSelectionError,
  MongoTopologyClosedError,
} from 'mongodb';
import { StoreUnavailable } from '../types.js';

export function isDuplicateKey(error: unknown): boolean {
  return error instanceof MongoError && error.code === 11000;
}

/**
 * Socket errors Node raises itself. The driver wraps most of them in MongoNetworkError, but a write
 * racing the server's death can surface Node's own error ("This socket has been ended by the other
 * party", EPIPE): seen in the outage test.
 */
const lostConnectionCodes = new Set(['EPIPE', 'ECONNRESET', 'ECONNREFUSED', 'ECONNABORTED', 'ERR_SOCKET_CLOSED']);

/** True for errors that mean "the database cannot be reached", as opposed to a refused operation. */
export function isUnavailable(error: unknown): boolean {
  if (error instanceof StoreUnavailable) return true;
  return (
    lostConnectionCodes.has((error as { code?: unknown } | null)?.code as string) ||
    error instanceof MongoNetworkError ||
    error instanceof MongoServerSelectionError ||
    error instanceof MongoTopologyClosedError ||
    error instanceof MongoNotConnectedError ||
    (error instanceof MongoError && error.name === 'MongoPoolClearedError')
  );
}

/** Wraps a lost connection in StoreUnavailable with a message an operator can act on. */
export function toStoreError(error: unknown, doing: string): unknown {
  if (!isUnavailable(error) || error instanceof StoreUnavailable) return error;
  const reason = error instanceof Error ? error.message : String(error);
  return new StoreUnavailable(
    `MongoDB is unreachable while ${doing} (${reason}). Evaluations go on from memory; retry once the database is back.`,
    { cause: error },
  );
}

/** Runs `operation`, turning a lost connection into StoreUnavailable. */
export async function guard<T>(doing: string, operation: () => Promise<T>): Promise<T> {
  try {
    return await operation();
  } catch (error) {
    throw toStoreError(error, doing);
  }
}

export function describeError(error: unknown): string {
  return error instanceof Error ? `${error.name}: ${error.message}` : String(error);
}
