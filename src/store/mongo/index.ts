/** The MongoDB store backend (loaded on demand by open-store.ts). */
export { MongoBackend } from './mongo-backend.js';
export type { MongoBackendOptions, MongoTestHooks, StoreLogger } from './options.js';
export { collectionNames } from './collections.js';
export { failpointNames, type FailpointName } from './failpoints.js';
