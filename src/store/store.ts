/**
 * `FlagStore`: the store API GraphQL uses, over either backend. It owns everything both backends must
 * agree on: validation (the flag model's own, plus references checked against the stored world),
 * timestamps, version bookkeeping and the read-modify-write retries of operator actions. Backends only
 * persist: one conditional commit per write, carrying the audit entry and the feed entry with it.
 */
import { compileRule } from '../dsl/index.js';
import { unconfiguredEnvironment } from '../flags/compiled-flag.js';
import { ValidationError, type ValidationIssue } from '../flags/errors.js';
import type { Environment, Flag, FlagEnvironmentConfig, Segment } from '../flags/model.js';
import { checkFlagReferences, type FlagWorld } from '../flags/references.js';
import { ruleResolvers } from '../flags/resolvers.js';
import type { UsageEntry } from '../flags/usage.js';
import { environmentKeyPattern, validateFlag, validateSegment } from '../flags/validate.js';
import { maxPageSize, pageSize } from './paging.js';
import {
  type ApiKeyKind,
  type ApiKeyRecord,
  type AuditFilter,
  type ChangeAction,
  type ChangeRecord,
  type FeedEvent,
  type FeedMode,
  type FeedSubscription,
  type FlagFilter,
  NotFound,
  type Page,
  type PageRequest,
  type StoreBackend,
  type StoreHealth,
  type StoreSnapshot,
  type UsageStat,
  VersionConflict,
  type WriteMeta,
} from './types.js';

export interface FlagStoreOptions {
  /** Attempts of a read-modify-write (toggle, archive, restore, revoke without a version) before giving up. @default 20 */
  maxRetries?: number;
  /** The clock for `createdAt` / `updatedAt`. @default () => new Date() */
  now?: () => Date;
}

export interface UsageFlushOptions {
  /** @default 10000 */
  intervalMs?: number;
  /** Called when a flush fails (the batch is kept for the next one). */
  onError?: (error: unknown) => void;
}

export interface UsageFlush {
  /** Drains the source and writes the batch now (plus anything kept from failed flushes). */
  flush(): Promise<void>;
  /** Stops the timer after a final flush. */
  stop(): Promise<void>;
  /** Entries kept from failed flushes, waiting for the next one. */
  readonly pendingEntries: number;
}

/** Input of `createEnvironment`. */
export interface EnvironmentInput {
  key: string;
  name?: string;
}

/** Input of `createApiKey`: the stored record minus what the store fills in. Never the secret itself. */
export type ApiKeyInput = Omit<ApiKeyRecord, 'version' | 'createdAt' | 'revokedAt'>;

const apiKeyKinds: readonly ApiKeyKind[] = ['evaluation', 'admin', 'read-only'];
const apiKeyIdPattern = /^[A-Za-z0-9._-]{1,128}$/;

type Body = Record<string, unknown>;

function invalid(path: string, message: string): ValidationError {
  return new ValidationError([{ path, message, code: 'VALIDATION' }]);
}

function requireObject(input: unknown, what: string): Body {
  if (typeof input !== 'object' || input === null || Array.isArray(input)) throw invalid('', `${what} must be an object`);
  return input as Body;
}

function checkVersion(version: unknown, path = 'expectedVersion'): asserts version is number {
  if (typeof version !== 'number' || !Number.isSafeInteger(version) || version < 1) throw invalid(path, 'must be a positive integer (the version you read)');
}

function checkMeta(meta: WriteMeta): WriteMeta {
  const issues: ValidationIssue[] = [];
  if (typeof meta?.actor !== 'string' || meta.actor.trim() === '' || meta.actor.length > 200) issues.push({ path: 'actor', message: 'must be a non-empty string of at most 200 characters', code: 'VALIDATION' });
  const comment = meta?.comment;
  if (comment !== undefined && comment !== null && (typeof comment !== 'string' || comment.length > 2000)) issues.push({ path: 'comment', message: 'must be a string of at most 2000 characters', code: 'VALIDATION' });
  if (issues.length > 0) throw new ValidationError(issues);
  return comment === undefined || comment === null || comment === '' ? { actor: meta.actor } : { actor: meta.actor, comment };
}

/** Plain JSON: no undefined members, no class instances. Both backends then store the same document. */
function plain<T>(document: T): T {
  return JSON.parse(JSON.stringify(document)) as T;
}

/** Segment names and flag keys a rule refers to; empty for a rule that does not compile. */
function ruleReferences(condition: string, salt: string): { segments: readonly string[]; flags: readonly string[] } {
  try {
    return compileRule(condition, { salt, resolvers: ruleResolvers });
  } catch {
    return { segments: [], flags: [] };
  }
}

function prerequisiteKeys(flag: Flag): Set<string> {
  const keys = new Set<string>();
  for (const config of Object.values(flag.environments)) for (const rule of config.rules) for (const key of ruleReferences(rule.condition, flag.salt).flags) keys.add(key);
  return keys;
}

/** The configuration given to an environment a flag was never configured in when it is toggled. */
export function initialEnvironmentConfig(flag: Flag, on: boolean): FlagEnvironmentConfig {
  const config = unconfiguredEnvironment(flag);
  if (!on) return config;
  // Switched on: serve the "true-like" variation to everyone (for a boolean flag, `true`).
  const served = flag.variations.find((variation) => variation.value === true) ?? flag.variations.find((variation) => variation.key !== config.offVariation) ?? flag.variations[0]!;
  return { ...config, on: true, defaultServe: { variation: served.key } };
}

export class FlagStore {
  private readonly maxRetries: number;
  private readonly clock: () => Date;

  constructor(
    readonly backend: StoreBackend,
    options: FlagStoreOptions = {},
  ) {
    this.maxRetries = options.maxRetries ?? 20;
    this.clock = options.now ?? (() => new Date());
  }

  /** Opens the backend (creating indexes, seeding the default environments) and returns the store. */
  static async open(backend: StoreBackend, options?: FlagStoreOptions): Promise<FlagStore> {
    const store = new FlagStore(backend, options);
    await store.open();
    return store;
  }

  get name(): StoreBackend['name'] {
    return this.backend.name;
  }

  get feedMode(): FeedMode {
    return this.backend.feedMode;
  }

  async open(): Promise<void> {
    return this.backend.open();
  }

  async close(): Promise<void> {
    return this.backend.close();
  }

  async health(): Promise<StoreHealth> {
    return this.backend.health();
  }

  private now(): string {
    return this.clock().toISOString();
  }

  // ---- flags ----

  async createFlag(input: unknown, meta: WriteMeta): Promise<Flag> {
    const body = requireObject(input, 'a flag');
    const now = this.now();
    const flag = validateFlag({ ...body, version: 1, createdAt: now, updatedAt: now }, now);
    return this.writeFlag(flag, 0, 'create', meta);
  }

  /**
   * Replaces a flag's fields (all but key, version and createdAt). `environments`, `salt` and `archived`
   * keep their current values when absent, so an edit of the metadata cannot drop the targeting.
   */
  async updateFlag(key: string, input: unknown, expectedVersion: number, meta: WriteMeta): Promise<Flag> {
    checkVersion(expectedVersion);
    const body = requireObject(input, 'a flag');
    if (body.key !== undefined && body.key !== null && body.key !== key) throw invalid('key', 'cannot be changed');
    const current = await this.requireFlag(key);
    if (current.version !== expectedVersion) throw new VersionConflict({ kind: 'flag', key }, expectedVersion, current.version);
    const { version: _version, createdAt: _createdAt, updatedAt: _updatedAt, key: _key, ...fields } = body;
    const now = this.now();
    // Fields not given keep their value; given environments replace only those environments.
    const environments = isObject(fields.environments) ? { ...current.environments, ...fields.environments } : current.environments;
    const flag = validateFlag(
      {
        ...current,
        ...fields,
        environments,
        key,
        version: expectedVersion + 1,
        createdAt: current.createdAt,
        updatedAt: now,
      },
      now,
    );
    return this.writeFlag(flag, expectedVersion, 'update', meta);
  }

  /** Replaces one environment's targeting of a flag. */
  async setFlagEnvironment(key: string, environment: string, config: unknown, expectedVersion: number, meta: WriteMeta): Promise<Flag> {
    checkVersion(expectedVersion);
    await this.requireEnvironment(environment, 'environment');
    const current = await this.requireFlag(key);
    if (current.version !== expectedVersion) throw new VersionConflict({ kind: 'flag', key }, expectedVersion, current.version);
    const now = this.now();
    const flag = validateFlag({ ...current, environments: { ...current.environments, [environment]: config }, version: expectedVersion + 1, updatedAt: now }, now);
    return this.writeFlag(flag, expectedVersion, 'update', meta);
  }

  /**
   * The kill switch. Without `expectedVersion` it is a read-modify-write retried on conflicts, so an
   * operator in an incident is never blocked by a concurrent edit. An environment the flag was never
   * configured in gets the unconfigured default (off: the false-like variation; on: the true-like one).
   */
  async toggleFlag(key: string, environment: string, on: boolean, expectedVersion: number | undefined, meta: WriteMeta): Promise<Flag> {
    if (typeof on !== 'boolean') throw invalid('on', 'must be true or false');
    await this.requireEnvironment(environment, 'environment');
    return this.modifyFlag(key, expectedVersion, 'toggle', meta, (current) => {
      const config = current.environments[environment];
      if (config && config.on === on) return null;
      return { ...current, environments: { ...current.environments, [environment]: config ? { ...config, on } : initialEnvironmentConfig(current, on) } };
    });
  }

  async archiveFlag(key: string, expectedVersion: number | undefined, meta: WriteMeta): Promise<Flag> {
    return this.modifyFlag(key, expectedVersion, 'archive', meta, (current) => (current.archived ? null : { ...current, archived: true }));
  }

  async restoreFlag(key: string, expectedVersion: number | undefined, meta: WriteMeta): Promise<Flag> {
    return this.modifyFlag(key, expectedVersion, 'restore', meta, (current) => (current.archived ? { ...current, archived: false } : null));
  }

  /** Deletes a flag; rejected while another flag uses it as a prerequisite. */
  async deleteFlag(key: string, expectedVersion: number, meta: WriteMeta): Promise<ChangeRecord> {
    checkVersion(expectedVersion);
    const current = await this.requireFlag(key);
    if (current.version !== expectedVersion) throw new VersionConflict({ kind: 'flag', key }, expectedVersion, current.version);
    const dependents: string[] = [];
    for await (const flag of this.allFlags()) if (flag.key !== key && prerequisiteKeys(flag).has(key)) dependents.push(flag.key);
    if (dependents.length > 0) {
      throw invalid('key', `flag '${key}' is a prerequisite of ${dependents.map((dependent) => `'${dependent}'`).join(', ')}; remove those references first`);
    }
    return this.backend.commit({ ref: { kind: 'flag', key }, expectedVersion, action: 'delete', after: null, meta: checkMeta(meta) });
  }

  async getFlag(key: string): Promise<Flag | null> {
    return this.backend.get({ kind: 'flag', key });
  }

  /** Flags sorted by key; `archived` absent lists archived and active flags alike. */
  async listFlags(filter: FlagFilter = {}, page: PageRequest = {}): Promise<Page<Flag>> {
    return this.backend.listFlags(filter ?? {}, { first: pageSize(page), after: page?.after ?? null });
  }

  // ---- segments ----

  async createSegment(input: unknown, meta: WriteMeta): Promise<Segment> {
    const body = requireObject(input, 'a segment');
    const now = this.now();
    const segment = validateSegment({ ...body, version: 1, createdAt: now, updatedAt: now }, now);
    await this.requireEnvironment(segment.environment, 'environment');
    return this.writeSegment(segment, 0, 'create', meta);
  }

  async updateSegment(environment: string, key: string, input: unknown, expectedVersion: number, meta: WriteMeta): Promise<Segment> {
    checkVersion(expectedVersion);
    const body = requireObject(input, 'a segment');
    if (body.key !== undefined && body.key !== null && body.key !== key) throw invalid('key', 'cannot be changed');
    if (body.environment !== undefined && body.environment !== null && body.environment !== environment) throw invalid('environment', 'cannot be changed');
    const current = await this.requireSegment(environment, key);
    if (current.version !== expectedVersion) throw new VersionConflict({ kind: 'segment', environment, key }, expectedVersion, current.version);
    const { version: _version, createdAt: _createdAt, updatedAt: _updatedAt, ...fields } = body;
    const now = this.now();
    // Fields not given keep their value (an empty condition clears it).
    const segment = validateSegment({ ...current, ...fields, key, environment, version: expectedVersion + 1, createdAt: current.createdAt, updatedAt: now }, now);
    return this.writeSegment(segment, expectedVersion, 'update', meta);
  }

  /** Deletes a segment; rejected while a flag's rule in that environment uses it. */
  async deleteSegment(environment: string, key: string, expectedVersion: number, meta: WriteMeta): Promise<ChangeRecord> {
    checkVersion(expectedVersion);
    const current = await this.requireSegment(environment, key);
    if (current.version !== expectedVersion) throw new VersionConflict({ kind: 'segment', environment, key }, expectedVersion, current.version);
    const users: string[] = [];
    for await (const flag of this.allFlags()) {
      const config = flag.environments[environment];
      if (config?.rules.some((rule) => ruleReferences(rule.condition, flag.salt).segments.includes(key))) users.push(flag.key);
    }
    if (users.length > 0) {
      throw invalid('key', `segment '${key}' is used by ${users.map((user) => `'${user}'`).join(', ')} in environment '${environment}'; remove those rules first`);
    }
    return this.backend.commit({ ref: { kind: 'segment', environment, key }, expectedVersion, action: 'delete', after: null, meta: checkMeta(meta) });
  }

  async getSegment(environment: string, key: string): Promise<Segment | null> {
    return this.backend.get({ kind: 'segment', environment, key });
  }

  async listSegments(environment?: string): Promise<Segment[]> {
    return this.backend.listSegments(environment);
  }

  // ---- environments ----

  async createEnvironment(input: EnvironmentInput, meta: WriteMeta): Promise<Environment> {
    const body = requireObject(input, 'an environment');
    const issues: ValidationIssue[] = [];
    const key = body.key;
    if (typeof key !== 'string' || !environmentKeyPattern.test(key)) issues.push({ path: 'key', message: 'must match ^[a-z0-9][a-z0-9_-]{0,63}$', code: 'VALIDATION' });
    const name = body.name === undefined || body.name === null || body.name === '' ? key : body.name;
    if (typeof name !== 'string' || name.length > 200) issues.push({ path: 'name', message: 'must be a string of at most 200 characters', code: 'VALIDATION' });
    if (issues.length > 0) throw new ValidationError(issues);
    const environment: Environment = { key: key as string, name: name as string, createdAt: this.now() };
    await this.backend.commit({ ref: { kind: 'environment', key: environment.key }, expectedVersion: 0, action: 'create', after: environment, meta: checkMeta(meta) });
    return environment;
  }

  async getEnvironment(key: string): Promise<Environment | null> {
    return this.backend.get({ kind: 'environment', key });
  }

  async listEnvironments(): Promise<Environment[]> {
    return this.backend.listEnvironments();
  }

  // ---- API keys ----

  /** Stores an API key's metadata and secret hash; only the known fields are kept (a secret passed along is dropped). */
  async createApiKey(record: ApiKeyInput, meta: WriteMeta): Promise<ApiKeyRecord> {
    const body = requireObject(record, 'an API key');
    const issues: ValidationIssue[] = [];
    const add = (path: string, message: string) => issues.push({ path, message, code: 'VALIDATION' });
    const { id, name, kind, secretHash, prefix } = body;
    const environment = body.environment ?? null;
    if (typeof id !== 'string' || !apiKeyIdPattern.test(id)) add('id', 'must be 1-128 letters, digits, dots, dashes or underscores');
    if (typeof name !== 'string' || name.trim() === '' || name.length > 200) add('name', 'must be a non-empty string of at most 200 characters');
    if (!apiKeyKinds.includes(kind as ApiKeyKind)) add('kind', `must be one of ${apiKeyKinds.join(', ')}`);
    if (typeof secretHash !== 'string' || secretHash.length < 16 || secretHash.length > 512) add('secretHash', 'must be the hash of the secret (16 to 512 characters)');
    if (typeof prefix !== 'string' || prefix.length > 32) add('prefix', 'must be a string of at most 32 characters (the first characters of the secret)');
    if (environment !== null && typeof environment !== 'string') add('environment', 'must be an environment key or null');
    if (kind === 'evaluation' && environment === null) add('environment', 'is required for evaluation keys');
    if (issues.length > 0) throw new ValidationError(issues);
    if (environment !== null) await this.requireEnvironment(environment as string, 'environment');
    if (await this.backend.findApiKeyByHash(secretHash as string)) throw invalid('secretHash', 'another API key has the same secret hash');
    const stored: ApiKeyRecord = {
      id: id as string,
      name: name as string,
      kind: kind as ApiKeyKind,
      environment: environment as string | null,
      secretHash: secretHash as string,
      prefix: prefix as string,
      createdAt: this.now(),
      revokedAt: null,
      version: 1,
    };
    await this.backend.commit({ ref: { kind: 'apiKey', key: stored.id }, expectedVersion: 0, action: 'create', after: stored, meta: checkMeta(meta) });
    return stored;
  }

  /** Revokes a key (idempotent: an already revoked key is returned as it is). */
  async revokeApiKey(id: string, meta: WriteMeta): Promise<ApiKeyRecord> {
    const cleanMeta = checkMeta(meta);
    for (let attempt = 0; ; attempt++) {
      const current = await this.backend.get({ kind: 'apiKey', key: id });
      if (!current) throw new NotFound({ kind: 'apiKey', key: id });
      if (current.revokedAt !== null) return current;
      const next: ApiKeyRecord = { ...current, revokedAt: this.now(), version: current.version + 1 };
      try {
        await this.backend.commit({ ref: { kind: 'apiKey', key: id }, expectedVersion: current.version, action: 'revoke', after: next, meta: cleanMeta });
        return next;
      } catch (error) {
        if (error instanceof VersionConflict && attempt < this.maxRetries) continue;
        throw error;
      }
    }
  }

  async getApiKey(id: string): Promise<ApiKeyRecord | null> {
    return this.backend.get({ kind: 'apiKey', key: id });
  }

  async listApiKeys(): Promise<ApiKeyRecord[]> {
    return this.backend.listApiKeys();
  }

  async findApiKeyByHash(secretHash: string): Promise<ApiKeyRecord | null> {
    return this.backend.findApiKeyByHash(secretHash);
  }

  // ---- audit, feed, usage ----

  /** Change records, newest first, optionally of one document (or of a kind / key / environment). */
  async auditLog(filter: AuditFilter = {}, page: PageRequest = {}): Promise<Page<ChangeRecord>> {
    return this.backend.auditLog(filter ?? {}, { first: pageSize(page), after: page?.after ?? null });
  }

  async snapshot(): Promise<StoreSnapshot> {
    return this.backend.snapshot();
  }

  async changesSince(position: number, limit = maxPageSize): Promise<ChangeRecord[] | 'too-old'> {
    return this.backend.changesSince(position, limit);
  }

  async subscribe(position: number, onEvent: (event: FeedEvent) => void): Promise<FeedSubscription> {
    return this.backend.subscribe(position, onEvent);
  }

  /** Adds one flush of drained counters (one backend write for the whole batch). */
  async mergeUsage(entries: readonly UsageEntry[]): Promise<void> {
    const counted = entries.filter((entry) => entry.count > 0);
    if (counted.length > 0) await this.backend.mergeUsage(counted);
  }

  async readUsage(): Promise<UsageStat[]> {
    return this.backend.readUsage();
  }

  /**
   * Merges usage periodically: every `intervalMs` the source (the engine's `UsageRecorder`) is drained
   * and written as one batch. A batch that fails (store unavailable) is kept and added to the next one,
   * so counts survive an outage; `stop()` flushes once more. (If a failed write had in fact been applied,
   * its counts are merged twice: usage statistics are approximate by nature.)
   */
  startUsageFlush(source: { drain(now?: Date): UsageEntry[] }, { intervalMs = 10_000, onError }: UsageFlushOptions = {}): UsageFlush {
    let pending = new Map<string, UsageEntry>();
    let chain: Promise<void> = Promise.resolve();
    let stopped = false;
    const add = (entries: readonly UsageEntry[]) => {
      for (const entry of entries) {
        if (!(entry.count > 0)) continue;
        const id = `${entry.environment}\u0000${entry.flagKey}\u0000${entry.variation}`;
        const seen = pending.get(id);
        if (!seen) pending.set(id, { ...entry });
        else {
          seen.count += entry.count;
          if (entry.lastEvaluatedAt > seen.lastEvaluatedAt) seen.lastEvaluatedAt = entry.lastEvaluatedAt;
        }
      }
    };
    const flushOnce = async () => {
      add(source.drain(this.clock()));
      if (pending.size === 0) return;
      const batch = pending;
      pending = new Map();
      try {
        await this.backend.mergeUsage([...batch.values()]);
      } catch (error) {
        const retry = pending;
        pending = batch;
        add([...retry.values()]);
        onError?.(error);
      }
    };
    const flush = (): Promise<void> => {
      // One flush at a time; a flush asked for while one runs follows it.
      const next = chain.then(flushOnce);
      chain = next.catch(() => undefined);
      return next;
    };
    const timer = setInterval(() => void flush(), intervalMs);
    timer.unref();
    return {
      flush,
      stop: async () => {
        if (stopped) return;
        stopped = true;
        clearInterval(timer);
        await flush();
      },
      get pendingEntries() {
        return pending.size;
      },
    };
  }

  // ---- internals ----

  private async requireFlag(key: string): Promise<Flag> {
    const flag = await this.backend.get({ kind: 'flag', key });
    if (!flag) throw new NotFound({ kind: 'flag', key });
    return flag;
  }

  private async requireSegment(environment: string, key: string): Promise<Segment> {
    const segment = await this.backend.get({ kind: 'segment', environment, key });
    if (!segment) throw new NotFound({ kind: 'segment', environment, key });
    return segment;
  }

  private async requireEnvironment(environment: string, path: string): Promise<void> {
    if (typeof environment !== 'string' || !environmentKeyPattern.test(environment)) throw invalid(path, 'is not a valid environment key');
    if (!(await this.backend.get({ kind: 'environment', key: environment }))) throw invalid(path, `unknown environment '${environment}'`);
  }

  /** Read-modify-write of a flag: conditional with `expectedVersion`, else retried on conflicts. */
  private async modifyFlag(key: string, expectedVersion: number | undefined | null, action: ChangeAction, meta: WriteMeta, change: (current: Flag) => Flag | null): Promise<Flag> {
    const conditional = expectedVersion !== undefined && expectedVersion !== null;
    if (conditional) checkVersion(expectedVersion);
    for (let attempt = 0; ; attempt++) {
      const current = await this.requireFlag(key);
      if (conditional && current.version !== expectedVersion) throw new VersionConflict({ kind: 'flag', key }, expectedVersion, current.version);
      const next = change(current);
      if (next === null) return current;
      const now = this.now();
      const flag = validateFlag({ ...next, key, version: current.version + 1, createdAt: current.createdAt, updatedAt: now }, now);
      try {
        return await this.writeFlag(flag, current.version, action, meta);
      } catch (error) {
        if (error instanceof VersionConflict && !conditional && attempt < this.maxRetries) continue;
        throw error;
      }
    }
  }

  private async writeFlag(candidate: Flag, expectedVersion: number, action: ChangeAction, meta: WriteMeta): Promise<Flag> {
    const cleanMeta = checkMeta(meta);
    const flag = plain(candidate);
    checkFlagReferences(flag, await this.flagWorld(flag));
    await this.backend.commit({ ref: { kind: 'flag', key: flag.key }, expectedVersion, action, after: flag, meta: cleanMeta });
    return flag;
  }

  private async writeSegment(candidate: Segment, expectedVersion: number, action: ChangeAction, meta: WriteMeta): Promise<Segment> {
    const cleanMeta = checkMeta(meta);
    const segment = plain(candidate);
    await this.backend.commit({ ref: { kind: 'segment', environment: segment.environment, key: segment.key }, expectedVersion, action, after: segment, meta: cleanMeta });
    return segment;
  }

  /**
   * The part of the stored world a flag's references reach: the environments, the segments its rules
   * name, and its prerequisites transitively (for the cycle check). Loaded up front because
   * `checkFlagReferences` is synchronous.
   */
  private async flagWorld(flag: Flag): Promise<FlagWorld> {
    const environments = new Set((await this.backend.listEnvironments()).map((environment) => environment.key));
    const segmentIds = new Map<string, { environment: string; key: string }>();
    for (const [environment, config] of Object.entries(flag.environments)) {
      if (!environments.has(environment)) continue;
      for (const rule of config.rules) for (const key of ruleReferences(rule.condition, flag.salt).segments) segmentIds.set(`${environment}\u0000${key}`, { environment, key });
    }
    const segments = new Set<string>();
    await Promise.all(
      [...segmentIds].map(async ([id, ref]) => {
        if (await this.backend.get({ kind: 'segment', ...ref })) segments.add(id);
      }),
    );
    const flags = new Map<string, Flag | null>();
    let pending = [...prerequisiteKeys(flag)].filter((key) => key !== flag.key);
    while (pending.length > 0) {
      const loaded = await Promise.all(pending.map((key) => this.backend.get({ kind: 'flag', key })));
      const next = new Set<string>();
      pending.forEach((key, index) => {
        const found = loaded[index] ?? null;
        flags.set(key, found);
        if (found) for (const prerequisite of prerequisiteKeys(found)) if (prerequisite !== flag.key && !flags.has(prerequisite)) next.add(prerequisite);
      });
      pending = [...next].filter((key) => !flags.has(key));
    }
    return {
      environmentExists: (environment) => environments.has(environment),
      segmentExists: (environment, key) => segments.has(`${environment}\u0000${key}`),
      flag: (key) => flags.get(key) ?? undefined,
    };
  }

  /** Every flag, page by page. */
  private async *allFlags(): AsyncGenerator<Flag> {
    let after: string | null = null;
    for (;;) {
      const page: Page<Flag> = await this.backend.listFlags({}, { first: maxPageSize, after });
      yield* page.items;
      if (!page.hasNextPage || page.endCursor === null) return;
      after = page.endCursor;
    }
  }
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
