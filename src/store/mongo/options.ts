/** Options of the MongoDB store, and their defaults. */
import { randomBytes } from 'node:crypto';
import { hostname } from 'node:os';
import type { MongoClientOptions } from 'mongodb';
import { failpointFromEnv, type FailpointName } from './failpoints.js';

/** The subset of a pino logger the store uses. */
export interface StoreLogger {
  info(fields: object, message: string): void;
  warn(fields: object, message: string): void;
}

export interface MongoTestHooks {
  /** Runs between reserving a feed position and inserting the change record (slow-writer tests). */
  afterReserve?: (position: number) => Promise<void> | void;
}

export interface MongoBackendOptions {
  /** Connection string; its path names the database (else `database`, else "vexil"). */
  uri: string;
  /** Database name; overrides the one in the URI. */
  database?: string;
  /** Names this gateway instance's change-stream cursor in `feedCursors`. @default host-pid-random */
  instanceId?: string;
  /**
   * How the change feed is read: change streams where the deployment supports them, else polling.
   * @default 'auto'
   */
  feedMode?: 'auto' | 'change-stream' | 'polling';
  /** How long an operation waits for an unreachable server before failing with StoreUnavailable. @default 2000 */
  serverSelectionTimeoutMS?: number;
  /** Polling mode: delay between reads of the change collection. @default 100 */
  pollIntervalMs?: number;
  /** How long a missing feed position may hold back later ones before it is tombstoned. @default 2000 */
  gapGraceMs?: number;
  /** Retention: on open, prune all but the newest `keepChanges` change records (and audit entries). */
  retention?: { keepChanges: number };
  /** @default a console logger */
  logger?: StoreLogger;
  /** Crash injection for tests (failpoints.ts). @default process.env.VEXIL_FAILPOINT */
  failpoint?: FailpointName | null;
  hooks?: MongoTestHooks;
  /** Extra driver options; they take precedence over the store's. */
  clientOptions?: MongoClientOptions;
}

export interface ResolvedOptions {
  uri: string;
  database: string;
  instanceId: string;
  feedMode: 'auto' | 'change-stream' | 'polling';
  serverSelectionTimeoutMS: number;
  pollIntervalMs: number;
  gapGraceMs: number;
  retention: { keepChanges: number } | null;
  logger: StoreLogger;
  failpoint: FailpointName | null;
  hooks: MongoTestHooks;
  clientOptions: MongoClientOptions;
}

export function resolveOptions(options: MongoBackendOptions): ResolvedOptions {
  return {
    uri: options.uri,
    database: options.database ?? databaseInUri(options.uri) ?? 'vexil',
    instanceId: options.instanceId ?? `${hostname()}-${process.pid}-${randomBytes(4).toString('hex')}`,
    feedMode: options.feedMode ?? 'auto',
    serverSelectionTimeoutMS: options.serverSelectionTimeoutMS ?? 2000,
    pollIntervalMs: options.pollIntervalMs ?? 100,
    gapGraceMs: options.gapGraceMs ?? 2000,
    retention: options.retention ?? null,
    logger: options.logger ?? consoleLogger,
    failpoint: options.failpoint === undefined ? failpointFromEnv() : options.failpoint,
    hooks: options.hooks ?? {},
    clientOptions: options.clientOptions ?? {},
  };
}

/** The database named in a `mongodb://host/<db>?…` URI, if any. */
export function databaseInUri(uri: string): string | null {
  const match = /^mongodb(?:\+srv)?:\/\/[^/?]*\/([^?]*)/.exec(uri);
  return match?.[1] ? decodeURIComponent(match[1]) : null;
}

const consoleLogger: StoreLogger = {
  info: (fields, message) => console.info(`vexil store: ${message}`, fields),
  warn: (fields, message) => console.warn(`vexil store: ${message}`, fields),
};
