/**
 * Key layout of the embedded store: one LMDB environment (`<dataDir>/vexil.mdb`) holding named
 * databases. Keys are lmdb-js ordered-binary keys (strings, numbers, arrays compare element-wise).
 *
 *   environments  key                          → Stored<Environment>
 *   flags         key                          → Stored<Flag>
 *   flagIndex     key                          → FlagSummary (what listFlags filters on, without decoding whole flags)
 *   segments      [environment, key]           → Stored<Segment>
 *   apiKeys       id                           → Stored<ApiKeyRecord>
 *   apiKeyHashes  secretHash                   → id (unique)
 *   changes       position                     → ChangeRecord (audit log and change feed)
 *   auditIndex    [kind, environment|'', key, position] → 1 (audit log of one document)
 *   usage, usageHours, codeReferences: statistics, see statistics.ts
 *   meta          'schema' | 'lastPosition' | 'prunedThrough' → number
 */
import type { Flag } from '../../flags/model.js';
import type { DocumentKind, DocumentRef } from '../types.js';

export const schemaVersion = 1;
export const lmdbFileName = 'vexil.mdb';
export const lockFileName = 'vexil.lock';

export const databaseNames = [
  'environments',
  'flags',
  'flagIndex',
  'segments',
  'apiKeys',
  'apiKeyHashes',
  'changes',
  'auditIndex',
  'usage',
  'usageHours',
  'codeReferences',
  'meta',
] as const;
export type DatabaseName = (typeof databaseNames)[number];

export const metaKeys = {
  schema: 'schema',
  /** Position of the last committed change; 0 for an empty feed. */
  lastPosition: 'lastPosition',
  /** Every change at or below this position has been pruned by retention; 0 when none were. */
  prunedThrough: 'prunedThrough',
} as const;

/** How a document is stored: the version lives beside it (environments have no version field of their own). */
export interface Stored<T> {
  version: number;
  doc: T;
}

/** The fields of a flag that `listFlags` filters on. */
export interface FlagSummary {
  kind: Flag['kind'];
  tags: string[];
  owner: string;
  archived: boolean;
  name: string;
  description: string;
}

export function flagSummary(flag: Flag): FlagSummary {
  return {
    kind: flag.kind,
    tags: flag.tags,
    owner: flag.owner,
    archived: flag.archived,
    name: flag.name,
    description: flag.description,
  };
}

/** The named database holding documents of a kind. */
export function databaseOf(kind: DocumentKind): DatabaseName {
  switch (kind) {
    case 'environment':
      return 'environments';
    case 'flag':
      return 'flags';
    case 'segment':
      return 'segments';
    case 'apiKey':
      return 'apiKeys';
  }
}

export type DocumentKey = string | [string, string];

/** The key of a document in its database. */
export function documentKey(ref: DocumentRef): DocumentKey {
  if (ref.kind === 'segment') return [ref.environment ?? '', ref.key];
  return ref.key;
}

/** A ref as recorded in change records: `environment` only for segments. */
export function normalizeRef(ref: DocumentRef): DocumentRef {
  return ref.kind === 'segment'
    ? { kind: ref.kind, key: ref.key, environment: ref.environment ?? '' }
    : { kind: ref.kind, key: ref.key };
}

export function auditIndexKey(ref: DocumentRef, position: number): [string, string, string, number] {
  return [ref.kind, ref.kind === 'segment' ? (ref.environment ?? '') : '', ref.key, position];
}

/** Above every position (positions are safe integers). */
export const maxPosition = Number.MAX_SAFE_INTEGER;
