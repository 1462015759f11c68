/** Public surface of the store: the `FlagStore` API, its backends' contract and the embedded backend. */
export * from './types.js';
export {
  FlagStore,
  initialEnvironmentConfig,
  type FlagStoreOptions,
  type EnvironmentInput,
  type ApiKeyInput,
  type UsageFlush,
  type UsageFlushOptions,
} from './store.js';
export { openStore, type OpenStoreOptions } from './open-store.js';
export { toEngineChange, toEngineChanges } from './engine-changes.js';
export {
  pageSize,
  defaultPageSize,
  maxPageSize,
  encodeCursor,
  decodeCursor,
  matchesFlagFilter,
  matchesAuditFilter,
} from './paging.js';
export { EmbeddedBackend, type EmbeddedBackendOptions } from './embedded/embedded-backend.js';
export { DataDirectoryLocked, type LockOwner } from './embedded/directory-lock.js';
