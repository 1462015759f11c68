/** Seeding at open, like the embedded store: an empty MongoDB store gets the default environments. */
import { defaultEnvironmentChanges } from '../default-environments.js';
import { type ChangeRecord, type PendingChange, VersionConflict } from '../types.js';
import type { StoreCollections } from './collections.js';

/** Racing openers are fine: each environment is created by one of them, the others' commits conflict. */
export async function seedEnvironments(
  collections: StoreCollections,
  commit: (change: PendingChange) => Promise<ChangeRecord>,
): Promise<void> {
  if ((await collections.documents.environment.countDocuments({ _deleted: { $ne: true } })) > 0) return;
  for (const change of defaultEnvironmentChanges()) {
    await commit(change).catch((error: unknown) => {
      if (!(error instanceof VersionConflict)) throw error;
    });
  }
}
