/**
 * The gateway's side of the last-known-good snapshot (store/snapshot/): after every change the
 * store's state is written to `VEXIL_DATA_DIR`, throttled, so that a restart while MongoDB is
 * unreachable can serve it. Only for MongoDB: the embedded store is on local disk already, and a
 * flags file is its own snapshot. Nothing is written while the snapshot itself is being served.
 */
import type { EngineSync } from '../store/engine-sync.js';
import { FallbackBackend } from '../store/snapshot/fallback-backend.js';
import {
  type LastKnownGood,
  snapshotFormat,
  snapshotFormatVersion,
  snapshotPath,
} from '../store/snapshot/snapshot-file.js';
import { SnapshotWriter } from '../store/snapshot/snapshot-writer.js';
import type { FlagStore } from '../store/store.js';
import type { Logger } from './logger.js';

export interface LastKnownGoodOptions {
  dataDir: string;
  /** Least time between two writes. */
  intervalMs: number;
  logger: Logger;
}

/** Whether the store serves a last-known-good snapshot (it was unreachable at start and still is). */
export function isStale(store: FlagStore): boolean {
  return store.backend instanceof FallbackBackend && store.backend.isStale;
}

/** When the served snapshot was taken, while the store serves one. */
export function staleSince(store: FlagStore): string | undefined {
  return store.backend instanceof FallbackBackend && store.backend.isStale ? store.backend.takenAt : undefined;
}

async function take(store: FlagStore): Promise<LastKnownGood | null> {
  if (isStale(store)) return null;
  const [state, apiKeys] = await Promise.all([store.backend.snapshot(), store.backend.listApiKeys()]);
  return {
    format: snapshotFormat,
    version: snapshotFormatVersion,
    takenAt: new Date().toISOString(),
    store: store.name,
    position: state.position,
    environments: state.environments,
    segments: state.segments,
    flags: state.flags,
    apiKeys,
  };
}

/** Starts writing snapshots of a MongoDB store; null for the other stores. */
export function startLastKnownGood(
  store: FlagStore,
  sync: EngineSync,
  options: LastKnownGoodOptions,
): SnapshotWriter | null {
  if (store.name !== 'mongodb') return null;
  const writer = new SnapshotWriter({
    path: snapshotPath(options.dataDir),
    take: () => take(store),
    intervalMs: options.intervalMs,
    onError: (error) => options.logger.warn({ err: error }, 'writing the last-known-good snapshot failed'),
  });
  sync.on('change', () => writer.changed());
  sync.on('reload', () => writer.changed());
  writer.changed();
  return writer;
}
