/** The embedded store's multi-document reads: a page of flags, and a consistent snapshot. */
import type { RootDatabase } from 'lmdb';
import type { Environment, Flag, Segment } from '../../flags/model.js';
import { sortEnvironments } from '../environment-order.js';
import { afterFlagKey, flagCursor, matchesFlagFilter, pageSize } from '../paging.js';
import type { FlagFilter, Page, PageRequest, StoreSnapshot } from '../types.js';
import type { Databases } from './commit.js';
import { type FlagSummary, metaKeys, type Stored } from './keys.js';

/** Flags by key, filtered on the flag index so only the page's documents are read. */
export function listFlagPage(db: Databases, filter: FlagFilter, page: PageRequest): Page<Flag> {
  const size = pageSize(page);
  const after = afterFlagKey(page.after);
  let totalCount = 0;
  let hasNextPage = false;
  const keys: string[] = [];
  for (const { key, value } of db.flagIndex.getRange()) {
    const flagKey = key as string;
    if (!matchesFlagFilter({ key: flagKey, ...(value as FlagSummary) }, filter ?? {})) continue;
    totalCount++;
    if (after !== null && flagKey <= after) continue;
    if (keys.length < size) keys.push(flagKey);
    else hasNextPage = true;
  }
  const items = keys.map((key) => (db.flags.get(key) as Stored<Flag>).doc);
  return { items, endCursor: keys.length > 0 ? flagCursor(keys[keys.length - 1]!) : null, hasNextPage, totalCount };
}

/** Every environment, flag and segment and the feed position, all from one read transaction. */
export function readSnapshot(root: RootDatabase, db: Databases): StoreSnapshot {
  const transaction = root.useReadTransaction();
  try {
    return {
      environments: sortEnvironments(
        [...db.environments.getRange({ transaction })].map(({ value }) => (value as Stored<Environment>).doc),
      ),
      flags: [...db.flags.getRange({ transaction })].map(({ value }) => (value as Stored<Flag>).doc),
      segments: [...db.segments.getRange({ transaction })].map(({ value }) => (value as Stored<Segment>).doc),
      position: (db.meta.get(metaKeys.lastPosition, { transaction }) as number | undefined) ?? 0,
    };
  } finally {
    transaction.done();
  }
}
