/**
 * Preloaded into a benchmarked server (`node --expose-gc --import ./bench/lib/gc-on-signal.mjs …`):
 * SIGUSR2 runs a full garbage collection, so a memory reading taken a moment later counts live
 * objects rather than garbage. Nothing else changes in the server.
 */
process.on('SIGUSR2', () => {
  if (typeof globalThis.gc === 'function') {
    globalThis.gc();
    globalThis.gc();
  }
});
