/**
 * Live evaluations: subscribers are grouped by (environment, context), so each distinct context is
 * re-evaluated once per change however many subscribers share it, and only for the flags the change
 * touched. A subscriber hears about a flag only when its value, variation or reason changed for its
 * context; a rule edit or rollout step that does not move that context sends nothing.
 *
 * Within a group, subscribers with the same `keys` filter form an audience, and a change builds one
 * update per audience that all its subscribers receive: the very same object, so the transports can
 * execute the selection and serialise the result once per update rather than once per subscriber
 * (see use-shared-subscription-results.ts and the SSE lane). Updates are therefore never mutated.
 * They are handed out in slices (sliced-delivery.ts), after the change's evaluation is complete.
 */
import type { GraphQLError } from 'graphql';
import type { FlagEngine, TouchedFlags } from '../../flags/engine.js';
import type { EvaluationResult } from '../../flags/evaluation.js';
import { equals } from '../../dsl/values.js';
import { apiError } from '../errors.js';
import { BoundedQueue, type EndWithError } from './bounded-queue.js';
import { SlicedDelivery } from './sliced-delivery.js';
import { stableKey } from './stable-key.js';
import type { SubscriptionLimits, SubscriberIdentity } from './subscription-limits.js';

export interface EvaluationsUpdate {
  snapshotVersion: number;
  evaluations: EvaluationResult[];
  changedKeys: string[];
}

interface ContextGroup {
  environment: string;
  /** Canonical JSON of the context: equal contexts share one group. */
  id: string;
  context: unknown;
  /** The last evaluation of each flag for this context: what subscribers were last told. */
  state: Map<string, EvaluationResult>;
  /** Subscribers by their canonical `keys` filter. */
  audiences: Map<string, Audience>;
}

/** The subscribers of one group with the same `keys` filter: they get the same updates. */
interface Audience {
  group: ContextGroup;
  /** Canonical form of `keys` (sorted, no duplicates); `*` for every flag. */
  id: string;
  keys: ReadonlySet<string> | null;
  subscribers: Set<Subscriber>;
}

/** An update for an audience; `sequence` orders it against subscribers joining meanwhile. */
interface Delivery {
  audience: Audience;
  update: EvaluationsUpdate;
  sequence: number;
}

class Subscriber extends BoundedQueue<EvaluationsUpdate> {
  constructor(
    private readonly hub: EvaluationHub,
    readonly identity: SubscriberIdentity,
    readonly audience: Audience,
    /** The hub's sequence when it joined: its first message already reflects every update up to it. */
    readonly joined: number,
    capacity: number,
  ) {
    super(capacity);
  }

  protected onRelease(): void {
    this.hub.remove(this);
  }

  protected overflowError(): GraphQLError {
    return apiError(
      'SLOW_CONSUMER',
      `subscriber fell more than ${this.capacity} messages behind and was dropped; reconnect to resynchronise`,
    );
  }
}

function sameOutcome(a: EvaluationResult | undefined, b: EvaluationResult): boolean {
  return (
    a !== undefined && a.variation === b.variation && a.reason === b.reason && equals(a.value ?? null, b.value ?? null)
  );
}

/** @param keys without duplicates */
function audienceId(keys: readonly string[] | null): string {
  return keys === null ? '*' : JSON.stringify([...keys].sort());
}

export class EvaluationHub {
  /** environment → context key → group */
  private readonly groups = new Map<string, Map<string, ContextGroup>>();
  private subscribers = 0;
  private sequence = 0;
  private readonly outbox = new SlicedDelivery<Delivery>((delivery) => this.deliver(delivery));

  constructor(
    private readonly engine: FlagEngine,
    private readonly limits: SubscriptionLimits,
    private readonly bufferSize: number,
  ) {}

  /** Subscribers right now, across every group. */
  get size(): number {
    return this.subscribers;
  }

  /** Distinct contexts being watched (each evaluated once per change). */
  get distinctContexts(): number {
    let count = 0;
    for (const groups of this.groups.values()) count += groups.size;
    return count;
  }

  subscribe(
    identity: SubscriberIdentity,
    environment: string,
    context: unknown,
    keys: readonly string[] | null,
  ): AsyncIterableIterator<EvaluationsUpdate | EndWithError> {
    this.limits.acquire(identity);
    const uniqueKeys = keys && [...new Set(keys)];
    const audience = this.audienceFor(this.groupFor(environment, context), uniqueKeys);
    const subscriber = new Subscriber(this, identity, audience, this.sequence, this.bufferSize);
    audience.subscribers.add(subscriber);
    this.subscribers++;
    // The first message is the full current state, so a (re)connecting client misses nothing. It
    // follows this subscriber's own order of `keys`, so it is not shared.
    subscriber.push({
      snapshotVersion: this.engine.version,
      evaluations: this.currentFor(audience.group, uniqueKeys),
      changedKeys: [],
    });
    return subscriber;
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
        const keys = new Set([
          ...group.state.keys(),
          ...(this.engine.snapshot(group.environment)?.activeFlags.map((flag) => flag.key) ?? []),
        ]);
        this.refresh(group, keys);
      }
    }
  }

  /** Ends every subscription made with a key (revoked), with a final error. */
  endForKey(keyId: string, error: GraphQLError): void {
    for (const subscriber of this.allSubscribers())
      if (subscriber.identity.keyId === keyId) subscriber.endWithError(error);
  }

  close(error: GraphQLError): void {
    for (const subscriber of this.allSubscribers()) subscriber.endWithError(error);
  }

  /** Forgets a subscriber that left, and its audience and group once empty (called by the subscriber). */
  remove(subscriber: Subscriber): void {
    const audience = subscriber.audience;
    if (!audience.subscribers.delete(subscriber)) return;
    this.subscribers--;
    this.limits.release(subscriber.identity);
    if (audience.subscribers.size > 0) return;
    const group = audience.group;
    group.audiences.delete(audience.id);
    if (group.audiences.size === 0) this.groups.get(group.environment)?.delete(group.id);
  }

  /** A snapshot: ending a subscriber removes it from the sets being walked. */
  private allSubscribers(): Subscriber[] {
    const all: Subscriber[] = [];
    for (const groups of this.groups.values())
      for (const group of groups.values())
        for (const audience of group.audiences.values()) all.push(...audience.subscribers);
    return all;
  }

  private groupFor(environment: string, context: unknown): ContextGroup {
    let byContext = this.groups.get(environment);
    if (!byContext) this.groups.set(environment, (byContext = new Map()));
    const id = stableKey(context);
    let group = byContext.get(id);
    if (!group) {
      group = { environment, id, context, state: new Map(), audiences: new Map() };
      for (const result of this.engine.evaluateAll(context, { environment })) group.state.set(result.key, result);
      byContext.set(id, group);
    }
    return group;
  }

  /** @param keys without duplicates */
  private audienceFor(group: ContextGroup, keys: readonly string[] | null): Audience {
    const id = audienceId(keys);
    let audience = group.audiences.get(id);
    if (!audience)
      group.audiences.set(id, (audience = { group, id, keys: keys ? new Set(keys) : null, subscribers: new Set() }));
    return audience;
  }

  private currentFor(group: ContextGroup, keys: readonly string[] | null): EvaluationResult[] {
    if (!keys)
      return [...group.state.values()].filter(
        (result) => result.reason !== 'ERROR' || result.errorCode !== 'FLAG_NOT_FOUND',
      );
    return keys.map((key) => {
      let result = group.state.get(key);
      if (!result)
        group.state.set(key, (result = this.engine.evaluate(key, group.context, { environment: group.environment })));
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
    for (const audience of group.audiences.values()) {
      const keys = audience.keys;
      const mine = keys ? changed.filter((result) => keys.has(result.key)) : changed;
      if (mine.length === 0) continue;
      // One update for the whole audience: shared, never copied per subscriber.
      const update: EvaluationsUpdate = {
        snapshotVersion,
        evaluations: mine,
        changedKeys: mine.map((result) => result.key),
      };
      this.outbox.add({ audience, update, sequence: ++this.sequence });
    }
  }

  /** Pushes an update to its audience, but not to those who joined after it was made. */
  private deliver({ audience, update, sequence }: Delivery): number {
    for (const subscriber of audience.subscribers) if (subscriber.joined < sequence) subscriber.push(update);
    return audience.subscribers.size;
  }
}
