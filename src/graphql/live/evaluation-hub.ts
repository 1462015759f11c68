/**
 * Live evaluations: subscribers are grouped by (environment, context), so each distinct context is
 * re-evaluated once per change however many subscribers share it, and only for the flags the change
 * touched. A subscriber hears about a flag only when its value, variation or reason changed for its
 * context; a rule edit or rollout step that does not move that context sends nothing.
 */
import { GraphQLError } from 'graphql';
import type { FlagEngine, TouchedFlags } from '../../flags/engine.js';
import type { EvaluationResult } from '../../flags/evaluation.js';
import { equals } from '../../dsl/values.js';
import { BoundedQueue, type EndWithError } from './bounded-queue.js';
import { stableKey } from './stable-key.js';
import type { SubscriptionLimits, SubscriberIdentity } from './subscription-limits.js';

export interface EvaluationsUpdate {
  snapshotVersion: number;
  evaluations: EvaluationResult[];
  changedKeys: string[];
}

interface Subscriber {
  identity: SubscriberIdentity;
  keys: ReadonlySet<string> | null;
  queue: BoundedQueue<EvaluationsUpdate>;
}

interface ContextGroup {
  environment: string;
  /** Canonical JSON of the context: equal contexts share one group. */
  id: string;
  context: unknown;
  /** The last evaluation of each flag for this context: what subscribers were last told. */
  state: Map<string, EvaluationResult>;
  subscribers: Set<Subscriber>;
}

function sameOutcome(a: EvaluationResult | undefined, b: EvaluationResult): boolean {
  return a !== undefined && a.variation === b.variation && a.reason === b.reason && equals(a.value ?? null, b.value ?? null);
}

export class EvaluationHub {
  /** environment → context key → group */
  private readonly groups = new Map<string, Map<string, ContextGroup>>();

  constructor(
    private readonly engine: FlagEngine,
    private readonly limits: SubscriptionLimits,
    private readonly bufferSize: number,
  ) {}

  /** Subscribers right now, across every group. */
  get size(): number {
    let count = 0;
    for (const groups of this.groups.values()) for (const group of groups.values()) count += group.subscribers.size;
    return count;
  }

  /** Distinct contexts being watched (each evaluated once per change). */
  get distinctContexts(): number {
    let count = 0;
    for (const groups of this.groups.values()) count += groups.size;
    return count;
  }

  subscribe(identity: SubscriberIdentity, environment: string, context: unknown, keys: readonly string[] | null): AsyncIterableIterator<EvaluationsUpdate | EndWithError> {
    this.limits.acquire(identity);
    const group = this.groupFor(environment, context);
    const subscriber: Subscriber = {
      identity,
      keys: keys ? new Set(keys) : null,
      queue: new BoundedQueue<EvaluationsUpdate>(
        this.bufferSize,
        () => this.remove(group, subscriber),
        () => new GraphQLError(`subscriber fell more than ${this.bufferSize} messages behind and was dropped; reconnect to resynchronise`, { extensions: { code: 'SLOW_CONSUMER' } }),
      ),
    };
    group.subscribers.add(subscriber);
    // The first message is the full current state, so a (re)connecting client misses nothing.
    subscriber.queue.push({ snapshotVersion: this.engine.version, evaluations: this.currentFor(group, subscriber.keys), changedKeys: [] });
    return subscriber.queue;
  }

  /** Re-evaluates touched flags once per distinct context and notifies the subscribers they moved. */
  onChange(touched: TouchedFlags): void {
    for (const [environment, flagKeys] of touched) {
      for (const group of this.groups.get(environment)?.values() ?? []) this.refresh(group, flagKeys);
    }
  }

  /** After a full reload every flag may have changed. */
  onReload(): void {
    for (const groups of this.groups.values()) {
      for (const group of groups.values()) {
        const keys = new Set([...group.state.keys(), ...(this.engine.snapshot(group.environment)?.activeFlags.map((flag) => flag.key) ?? [])]);
        this.refresh(group, keys);
      }
    }
  }

  /** Ends every subscription made with a key (revoked), with a final error. */
  endForKey(keyId: string, error: GraphQLError): void {
    this.forEachSubscriber((subscriber) => {
      if (subscriber.identity.keyId === keyId) subscriber.queue.endWithError(error);
    });
  }

  close(error: GraphQLError): void {
    this.forEachSubscriber((subscriber) => subscriber.queue.endWithError(error));
  }

  private forEachSubscriber(visit: (subscriber: Subscriber) => void): void {
    for (const groups of this.groups.values()) for (const group of groups.values()) for (const subscriber of [...group.subscribers]) visit(subscriber);
  }

  private groupFor(environment: string, context: unknown): ContextGroup {
    let byContext = this.groups.get(environment);
    if (!byContext) this.groups.set(environment, (byContext = new Map()));
    const id = stableKey(context);
    let group = byContext.get(id);
    if (!group) {
      group = { environment, id, context, state: new Map(), subscribers: new Set() };
      for (const result of this.engine.evaluateAll(context, { environment })) group.state.set(result.key, result);
      byContext.set(id, group);
    }
    return group;
  }

  private currentFor(group: ContextGroup, keys: ReadonlySet<string> | null): EvaluationResult[] {
    if (!keys) return [...group.state.values()].filter((result) => result.reason !== 'ERROR' || result.errorCode !== 'FLAG_NOT_FOUND');
    return [...keys].map((key) => {
      let result = group.state.get(key);
      if (!result) group.state.set(key, (result = this.engine.evaluate(key, group.context, { environment: group.environment })));
      return result;
    });
  }

  private refresh(group: ContextGroup, flagKeys: ReadonlySet<string>): void {
    const changed: EvaluationResult[] = [];
    for (const key of flagKeys) {
      const next = this.engine.evaluate(key, group.context, { environment: group.environment });
      const previous = group.state.get(key);
      if (previous === undefined && next.errorCode === 'FLAG_NOT_FOUND') continue; // never existed for us
      if (!sameOutcome(previous, next)) changed.push(next);
      group.state.set(key, next);
    }
    if (changed.length === 0) return;
    const snapshotVersion = this.engine.version;
    for (const subscriber of group.subscribers) {
      const mine = subscriber.keys ? changed.filter((result) => subscriber.keys!.has(result.key)) : changed;
      if (mine.length > 0) subscriber.queue.push({ snapshotVersion, evaluations: mine, changedKeys: mine.map((result) => result.key) });
    }
  }

  private remove(group: ContextGroup, subscriber: Subscriber): void {
    if (!group.subscribers.delete(subscriber)) return;
    this.limits.release(subscriber.identity);
    if (group.subscribers.size === 0) this.groups.get(group.environment)?.delete(group.id);
  }
}
