/**
 * Opening the embedded store's data directory: the directory lock first (one process per directory),
 * then LMDB and its databases, with the store schema checked. A failure releases whatever was taken.
 */
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { open, type RootDatabase } from 'lmdb';
import type { ChangeRecord } from '../types.js';
import type { Databases } from './commit.js';
import { DirectoryLock } from './directory-lock.js';
import { ChangeNotifier } from './feed.js';
import { databaseNames, lmdbFileName, metaKeys, schemaVersion } from './keys.js';

/** What an open embedded store holds. */
export interface OpenState {
  root: RootDatabase;
  db: Databases;
  lock: DirectoryLock;
  notifier: ChangeNotifier;
}

/** Creates the directory if missing, locks it and opens LMDB; the notifier reads changes with `readChanges`. */
export async function openState(
  dataDir: string,
  readChanges: (position: number, limit: number) => ChangeRecord[] | 'too-old',
): Promise<OpenState> {
  mkdirSync(dataDir, { recursive: true });
  const lock = DirectoryLock.acquire(dataDir);
  let root: RootDatabase | undefined;
  try {
    root = open({ path: join(dataDir, lmdbFileName), maxDbs: 16 });
    const opened = root;
    const db = Object.fromEntries(databaseNames.map((name) => [name, opened.openDB({ name })])) as Databases;
    const schema = db.meta.get(metaKeys.schema) as number | undefined;
    if (schema === undefined) await db.meta.put(metaKeys.schema, schemaVersion);
    else if (schema !== schemaVersion)
      throw new Error(
        `the data directory '${dataDir}' has store schema ${schema}; this Vexil reads schema ${schemaVersion}`,
      );
    const lastPosition = (db.meta.get(metaKeys.lastPosition) as number | undefined) ?? 0;
    return { root, db, lock, notifier: new ChangeNotifier(lastPosition, readChanges) };
  } catch (error) {
    await root?.close().catch(() => undefined);
    lock.releaseSync();
    throw error;
  }
}

/** Gives up a store that failed after opening (while seeding): closes LMDB and releases the directory. */
export async function discardState(state: OpenState): Promise<void> {
  await state.root.close().catch(() => undefined);
  state.lock.releaseSync();
}
