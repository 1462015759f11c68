/**
 * Checks on a pending change that the MongoDB store makes: the shape checks both backends share
 * (validation/pending-change.ts), and the few rules that need the stored world (NotFound for deleting
 * nothing, duplicate API-key hashes).
 */
import { ValidationError } from '../../flags/errors.js';
import { NotFound, type ApiKeyRecord, type PendingChange } from '../types.js';
import type { StoreCollections } from './collections.js';
import type { CurrentState } from './materialise.js';

/** Rules checked against the current state, once the version matched. */
export async function checkAgainstStore(
  collections: StoreCollections,
  change: PendingChange,
  current: CurrentState,
): Promise<void> {
  if (change.after === null && current.body === null) throw new NotFound(change.ref);
  if (change.ref.kind === 'apiKey' && change.after !== null)
    await checkUniqueHash(collections, change.after as ApiKeyRecord);
}

/**
 * Best effort: two keys created at the same instant with the same hash could both pass. Secrets carry
 * 256 random bits, so only a caller bug could produce equal hashes; this check catches such bugs.
 */
async function checkUniqueHash(collections: StoreCollections, key: ApiKeyRecord): Promise<void> {
  const owner = await collections.documents.apiKey.findOne(
    { secretHash: key.secretHash, _deleted: { $ne: true }, _id: { $ne: key.id } },
    { projection: { _id: 1 } },
  );
  if (owner)
    throw new ValidationError([
      { path: 'secretHash', message: 'another API key has the same secret hash', code: 'VALIDATION' },
    ]);
}
