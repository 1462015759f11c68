/**
 * Sticky assignments of the MongoDB store: collection `stickyAssignments`, unique on (flag, environment,
 * key), so of several instances assigning one key the first insert wins and the others get a duplicate
 * key error, ignored. Other instances learn new assignments by polling on `_id` (ObjectIds grow with
 * time): mongo-java-server, the test server, has no change streams.
 */
import { type Collection, type Db, ObjectId } from 'mongodb';
import { guard } from '../mongo/errors.js';
import type { StickyAssignment, StickyCursor, StickyPersistence } from './model.js';

type StickyDoc = StickyAssignment & { _id: ObjectId };

/** ObjectIds are only ordered to the second across instances: re-read this far back, learning is idempotent. */
const overlapSeconds = 5;

export class MongoSticky implements StickyPersistence {
  private indexes: Promise<unknown> | null = null;

  constructor(private readonly db: () => Db) {}

  private get collection(): Collection<StickyDoc> {
    return this.db().collection<StickyDoc>('stickyAssignments');
  }

  private run<T>(doing: string, operation: () => Promise<T>): Promise<T> {
    return guard(doing, async () => {
      this.indexes ??= this.collection
        .createIndex({ flag: 1, environment: 1, key: 1 }, { unique: true, name: 'sticky_unique' })
        .catch((error: unknown) => {
          this.indexes = null;
          throw error;
        });
      await this.indexes;
      return operation();
    });
  }

  insert(assignments: readonly StickyAssignment[]): Promise<void> {
    return this.run('record sticky assignments', async () => {
      if (assignments.length === 0) return;
      const docs = assignments.map((assignment) => ({ ...assignment, _id: new ObjectId() }));
      // Unordered: a duplicate (another instance was first) does not stop the rest.
      await this.collection.insertMany(docs, { ordered: false }).catch((error: unknown) => {
        if (!allDuplicates(error)) throw error;
      });
    });
  }

  since(cursor: StickyCursor): Promise<{ assignments: StickyAssignment[]; cursor: StickyCursor }> {
    return this.run('read sticky assignments', async () => {
      const from = cursor === null ? null : ObjectId.createFromTime(Math.max(0, Number(cursor) - overlapSeconds));
      const docs = await this.collection
        .find(from === null ? {} : { _id: { $gte: from } })
        .sort({ _id: 1 })
        .toArray();
      const last = docs.at(-1)?._id.getTimestamp().getTime();
      const next = last === undefined ? (cursor ?? '0') : String(Math.floor(last / 1000));
      return { assignments: docs.map(({ _id, ...assignment }) => assignment), cursor: next };
    });
  }

  remove(flag: string, environment?: string): Promise<void> {
    return this.run('drop sticky assignments', async () => {
      await this.collection.deleteMany(environment === undefined ? { flag } : { flag, environment });
    });
  }
}

/** True when every write error of an unordered insert is a duplicate key (11000). */
function allDuplicates(error: unknown): boolean {
  const { code, writeErrors } = error as { code?: number; writeErrors?: Array<{ code: number }> | { code: number } };
  if (writeErrors === undefined) return code === 11000;
  return (Array.isArray(writeErrors) ? writeErrors : [writeErrors]).every((entry) => entry.code === 11000);
}
