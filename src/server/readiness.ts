/**
 * `/readyz`: 200 when the store answers and the engine is loaded. While the gateway serves a
 * last-known-good snapshot (the store unreachable at start) it is 200 too, with `status: "stale"`:
 * a load balancer keeps sending evaluation traffic, which the snapshot answers; writes fail with
 * STORE_UNAVAILABLE until the store is back. 503 only when nothing can be served.
 */
import type { FlagEngine } from '../flags/engine.js';
import type { EngineSync } from '../store/engine-sync.js';
import type { FlagStore } from '../store/store.js';
import type { StoreHealth } from '../store/types.js';
import type { Readiness } from './http.js';

export function readinessCheck(store: FlagStore, sync: EngineSync, engine: FlagEngine): () => Promise<Readiness> {
  return async () => {
    const state = await store.health().catch((error: Error): Partial<StoreHealth> & { ok: false; detail: string } => ({
      ok: false,
      store: 'unknown' as StoreHealth['store'],
      feedMode: 'unknown' as StoreHealth['feedMode'],
      detail: error.message,
    }));
    // Stale is ready: load balancers keep sending evaluations, which the snapshot answers.
    const ready = (state.ok || state.staleSince !== undefined) && sync.isLoaded;
    return {
      ready,
      status: !ready ? 'not ready' : state.staleSince !== undefined ? 'stale' : 'ready',
      ...(state.staleSince !== undefined ? { staleSince: state.staleSince } : {}),
      store: state.store,
      feedMode: state.feedMode,
      snapshotLoaded: sync.isLoaded,
      snapshotVersion: engine.version,
      position: sync.position,
      ...(state.detail ? { detail: state.detail } : {}),
    };
  };
}
