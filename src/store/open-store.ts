/**
 * Opens the configured store: MongoDB when a connection string is given, else the embedded store in
 * a data directory (`VEXIL_DATA_DIR`, default `./.vexil`).
 */
import { EmbeddedBackend } from './embedded/embedded-backend.js';
import { FlagStore, type FlagStoreOptions } from './store.js';
import type { StoreBackend } from './types.js';

export interface OpenStoreOptions extends FlagStoreOptions {
  /** MongoDB connection string; when set, the MongoDB backend is used. */
  mongodbUri?: string;
  /** Identifies this gateway instance to the MongoDB backend (diagnostics). */
  instanceId?: string;
  /** Embedded store directory. @default process.env.VEXIL_DATA_DIR ?? './.vexil' */
  dataDir?: string;
  /** Keep at most this many change records (embedded: pruned on commit; MongoDB: `retention.keepChanges`, pruned on open). @default unlimited */
  maxChangeRecords?: number;
}

type MongoBackendClass = new (options: {
  uri: string;
  instanceId?: string;
  retention?: { keepChanges: number };
}) => StoreBackend;

/** Creates the backend, opens it and returns the `FlagStore` over it. */
export async function openStore(options: OpenStoreOptions = {}): Promise<FlagStore> {
  const { mongodbUri, instanceId, dataDir, maxChangeRecords, ...storeOptions } = options;
  let backend: StoreBackend;
  if (mongodbUri) {
    // Loaded only when asked for, so the embedded store needs nothing of the MongoDB backend.
    const modulePath = './mongo/index.js';
    const { MongoBackend } = (await import(modulePath)) as { MongoBackend: MongoBackendClass };
    backend = new MongoBackend({
      uri: mongodbUri,
      ...(instanceId === undefined ? {} : { instanceId }),
      ...(maxChangeRecords === undefined ? {} : { retention: { keepChanges: maxChangeRecords } }),
    });
  } else {
    backend = new EmbeddedBackend({
      dataDir: dataDir ?? process.env.VEXIL_DATA_DIR ?? './.vexil',
      ...(maxChangeRecords === undefined ? {} : { maxChangeRecords }),
    });
  }
  return FlagStore.open(backend, storeOptions);
}
