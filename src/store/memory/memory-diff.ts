/**
 * What replacing one whole flag set with another changes, as pending changes in an order in which
 * every change is valid when applied (environments first, then segments, then flags; removals in
 * the opposite order). Server-managed fields (version, createdAt, updatedAt) are carried over from
 * the current documents, so an unchanged document keeps its version and produces no change.
 */
import type { EngineState } from '../../flags/engine.js';
import type { Environment, Flag, Segment } from '../../flags/model.js';
import type { ChangeAction, DocumentRef } from '../types.js';

export interface DiffChange {
  ref: DocumentRef;
  action: ChangeAction;
  version: number;
  before: Flag | Segment | Environment | null;
  after: Flag | Segment | Environment | null;
}

type Versioned = Flag | Segment;

const segmentId = (segment: Pick<Segment, 'environment' | 'key'>) => `${segment.environment}/${segment.key}`;

/** The document's content without the fields the server manages. */
function content(document: object): string {
  const { version: _v, createdAt: _c, updatedAt: _u, ...rest } = document as Record<string, unknown>;
  return JSON.stringify(rest);
}

function diffVersioned<T extends Versioned>(
  current: ReadonlyMap<string, T>,
  wanted: readonly T[],
  idOf: (document: T) => string,
  refOf: (document: T) => DocumentRef,
  now: string,
): { upserts: DiffChange[]; removals: DiffChange[]; next: Map<string, T> } {
  const upserts: DiffChange[] = [];
  const seen = new Map<string, T>();
  for (const wantedDocument of wanted) {
    const id = idOf(wantedDocument);
    const before = current.get(id);
    if (before && content(before) === content(wantedDocument)) {
      seen.set(id, before);
      continue;
    }
    const version = (before?.version ?? 0) + 1;
    const after = { ...wantedDocument, version, createdAt: before?.createdAt ?? now, updatedAt: now };
    seen.set(id, after);
    upserts.push({
      ref: refOf(wantedDocument),
      action: before ? 'update' : 'create',
      version,
      before: before ?? null,
      after,
    });
  }
  const removals: DiffChange[] = [];
  for (const [id, before] of current) {
    if (seen.has(id)) continue;
    removals.push({ ref: refOf(before), action: 'delete', version: before.version + 1, before, after: null });
  }
  return { upserts, removals, next: seen };
}

function diffEnvironments(current: ReadonlyMap<string, Environment>, wanted: readonly Environment[], now: string) {
  const upserts: DiffChange[] = [];
  const seen = new Map<string, Environment>();
  for (const wantedEnvironment of wanted) {
    const before = current.get(wantedEnvironment.key);
    if (before && before.name === wantedEnvironment.name) {
      seen.set(before.key, before);
      continue;
    }
    const after = { ...wantedEnvironment, createdAt: before?.createdAt ?? now };
    seen.set(after.key, after);
    const ref: DocumentRef = { kind: 'environment', key: after.key };
    upserts.push({ ref, action: before ? 'update' : 'create', version: 1, before: before ?? null, after });
  }
  const removals: DiffChange[] = [];
  for (const [key, before] of current)
    if (!seen.has(key))
      removals.push({ ref: { kind: 'environment', key }, action: 'delete', version: 1, before, after: null });
  return { upserts, removals, next: seen };
}

export interface MemoryDocuments {
  environments: Map<string, Environment>;
  segments: Map<string, Segment>;
  flags: Map<string, Flag>;
}

export function toDocuments(state: EngineState): MemoryDocuments {
  return {
    environments: new Map(state.environments.map((environment) => [environment.key, environment])),
    segments: new Map(state.segments.map((segment) => [segmentId(segment), segment])),
    flags: new Map(state.flags.map((flag) => [flag.key, flag])),
  };
}

/** The changes that turn `current` into `wanted`, in a valid order, and the documents after them. */
export function diffState(
  current: MemoryDocuments,
  wanted: EngineState,
  now: string,
): { changes: DiffChange[]; documents: MemoryDocuments } {
  const environments = diffEnvironments(current.environments, wanted.environments, now);
  const segments = diffVersioned(current.segments, wanted.segments, segmentId, segmentRef, now);
  const flags = diffVersioned(current.flags, wanted.flags, (flag) => flag.key, flagRef, now);
  const changes = [
    ...environments.upserts,
    ...segments.upserts,
    ...flags.upserts,
    ...flags.removals,
    ...segments.removals,
    ...environments.removals,
  ];
  return { changes, documents: { environments: environments.next, segments: segments.next, flags: flags.next } };
}

function segmentRef(segment: Segment): DocumentRef {
  return { kind: 'segment', key: segment.key, environment: segment.environment };
}

function flagRef(flag: Flag): DocumentRef {
  return { kind: 'flag', key: flag.key };
}

export { segmentId };
