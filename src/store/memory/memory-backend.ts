/**
 * A read-only backend held in memory: a flags file (`vexil serve --flags`) or a last-known-good
 * snapshot (the store unreachable at start). Its state is replaced whole (`replace`), and the
 * difference goes out as ordinary change records, so the engine, `flagChanged` and
 * `evaluationsChanged` learn of it exactly as they learn of a store's writes. Writes are refused
 * with the error `refuse` makes, except API keys when a `keys` backend keeps them (file-backed mode).
 */
import type { EngineState } from '../../flags/engine.js';
import type { Environment, Flag, Segment } from '../../flags/model.js';
import type { UsageEntry } from '../../flags/usage.js';
import type { CodeReferenceReport } from '../code-references.js';
import type { UsageBucket, UsageFilter } from '../usage-series.js';
import type {
  ApiKeyRecord,
  AuditFilter,
  ChangeRecord,
  DocumentKind,
  DocumentOf,
  DocumentRef,
  FeedEvent,
  FeedSubscription,
  FlagFilter,
  Page,
  PageRequest,
  PendingChange,
  StoreBackend,
  StoreHealth,
  StoreSnapshot,
  UsageStat,
  WriteMeta,
} from '../types.js';
import { diffState, type MemoryDocuments, segmentId, toDocuments } from './memory-diff.js';
import { ChangeLog } from './change-log.js';
import { auditPage, flagPage } from './memory-pages.js';
import { MemoryUsage } from './memory-usage.js';

export interface MemoryBackendOptions {
  name: StoreBackend['name'];
  state: EngineState;
  /** Feed position of `state` (a snapshot's). @default 0 */
  position?: number;
  /** API keys when no `keys` backend is given (a snapshot's). */
  apiKeys?: readonly ApiKeyRecord[];
  /** Keeps API keys (reads and writes) and is opened and closed with this backend. */
  keys?: StoreBackend;
  /** The error every refused write throws. */
  refuse: (change: PendingChange) => Error;
  health: () => Omit<StoreHealth, 'store' | 'feedMode'>;
  now?: () => Date;
}

export class MemoryBackend implements StoreBackend {
  readonly name: StoreBackend['name'];
  readonly feedMode = 'in-process' as const;
  private documents: MemoryDocuments;
  private readonly apiKeys: Map<string, ApiKeyRecord>;
  private readonly log: ChangeLog;
  private readonly usage = new MemoryUsage();
  private readonly codeReferences = new Map<string, CodeReferenceReport>();

  constructor(private readonly options: MemoryBackendOptions) {
    this.name = options.name;
    this.documents = toDocuments(options.state);
    this.apiKeys = new Map((options.apiKeys ?? []).map((record) => [record.id, record]));
    this.log = new ChangeLog(options.position ?? 0);
  }

  /** Replaces the whole flag set; returns the change records it made (none when nothing changed). */
  replace(state: EngineState, meta: WriteMeta): ChangeRecord[] {
    const at = (this.options.now?.() ?? new Date()).toISOString();
    const { changes, documents } = diffState(this.documents, state, at);
    this.documents = documents;
    return changes.map((change) =>
      this.log.append({
        ref: change.ref,
        version: change.version,
        action: change.action,
        actor: meta.actor,
        comment: meta.comment ?? null,
        at,
        before: change.before,
        after: change.after,
      }),
    );
  }

  async open(): Promise<void> {
    await this.options.keys?.open();
  }

  async close(): Promise<void> {
    this.log.close();
    await this.options.keys?.close();
  }

  async health(): Promise<StoreHealth> {
    return { store: this.name, feedMode: this.feedMode, ...this.options.health() };
  }

  async commit<K extends DocumentKind>(change: PendingChange<K>): Promise<ChangeRecord> {
    const keys = this.options.keys;
    if (change.ref.kind !== 'apiKey' || !keys) throw this.options.refuse(change);
    const record = await keys.commit(change);
    const { position: _position, ...rest } = record;
    return this.log.append(rest);
  }

  async get<K extends DocumentKind>(ref: DocumentRef & { kind: K }): Promise<DocumentOf<K> | null> {
    const found =
      ref.kind === 'flag'
        ? this.documents.flags.get(ref.key)
        : ref.kind === 'segment'
          ? this.documents.segments.get(segmentId({ environment: ref.environment ?? '', key: ref.key }))
          : ref.kind === 'environment'
            ? this.documents.environments.get(ref.key)
            : this.options.keys
              ? await this.options.keys.get(ref)
              : this.apiKeys.get(ref.key);
    return (found ?? null) as DocumentOf<K> | null;
  }

  async listFlags(filter: FlagFilter, page: PageRequest): Promise<Page<Flag>> {
    return flagPage([...this.documents.flags.values()], filter, page);
  }

  async listSegments(environment?: string): Promise<Segment[]> {
    const all = [...this.documents.segments.values()];
    return (environment === undefined || environment === null ? all : all.filter((s) => s.environment === environment))
      .slice()
      .sort((a, b) => (segmentId(a) < segmentId(b) ? -1 : 1));
  }

  async listEnvironments(): Promise<Environment[]> {
    return [...this.documents.environments.values()];
  }

  async listApiKeys(): Promise<ApiKeyRecord[]> {
    return this.options.keys ? this.options.keys.listApiKeys() : [...this.apiKeys.values()];
  }

  async findApiKeyByHash(secretHash: string): Promise<ApiKeyRecord | null> {
    if (this.options.keys) return this.options.keys.findApiKeyByHash(secretHash);
    for (const record of this.apiKeys.values()) if (record.secretHash === secretHash) return record;
    return null;
  }

  async auditLog(filter: AuditFilter, page: PageRequest): Promise<Page<ChangeRecord>> {
    return auditPage(this.log.records(), filter, page);
  }

  async snapshot(): Promise<StoreSnapshot> {
    return {
      environments: [...this.documents.environments.values()],
      flags: [...this.documents.flags.values()],
      segments: [...this.documents.segments.values()],
      position: this.log.position,
    };
  }

  async changesSince(position: number, limit: number): Promise<ChangeRecord[] | 'too-old'> {
    return this.log.since(position, limit);
  }

  async subscribe(position: number, onEvent: (event: FeedEvent) => void): Promise<FeedSubscription> {
    return this.log.subscribe(position, onEvent);
  }

  async mergeUsage(entries: readonly UsageEntry[]): Promise<void> {
    this.usage.merge(entries);
  }

  async readUsage(filter?: UsageFilter): Promise<UsageStat[]> {
    return this.usage.totals(filter);
  }

  async readUsageBuckets(filter?: UsageFilter): Promise<UsageBucket[]> {
    return this.usage.buckets(filter);
  }

  async saveCodeReferences(report: CodeReferenceReport): Promise<boolean> {
    const kept = this.codeReferences.get(report.repository);
    if (kept && kept.scannedAt > report.scannedAt) return false;
    this.codeReferences.set(report.repository, report);
    return true;
  }

  async readCodeReferences(): Promise<CodeReferenceReport[]> {
    return [...this.codeReferences.values()];
  }
}
