/**
 * The composition root: store → engine (kept current by the change feed) → GraphQL (HTTP, SSE,
 * WebSocket) → HTTP server. Also owns start-up duties and graceful shutdown.
 */
import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { FlagEngine } from '../flags/engine.js';
import type { GatewayServices } from '../graphql/context.js';
import { EngineSync } from '../store/engine-sync.js';
import { StickySync } from '../store/sticky/sticky-sync.js';
import { openStore } from '../store/open-store.js';
import type { FlagStore } from '../store/store.js';
import { bootstrapAdminKey, issueApiKey, seedExampleFlag } from './bootstrap.js';
import type { GatewayConfig } from './config.js';
import { createFastLane } from './fast-lane.js';
import { createHttpServer } from './http.js';
import { createOfrepLane } from './ofrep-lane.js';
import { createSseLane } from './sse-lane.js';
import { KeyRegistry } from './key-registry.js';
import { type Live, createLive } from './live.js';
import { createLogger, type Logger } from './logger.js';
import { registerFlagMetrics } from './flag-metrics.js';
import { isStale, staleSince, startLastKnownGood } from './last-known-good.js';
import { readinessCheck } from './readiness.js';
import { registerStoreMetrics } from './store-metrics.js';
import { flagSetRoute } from './routes/flag-set.js';
import { annotationsRoute } from './routes/annotations.js';
import { createMetrics, type GatewayMetrics } from './metrics.js';
import { startRolloutScheduler } from './rollout/start-scheduler.js';
import { attachWebSocket } from './websocket.js';
import { createGatewayYoga, type GatewayYoga } from './yoga.js';
import { WebhookDispatcher } from './webhooks/dispatcher.js';

export { issueApiKey } from './bootstrap.js';

export interface Gateway {
  url: string;
  port: number;
  store: FlagStore;
  engine: FlagEngine;
  sync: EngineSync;
  keys: KeyRegistry;
  live: Live;
  yoga: GatewayYoga;
  /** What the GraphQL context carries to resolvers. */
  services: GatewayServices;
  metrics: GatewayMetrics;
  server: Server;
  logger: Logger;
  /** Sends webhook deliveries; null when `VEXIL_WEBHOOKS=false`. */
  webhooks: WebhookDispatcher | null;
  /** Stops accepting, finishes in-flight requests, closes subscriptions, flushes usage, closes the store. */
  close(): Promise<void>;
}

export interface GatewayExtensions {
  /** Extra HTTP routes (the playground and the grammar reference register here). */
  routes?: Array<{ prefix: string; handle: (req: IncomingMessage, res: ServerResponse) => void | Promise<void> }>;
}

/** Opens the store and brings an engine up to date with it, keys included. */
async function openState(config: GatewayConfig, logger: Logger) {
  const store = await openStore({
    mongodbUri: config.mongodbUri,
    dataDir: config.dataDir,
    flagsFile: config.flagsFile,
    logger,
    storeRetryMaxMs: config.storeRetryMaxMs,
    defaultExpiryDays: { release: config.defaultExpiryReleaseDays, experiment: config.defaultExpiryExperimentDays },
  });
  const engine = new FlagEngine({ stickyMaxPerFlag: config.stickyMaxPerFlag });
  const sync = new EngineSync(store, engine);
  const keys = new KeyRegistry();
  sync.on('change', (record) => keys.apply(record));
  sync.on(
    'reload',
    () =>
      void store.listApiKeys().then(
        (records) => keys.load(records),
        (error: Error) => logger.error({ err: error }, 'reloading API keys failed'),
      ),
  );
  sync.on('error', (error) => logger.error({ err: error }, 'change feed error'));
  await sync.start();
  keys.load(await store.listApiKeys());
  const sticky = await startSticky(store, engine, logger);
  // Served from a snapshot, the store can take no write: the bootstrap key and the seed wait for next start.
  if (isStale(store)) return { store, engine, sync, keys, sticky };
  await bootstrapAdminKey(store, keys, config.bootstrapAdminKey, logger);
  // A file-backed gateway serves the file and nothing else.
  if (config.seedExample && !config.flagsFile) await seedExampleFlag(store, logger);
  return { store, engine, sync, keys, sticky };
}

/** Loads the stored sticky assignments and keeps them in step; null for a store that keeps none. */
async function startSticky(store: FlagStore, engine: FlagEngine, logger: Logger): Promise<StickySync | null> {
  const persistence = store.backend.sticky;
  if (!persistence) return null;
  const sticky = new StickySync(persistence, engine.sticky, {
    onError: (error) => logger.warn({ err: error }, 'sticky assignments not synchronised; retrying on the next round'),
  });
  await sticky.start();
  return sticky;
}

function startWebhooks(store: FlagStore, config: GatewayConfig, logger: Logger): WebhookDispatcher | null {
  const { enabled, ...settings } = config.webhooks;
  if (!enabled) return null;
  const dispatcher = new WebhookDispatcher(store.webhooks, {
    ...settings,
    onError: (error) => logger.warn({ err: error }, 'webhook dispatch failed; retrying on the next round'),
  });
  dispatcher.start();
  return dispatcher;
}

function listen(server: Server, config: GatewayConfig): Promise<number> {
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(config.port, config.host, () => resolve((server.address() as AddressInfo).port));
  });
}

export async function startGateway(
  config: GatewayConfig,
  extensions: GatewayExtensions = {},
  logger = createLogger(config.logLevel),
): Promise<Gateway> {
  const { store, engine, sync, keys, sticky } = await openState(config, logger);
  const metrics = createMetrics(engine, () => staleSince(store));
  registerStoreMetrics(metrics, store);
  const lastKnownGood = startLastKnownGood(store, sync, {
    dataDir: config.dataDir,
    intervalMs: config.snapshotIntervalMs,
    logger,
  });
  registerFlagMetrics(metrics.registry, engine, sync, { maxFlags: config.metricsMaxFlags });
  const live = createLive(engine, sync, keys, metrics, {
    maxPerKey: config.maxSubscriptionsPerKey,
    maxPerConnection: config.maxSubscriptionsPerConnection,
  });
  const services: GatewayServices = {
    store,
    engine,
    sync,
    live,
    createApiKey: (input, actor) => issueApiKey(store, input, actor),
  };
  const yoga = createGatewayYoga({ services, keys, logger, metrics, graphiql: config.dev });
  const fastLane = config.fastLane
    ? createFastLane(yoga, keys, (code) => metrics.graphqlErrors.inc({ code }), {
        evaluationPlan: config.evaluationPlan,
        services,
      })
    : undefined;
  const sseLane = config.fastLane ? createSseLane(yoga, keys) : undefined;
  const ofrepLane = createOfrepLane({
    engine,
    keys,
    maxBodyBytes: config.maxBodyBytes,
    rateLimit: config.ofrepRateLimit,
  });
  const server = createHttpServer({
    yoga,
    fastLane,
    sseLane,
    ofrepLane,
    metrics,
    readiness: readinessCheck(store, sync, engine),
    maxBodyBytes: config.maxBodyBytes,
    routes: [annotationsRoute({ store, keys }), flagSetRoute({ engine, keys }), ...(extensions.routes ?? [])],
  });
  const websocket = attachWebSocket(server, yoga, keys, logger);

  // One flusher: a batch the store refuses (outage) is kept and merged into the next flush.
  const usageFlush = store.startUsageFlush(engine.usage, {
    intervalMs: config.usageFlushMs,
    onError: (error, pendingEntries) => {
      metrics.storeErrors.inc({ operation: 'mergeUsage' });
      logger.warn({ err: error, pendingEntries }, 'usage flush failed; the counts are kept for the next flush');
    },
    onDrop: (droppedEntries) =>
      logger.warn({ droppedEntries }, 'usage entries dropped: too many kept while the store is unavailable'),
  });

  const webhooks = startWebhooks(store, config, logger);
  const rollouts = startRolloutScheduler(config, store, engine, logger);

  const port = await listen(server, config);
  const url = `http://${config.host === '0.0.0.0' ? '127.0.0.1' : config.host}:${port}`;
  const health = await store.health();
  logger.info({ url, store: health.store, feedMode: health.feedMode }, 'vexil is listening');

  let closing: Promise<void> | null = null;
  const close = () =>
    (closing ??= (async () => {
      logger.info('shutting down');
      const stopped = new Promise<void>((resolve) => server.close(() => resolve()));
      server.closeIdleConnections();
      live.close(); // ends SSE streams and subscriptions with a SHUTTING_DOWN message
      await websocket.close();
      // Connections of the streams just ended are idle now; do not wait out their keep-alive timeout.
      setImmediate(() => server.closeIdleConnections());
      const grace = setTimeout(() => server.closeAllConnections(), config.shutdownGraceMs);
      grace.unref();
      await stopped;
      clearTimeout(grace);
      await rollouts?.stop();
      await usageFlush.stop();
      await webhooks?.stop();
      await sticky?.stop();
      if (usageFlush.pendingEntries > 0)
        logger.error(
          { pendingEntries: usageFlush.pendingEntries },
          'usage counts not written at shutdown (the store is unavailable)',
        );
      await lastKnownGood?.close();
      await sync.close();
      await store.close();
      logger.info('shut down');
    })());

  return { url, port, store, engine, sync, keys, live, yoga, services, metrics, server, logger, webhooks, close };
}
