/**
 * Checks on a pending change that the MongoDB store makes before touching the database, the same as
 * the embedded store's: malformed changes are programming errors in the caller (TypeError), and
 * a few rules need the stored world (NotFound for deleting nothing, duplicate API-key hashes).
 */
import { ValidationError } from '../../flags/errors.js';
import { NotFound, type ApiKeyRecord, type DocumentKind, type PendingChange } from '../types.js';
import type { StoreCollections } from './collections.js';
import type { CurrentState } from './materialise.js';

const documentKinds: ReadonlySet<string> = new Set<DocumentKind>(['environment', 'flag', 'segment', 'apiKey']);
const versionedKinds: ReadonlySet<DocumentKind> = new Set<DocumentKind>(['flag', 'segment', 'apiKey']);

export function checkKind(kind: unknown): void {
  if (!documentKinds.has(kind as string)) throw new TypeError(`unknown document kind '${String(kind)}'`);
}

/** Rejects malformed pending changes (a wrong ref, action, actor, key or version). */
export function checkChange(change: PendingChange): void {
  const { ref, expectedVersion, after, action } = change;
  checkKind(ref?.kind);
  if (typeof ref.key !== 'string' || ref.key === '') throw new TypeError('a document ref needs a key');
  if (ref.kind === 'segment' && (typeof ref.environment !== 'string' || ref.environment === '')) throw new TypeError('a segment ref needs an environment');
  if (!Number.isSafeInteger(expectedVersion) || expectedVersion < 0) throw new TypeError(`invalid expected version ${expectedVersion}`);
  if ((after === null) !== (action === 'delete')) throw new TypeError(`a '${action}' change ${after === null ? 'needs' : 'cannot have'} a document`);
  if (typeof change.meta?.actor !== 'string' || change.meta.actor === '') throw new TypeError('a change needs an actor');
  if (after !== null) checkDocument(change);
}

function checkDocument(change: PendingChange): void {
  const { ref, expectedVersion } = change;
  const doc = change.after as unknown as Record<string, unknown>;
  const key = ref.kind === 'apiKey' ? doc.id : doc.key;
  if (key !== ref.key) throw new TypeError(`the document's key '${String(key)}' does not match the ref '${ref.key}'`);
  if (ref.kind === 'segment' && doc.environment !== ref.environment) throw new TypeError(`the segment's environment does not match the ref`);
  if (versionedKinds.has(ref.kind) && doc.version !== expectedVersion + 1) {
    throw new TypeError(`the document's version must be ${expectedVersion + 1} (expected version + 1), not ${String(doc.version)}`);
  }
}

/** Rules checked against the current state, once the version matched. */
export async function checkAgainstStore(collections: StoreCollections, change: PendingChange, current: CurrentState): Promise<void> {
  if (change.after === null && current.body === null) throw new NotFound(change.ref);
  if (change.ref.kind === 'apiKey' && change.after !== null) await checkUniqueHash(collections, change.after as ApiKeyRecord);
}

/**
 * Best effort: two keys created at the same instant with the same hash could both pass. Secrets carry
 * 256 random bits, so only a caller bug could produce equal hashes; this check catches such bugs.
 */
async function checkUniqueHash(collections: StoreCollections, key: ApiKeyRecord): Promise<void> {
  const owner = await collections.documents.apiKey.findOne({ secretHash: key.secretHash, _deleted: { $ne: true }, _id: { $ne: key.id } }, { projection: { _id: 1 } });
  if (owner) throw new ValidationError([{ path: 'secretHash', message: 'another API key has the same secret hash', code: 'VALIDATION' }]);
}
