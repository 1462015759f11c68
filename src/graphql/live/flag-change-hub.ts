/** `flagChanged`: every committed change of a flag or segment, for admin and read-only subscribers. */
import type { GraphQLError } from 'graphql';
import type { ChangeRecord } from '../../store/types.js';
import { apiError } from '../errors.js';
import { BoundedQueue, type EndWithError } from './bounded-queue.js';
import type { SubscriberIdentity, SubscriptionLimits } from './subscription-limits.js';

export interface FlagChange {
  key: string;
  /** The segment's environment; null for a flag (a flag document spans environments). */
  environment: string | null;
  /** What the change did: create, update, toggle, archive, restore, delete. */
  kind: string;
  /** `flag` or `segment`. */
  documentKind: string;
  version: number;
  actor: string | null;
  at: string;
}

class Watcher extends BoundedQueue<FlagChange> {
  constructor(
    private readonly hub: FlagChangeHub,
    readonly identity: SubscriberIdentity,
    readonly keys: ReadonlySet<string> | null,
    readonly environment: string | null,
    capacity: number,
  ) {
    super(capacity);
  }

  protected onRelease(): void {
    this.hub.remove(this);
  }

  protected overflowError(): GraphQLError {
    return apiError('SLOW_CONSUMER', `subscriber fell more than ${this.capacity} messages behind and was dropped`);
  }
}

export class FlagChangeHub {
  private readonly watchers = new Set<Watcher>();

  constructor(
    private readonly limits: SubscriptionLimits,
    private readonly bufferSize: number,
  ) {}

  get size(): number {
    return this.watchers.size;
  }

  subscribe(
    identity: SubscriberIdentity,
    keys: readonly string[] | null,
    environment: string | null,
  ): AsyncIterableIterator<FlagChange | EndWithError> {
    this.limits.acquire(identity);
    const watcher = new Watcher(this, identity, keys ? new Set(keys) : null, environment, this.bufferSize);
    this.watchers.add(watcher);
    return watcher;
  }

  /** Forgets a watcher that left (called by the watcher). */
  remove(watcher: Watcher): void {
    if (this.watchers.delete(watcher)) this.limits.release(watcher.identity);
  }

  onChange(record: ChangeRecord): void {
    if (record.ref.kind !== 'flag' && record.ref.kind !== 'segment') return;
    const change: FlagChange = {
      key: record.ref.key,
      environment: record.ref.environment ?? null,
      kind: record.action,
      documentKind: record.ref.kind,
      version: record.version,
      actor: record.actor,
      at: record.at,
    };
    for (const watcher of this.watchers) {
      if (watcher.keys && !watcher.keys.has(change.key)) continue;
      if (watcher.environment && change.environment && change.environment !== watcher.environment) continue;
      watcher.push(change);
    }
  }

  endForKey(keyId: string, error: GraphQLError): void {
    for (const watcher of [...this.watchers]) if (watcher.identity.keyId === keyId) watcher.endWithError(error);
  }

  close(error: GraphQLError): void {
    for (const watcher of [...this.watchers]) watcher.endWithError(error);
  }
}
