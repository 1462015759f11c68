/**
 * Opens the configured store: a flags file when one is given (read-only, file/file-backend.ts),
 * MongoDB when a connection string is given, else the embedded store in a data directory
 * (`VEXIL_DATA_DIR`, default `./.vexil`).
 */
import { EmbeddedBackend } from './embedded/embedded-backend.js';
import { FileBackend, type FileBackendLogger } from './file/file-backend.js';
import { FallbackBackend } from './snapshot/fallback-backend.js';
import { readSnapshotFile, snapshotPath } from './snapshot/snapshot-file.js';
import { FlagStore, type FlagStoreOptions } from './store.js';
import { type StoreBackend, StoreUnavailable } from './types.js';

export interface OpenStoreOptions extends FlagStoreOptions {
  /** MongoDB connection string; when set, the MongoDB backend is used. */
  mongodbUri?: string;
  /** Identifies this gateway instance to the MongoDB backend (diagnostics). */
  instanceId?: string;
  /** Embedded store directory. @default process.env.VEXIL_DATA_DIR ?? './.vexil' */
  dataDir?: string;
  /** Keep at most this many change records (embedded: pruned on commit; MongoDB: `retention.keepChanges`, pruned on open). @default unlimited */
  maxChangeRecords?: number;
  /** Serve the flag set of this flags file, read-only; API keys stay in the embedded store of `dataDir`. */
  flagsFile?: string;
  /** Where the file-backed store reports reloads and refused versions of the file, and the store its reconnection. */
  logger?: FileBackendLogger;
  /**
   * MongoDB unreachable at start: serve the last-known-good snapshot of `dataDir` (if there is one)
   * and reconnect in the background, waiting at most this long between attempts. @default 30000
   */
  storeRetryMaxMs?: number;
}

type MongoBackendClass = new (options: {
  uri: string;
  instanceId?: string;
  retention?: { keepChanges: number };
}) => StoreBackend;

/** Creates the backend, opens it and returns the `FlagStore` over it. */
export async function openStore(options: OpenStoreOptions = {}): Promise<FlagStore> {
  const {
    mongodbUri,
    instanceId,
    dataDir: givenDir,
    maxChangeRecords,
    flagsFile,
    logger,
    storeRetryMaxMs,
    ...rest
  } = options;
  const dataDir = givenDir ?? process.env.VEXIL_DATA_DIR ?? './.vexil';
  if (flagsFile) {
    const keys = new EmbeddedBackend({ dataDir });
    return FlagStore.open(await FileBackend.load({ file: flagsFile, keys, ...(logger ? { logger } : {}) }), rest);
  }
  if (!mongodbUri)
    return FlagStore.open(
      new EmbeddedBackend({ dataDir, ...(maxChangeRecords === undefined ? {} : { maxChangeRecords }) }),
      rest,
    );
  // Loaded only when asked for, so the embedded store needs nothing of the MongoDB backend.
  const modulePath = './mongo/index.js';
  const { MongoBackend } = (await import(modulePath)) as { MongoBackend: MongoBackendClass };
  const connect = () =>
    new MongoBackend({
      uri: mongodbUri,
      ...(instanceId === undefined ? {} : { instanceId }),
      ...(maxChangeRecords === undefined ? {} : { retention: { keepChanges: maxChangeRecords } }),
    });
  const backend = connect();
  try {
    return await FlagStore.open(backend, rest);
  } catch (error) {
    await backend.close().catch(() => undefined);
    const snapshot = error instanceof StoreUnavailable ? await readSnapshotFile(snapshotPath(dataDir)) : null;
    if (!snapshot) throw error;
    logger?.error(
      { err: error, takenAt: snapshot.takenAt },
      `the store is unreachable: serving the last-known-good snapshot taken at ${snapshot.takenAt} until it is back`,
    );
    const fallback = new FallbackBackend({
      snapshot,
      connect,
      ...(storeRetryMaxMs === undefined ? {} : { retryMaxMs: storeRetryMaxMs }),
      onConnected: () => logger?.info({}, 'the store is reachable again: resynchronising from it'),
    });
    return FlagStore.open(fallback, rest);
  }
}
