/**
 * Metrics of the store's state, read when scraped: `vexil_store_up` (the store answers a health
 * check), and for a file-backed gateway `vexil_flags_file_rejected_versions_total` (versions of the
 * file refused since start: the last good one is still served).
 */
import { Counter, Gauge } from 'prom-client';
import { FileBackend } from '../store/file/file-backend.js';
import type { FlagStore } from '../store/store.js';
import type { GatewayMetrics } from './metrics.js';

export function registerStoreMetrics(metrics: GatewayMetrics, store: FlagStore): void {
  new Gauge({
    name: 'vexil_store_up',
    help: '1 when the store answers, 0 when it is unreachable (evaluations are served from memory).',
    registers: [metrics.registry],
    async collect() {
      const health = await store.health().catch(() => ({ ok: false }));
      this.set(health.ok ? 1 : 0);
    },
  });
  const backend = store.backend;
  if (!(backend instanceof FileBackend)) return;
  let counted = 0;
  new Counter({
    name: 'vexil_flags_file_rejected_versions_total',
    help: 'Versions of the flags file refused (invalid) since start; the last good version stays served.',
    registers: [metrics.registry],
    collect() {
      this.inc(backend.rejectedVersions - counted);
      counted = backend.rejectedVersions;
    },
  });
}
