/**
 * The last-known-good snapshot: the flag set, segments, environments and API keys (hashes only, as
 * the store keeps them) a gateway last served, in `VEXIL_DATA_DIR`, so that it can start and serve
 * evaluations while its store is unreachable. Written atomically: a temporary file is written and
 * fsynced, then renamed over the old one (and the directory fsynced), so a crash at any point leaves
 * either the old snapshot or the new one, never a torn file.
 */
import { mkdir, open, readFile, rename, rm } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import type { Environment, Flag, Segment } from '../../flags/model.js';
import type { ApiKeyRecord, StoreBackend } from '../types.js';

export const snapshotFormat = 'vexil-last-known-good';
export const snapshotFormatVersion = 1;
export const snapshotFileName = 'last-known-good.json';

export interface LastKnownGood {
  format: typeof snapshotFormat;
  version: typeof snapshotFormatVersion;
  /** When the state was taken (ISO-8601). */
  takenAt: string;
  /** The store the state came from. */
  store: StoreBackend['name'];
  /** The store's feed position the state corresponds to. */
  position: number;
  environments: Environment[];
  segments: Segment[];
  flags: Flag[];
  apiKeys: ApiKeyRecord[];
}

export function snapshotPath(dataDir: string): string {
  return join(dataDir, snapshotFileName);
}

/** Writes the snapshot atomically (temporary file, fsync, rename, fsync of the directory). */
export async function writeSnapshotFile(path: string, snapshot: LastKnownGood): Promise<void> {
  await mkdir(dirname(path), { recursive: true });
  const temporary = `${path}.${process.pid}.tmp`;
  const file = await open(temporary, 'w', 0o600);
  try {
    await file.writeFile(JSON.stringify(snapshot));
    await file.sync();
  } finally {
    await file.close();
  }
  try {
    await rename(temporary, path);
  } catch (error) {
    await rm(temporary, { force: true });
    throw error;
  }
  const directory = await open(dirname(path), 'r');
  try {
    await directory.sync();
  } finally {
    await directory.close();
  }
}

/** The snapshot at `path`; null when there is none; throws when it is there but unreadable. */
export async function readSnapshotFile(path: string): Promise<LastKnownGood | null> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return null;
    throw error;
  }
  const parsed = JSON.parse(text) as Partial<LastKnownGood>;
  if (parsed.format !== snapshotFormat || parsed.version !== snapshotFormatVersion)
    throw new Error(`${path} is not a version ${snapshotFormatVersion} last-known-good snapshot`);
  for (const list of ['environments', 'segments', 'flags', 'apiKeys'] as const)
    if (!Array.isArray(parsed[list])) throw new Error(`${path}: '${list}' is missing`);
  return parsed as LastKnownGood;
}
