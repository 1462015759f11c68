/**
 * Helpers of the MongoDB store tests (test/store/mongo.test.ts): one test server per file, a fresh
 * database per use, backends closed after each test, child processes, and feed collectors.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { MongoClient } from 'mongodb';
import { expect, vi } from 'vitest';
import type { Flag } from '../../src/flags/model.js';
import { MongoBackend, type MongoBackendOptions } from '../../src/store/mongo/index.js';
import type { ChangeRecord, FeedEvent, FeedSubscription, StoreBackend } from '../../src/store/types.js';
import { startMongoTestServer, type MongoTestServer } from '../support/mongo-java-server.js';

const repoRoot = fileURLToPath(new URL('../../', import.meta.url));
const childScript = fileURLToPath(new URL('./mongo-child.ts', import.meta.url));

export const silentLogger = { info: () => {}, warn: () => {} };

/** The server, an admin client, and everything to clean up. */
export class MongoTestbed {
  server!: MongoTestServer;
  admin!: MongoClient;
  private readonly databases: string[] = [];
  private readonly backends: MongoBackend[] = [];
  private readonly children: Child[] = [];
  private count = 0;

  async start(): Promise<void> {
    this.server = await startMongoTestServer();
    this.admin = new MongoClient(this.server.uri);
    await this.admin.connect();
  }

  async stop(): Promise<void> {
    await this.afterEach();
    for (const name of this.databases.splice(0)) await this.dropDatabase(name);
    await this.admin?.close();
    await this.server?.close();
  }

  /** Closes the backends and kills the children a test left behind. */
  async afterEach(): Promise<void> {
    for (const child of this.children.splice(0)) await child.kill();
    await Promise.all(this.backends.splice(0).map((backend) => backend.close().catch(() => {})));
  }

  /** A database name not used before (by this or any other test process). */
  freshDatabase(): string {
    this.count += 1;
    const name = `vexil_${process.pid}_${Date.now().toString(36)}_${this.count}`;
    this.databases.push(name);
    return name;
  }

  async dropDatabase(name: string): Promise<void> {
    await this.admin
      .db(name)
      .dropDatabase()
      .catch(() => {});
  }

  /** A backend over `database`, not opened, closed after the test. */
  backend(database: string, options: Partial<MongoBackendOptions> = {}): MongoBackend {
    const backend = new MongoBackend({ uri: this.server.uri, database, logger: silentLogger, ...options });
    this.backends.push(backend);
    return backend;
  }

  async openBackend(database: string, options: Partial<MongoBackendOptions> = {}): Promise<MongoBackend> {
    const backend = this.backend(database, options);
    await backend.open();
    return backend;
  }

  child(args: string[], env: Record<string, string> = {}): Child {
    const child = new Child([args[0]!, this.server.uri, ...args.slice(1)], env);
    this.children.push(child);
    return child;
  }
}

/** A child process running test/store/mongo-child.ts, its stdout split into lines. */
export class Child {
  readonly lines: string[] = [];
  stderr = '';
  readonly exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  private readonly process: ChildProcess;
  private partial = '';

  constructor(args: string[], env: Record<string, string>) {
    this.process = spawn(process.execPath, ['--import', 'tsx', childScript, ...args], {
      cwd: repoRoot,
      env: { ...process.env, ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    this.process.stdout!.setEncoding('utf8').on('data', (chunk: string) => {
      const parts = (this.partial + chunk).split('\n');
      this.partial = parts.pop()!;
      this.lines.push(...parts);
    });
    this.process.stderr!.setEncoding('utf8').on('data', (chunk: string) => (this.stderr += chunk));
    this.exited = new Promise((resolve) => this.process.on('exit', (code, signal) => resolve({ code, signal })));
  }

  async kill(): Promise<void> {
    if (this.process.exitCode === null && this.process.signalCode === null) this.process.kill('SIGKILL');
    await this.exited;
  }
}

/** A valid ops flag at `version`. */
export function flagDoc(key: string, version = 1, description = 'a flag of the MongoDB store tests'): Flag {
  const now = new Date().toISOString();
  return {
    key,
    name: `Flag ${key}`,
    description,
    kind: 'ops',
    valueType: 'boolean',
    variations: [
      { key: 'on', value: true },
      { key: 'off', value: false },
    ],
    tags: ['mongo'],
    owner: 'team-store',
    createdAt: now,
    updatedAt: now,
    expiresAt: null,
    archived: false,
    version,
    salt: key,
    environments: { production: { on: true, offVariation: 'off', rules: [], defaultServe: { variation: 'on' } } },
  };
}

export function createFlag(backend: StoreBackend, key: string): Promise<ChangeRecord> {
  return backend.commit({
    ref: { kind: 'flag', key },
    expectedVersion: 0,
    action: 'create',
    after: flagDoc(key),
    meta: { actor: 'test' },
  });
}

export function updateFlag(
  backend: StoreBackend,
  key: string,
  expectedVersion: number,
  description = `version ${expectedVersion + 1}`,
): Promise<ChangeRecord> {
  return backend.commit({
    ref: { kind: 'flag', key },
    expectedVersion,
    action: 'update',
    after: flagDoc(key, expectedVersion + 1, description),
    meta: { actor: 'test' },
  });
}

/** Collects a subscription's events. */
export class Collector {
  readonly events: FeedEvent[] = [];
  private subscription: FeedSubscription | null = null;

  static async start(backend: StoreBackend, position: number): Promise<Collector> {
    const collector = new Collector();
    collector.subscription = await backend.subscribe(position, (event) => collector.events.push(event));
    return collector;
  }

  get changes(): ChangeRecord[] {
    return this.events.flatMap((event) => (event.type === 'change' ? [event.record] : []));
  }

  get positions(): number[] {
    return this.changes.map((record) => record.position);
  }

  async waitForPositions(positions: number[], timeout = 15_000): Promise<void> {
    await vi.waitFor(() => expect(this.positions).toEqual(positions), { timeout, interval: 20 });
  }

  async close(): Promise<void> {
    await this.subscription?.close();
  }
}

export function deferred<T = void>(): { promise: Promise<T>; resolve: (value: T) => void } {
  let resolve!: (value: T) => void;
  const promise = new Promise<T>((done) => (resolve = done));
  return { promise, resolve };
}

export const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

export async function rejection(promise: Promise<unknown>): Promise<unknown> {
  try {
    await promise;
  } catch (error) {
    return error;
  }
  throw new Error('expected the operation to be rejected');
}
