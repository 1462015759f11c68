/**
 * The composition root: store → engine (kept current by the change feed) → GraphQL → HTTP.
 * Also owns start-up duties (bootstrap admin key, seed flag) and graceful shutdown.
 */
import { randomBytes } from 'node:crypto';
import type { AddressInfo } from 'node:net';
import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import { FlagEngine } from '../flags/engine.js';
import { seedFlag } from '../flags/seed.js';
import type { GatewayServices } from '../graphql/context.js';
import { EngineSync } from '../store/engine-sync.js';
import { openStore } from '../store/open-store.js';
import type { FlagStore } from '../store/store.js';
import type { ApiKeyKind, ApiKeyRecord } from '../store/types.js';
import { generateSecret, hashSecret, visiblePrefix } from './api-keys.js';
import type { GatewayConfig } from './config.js';
import { createHttpServer } from './http.js';
import { KeyRegistry } from './key-registry.js';
import { createLogger, type Logger } from './logger.js';
import { createMetrics, type GatewayMetrics } from './metrics.js';
import { createGatewayYoga, type GatewayYoga } from './yoga.js';

export interface Gateway {
  url: string;
  port: number;
  store: FlagStore;
  engine: FlagEngine;
  sync: EngineSync;
  keys: KeyRegistry;
  yoga: GatewayYoga;
  metrics: GatewayMetrics;
  server: Server;
  logger: Logger;
  /** Stops accepting, finishes in-flight requests, closes subscriptions, flushes usage, closes the store. */
  close(): Promise<void>;
}

export interface GatewayExtensions {
  /** Extra HTTP routes (the playground and grammar reference register here). */
  routes?: Array<{ prefix: string; handle: (req: IncomingMessage, res: ServerResponse) => void | Promise<void> }>;
  /** Called with the running gateway before it listens (subscriptions attach here). */
  attach?: (gateway: Omit<Gateway, 'url' | 'port' | 'close'>) => { close(): Promise<void> } | void;
}

/** Creates an API key: a fresh secret (returned once) whose hash alone is stored. */
export async function issueApiKey(store: FlagStore, input: { name: string; kind: ApiKeyKind; environment: string | null; secret?: string }, actor: string): Promise<{ secret: string; record: ApiKeyRecord }> {
  const secret = input.secret ?? generateSecret(input.kind);
  const record = await store.createApiKey(
    { id: `key_${randomBytes(9).toString('base64url')}`, name: input.name, kind: input.kind, environment: input.environment, secretHash: hashSecret(secret), prefix: visiblePrefix(secret) },
    { actor },
  );
  return { secret, record };
}

/** The first admin key: VEXIL_BOOTSTRAP_ADMIN_KEY if given, else a generated one printed once. */
async function bootstrapAdminKey(store: FlagStore, keys: KeyRegistry, config: GatewayConfig, logger: Logger): Promise<void> {
  const existing = await store.listApiKeys();
  if (existing.some((key) => key.kind === 'admin' && !key.revokedAt)) return;
  if (config.bootstrapAdminKey) {
    const { record } = await issueApiKey(store, { name: 'bootstrap-admin', kind: 'admin', environment: null, secret: config.bootstrapAdminKey }, 'system');
    keys.load([...existing, record]);
    logger.info({ keyId: record.id }, 'created the bootstrap admin key from VEXIL_BOOTSTRAP_ADMIN_KEY');
    return;
  }
  const { secret, record } = await issueApiKey(store, { name: 'initial-admin', kind: 'admin', environment: null }, 'system');
  keys.load([...existing, record]);
  // Printed once, to stdout and outside the JSON log stream, so it is not kept by log collectors by accident.
  process.stdout.write(`\nVexil created the first admin key. It is shown only now:\n\n  ${secret}\n\n`);
}

async function seedExampleFlag(store: FlagStore, logger: Logger): Promise<void> {
  const page = await store.listFlags({}, { first: 1 });
  if (page.totalCount > 0 || (await store.auditLog({ ref: { kind: 'flag' } }, { first: 1 })).totalCount > 0) return;
  await store.createFlag(seedFlag(), { actor: 'system', comment: 'example flag created on first start' });
  logger.info('created the example flag new_checkout');
}

export async function startGateway(config: GatewayConfig, extensions: GatewayExtensions = {}, logger = createLogger(config.logLevel)): Promise<Gateway> {
  const store = await openStore({ mongodbUri: config.mongodbUri, dataDir: config.dataDir });
  const engine = new FlagEngine();
  const sync = new EngineSync(store, engine);
  const keys = new KeyRegistry();
  sync.on('change', (record) => keys.apply(record));
  sync.on('reload', () => void store.listApiKeys().then((records) => keys.load(records), (error) => logger.error({ err: error }, 'reloading API keys failed')));
  sync.on('error', (error) => logger.error({ err: error }, 'change feed error'));
  await sync.start();
  keys.load(await store.listApiKeys());
  await bootstrapAdminKey(store, keys, config, logger);
  if (process.env.VEXIL_SEED !== 'false') await seedExampleFlag(store, logger);

  const metrics = createMetrics(engine);
  const services: GatewayServices = { store, engine, sync, createApiKey: (input, actor) => issueApiKey(store, input, actor) };
  const yoga = createGatewayYoga({ services, keys, logger, metrics, graphiql: config.dev });
  const health = await store.health();
  const readiness = async () => {
    const state = await store.health().catch((error: Error) => ({ ok: false, store: health.store, feedMode: health.feedMode, detail: error.message }));
    return { ready: state.ok && sync.isLoaded, store: state.store, feedMode: state.feedMode, snapshotLoaded: sync.isLoaded, snapshotVersion: engine.version, position: sync.position, ...(state.detail ? { detail: state.detail } : {}) };
  };
  const server = createHttpServer({ yoga, metrics, readiness, maxBodyBytes: config.maxBodyBytes, routes: extensions.routes ?? [] });
  const attached = extensions.attach?.({ store, engine, sync, keys, yoga, metrics, server, logger });

  const flushUsage = async () => {
    const entries = engine.usage.drain();
    if (entries.length > 0) await store.mergeUsage(entries).catch((error: Error) => { metrics.storeErrors.inc({ operation: 'mergeUsage' }); logger.warn({ err: error }, 'usage flush failed'); });
  };
  const usageTimer = setInterval(() => void flushUsage(), config.usageFlushMs);
  usageTimer.unref();

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(config.port, config.host, () => resolve());
  });
  const port = (server.address() as AddressInfo).port;
  const url = `http://${config.host === '0.0.0.0' ? '127.0.0.1' : config.host}:${port}`;
  logger.info({ url, store: health.store, feedMode: health.feedMode }, 'vexil is listening');

  let closing: Promise<void> | null = null;
  const close = () =>
    (closing ??= (async () => {
      logger.info('shutting down');
      clearInterval(usageTimer);
      const stopped = new Promise<void>((resolve) => server.close(() => resolve()));
      server.closeIdleConnections();
      await attached?.close();
      const grace = setTimeout(() => server.closeAllConnections(), config.shutdownGraceMs);
      await stopped;
      clearTimeout(grace);
      await flushUsage();
      await sync.close();
      await store.close();
      logger.info('shut down');
    })());

  return { url, port, store, engine, sync, keys, yoga, metrics, server, logger, close };
}
