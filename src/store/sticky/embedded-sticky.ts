/**
 * Sticky assignments of the embedded store: one LMDB database, `stickyAssignments`, keyed
 * [flag, environment, key] → { variation, assignedAt, seq }. `ifNoExists` makes the first write win. One
 * process holds the directory, so `since` only serves the load at start (a full read).
 */
import type { Database, RootDatabase } from 'lmdb';
import type { Databases } from '../embedded/commit.js';
import { StoreUnavailable } from '../types.js';
import type { StickyAssignment, StickyCursor, StickyPersistence } from './model.js';

type Stored = { variation: string; assignedAt: string };

export class EmbeddedSticky implements StickyPersistence {
  private database: { root: RootDatabase; db: Database } | null = null;

  constructor(private readonly state: () => { root: RootDatabase; db: Databases }) {}

  private get db(): Database {
    const { root } = this.state();
    if (this.database?.root !== root) this.database = { root, db: root.openDB({ name: 'stickyAssignments' }) };
    return this.database.db;
  }

  async insert(assignments: readonly StickyAssignment[]): Promise<void> {
    const db = this.db;
    try {
      await Promise.all(
        assignments.map(({ flag, environment, key, variation, assignedAt }) =>
          db.ifNoExists([flag, environment, key], () => db.put([flag, environment, key], { variation, assignedAt })),
        ),
      );
    } catch (error) {
      throw new StoreUnavailable(
        `the embedded store could not record sticky assignments: ${(error as Error).message}`,
        {
          cause: error,
        },
      );
    }
  }

  async since(cursor: StickyCursor): Promise<{ assignments: StickyAssignment[]; cursor: StickyCursor }> {
    if (cursor !== null) return { assignments: [], cursor };
    const assignments = [...this.db.getRange()].map(({ key, value }) => {
      const [flag, environment, bucketingKey] = key as [string, string, string];
      return { flag, environment, key: bucketingKey, ...(value as Stored) };
    });
    return { assignments, cursor: 'loaded' };
  }

  async remove(flag: string, environment?: string): Promise<void> {
    const db = this.db;
    const start = environment === undefined ? [flag] : [flag, environment];
    const end = environment === undefined ? [flag, '\uffff'] : [flag, environment, '\uffff'];
    await db.transaction(() => {
      for (const { key } of db.getRange({ start, end })) db.removeSync(key);
    });
  }
}
