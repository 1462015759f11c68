/**
 * Keeps the last-known-good snapshot current: `changed()` after every change, and the snapshot is
 * written at most once per `intervalMs` (a burst of changes costs one write), the last change
 * always written, by the next write or by `close()`. Writes never overlap; a failed write is
 * reported and retried with the next change.
 */
import { type LastKnownGood, writeSnapshotFile } from './snapshot-file.js';

export interface SnapshotWriterOptions {
  path: string;
  /** The state to write, taken when the write starts; null: nothing to write now. */
  take: () => Promise<LastKnownGood | null>;
  /** Least time between two writes. @default 5000 */
  intervalMs?: number;
  onError?: (error: Error) => void;
  /** The write itself (tests inject a crash). @default writeSnapshotFile */
  write?: (path: string, snapshot: LastKnownGood) => Promise<void>;
}

export class SnapshotWriter {
  private dirty = false;
  private timer: NodeJS.Timeout | null = null;
  private writing: Promise<void> | null = null;
  private lastWriteAt = 0;
  private closed = false;
  /** Snapshots written (tests and metrics). */
  writes = 0;

  constructor(private readonly options: SnapshotWriterOptions) {}

  /** Marks the state as changed: a write follows within `intervalMs`. */
  changed(): void {
    if (this.closed) return;
    this.dirty = true;
    if (this.timer || this.writing) return;
    const wait = Math.max(0, this.lastWriteAt + (this.options.intervalMs ?? 5000) - Date.now());
    this.timer = setTimeout(() => void this.flush(), wait);
    this.timer.unref();
  }

  /** Writes now if anything changed since the last write; resolves when it is on disk (or failed). */
  async flush(): Promise<void> {
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    while (this.writing) await this.writing;
    if (!this.dirty) return;
    this.dirty = false;
    this.writing = this.writeOnce().finally(() => {
      this.writing = null;
      this.lastWriteAt = Date.now();
      if (this.dirty && !this.closed) {
        this.dirty = false;
        this.changed();
      }
    });
    await this.writing;
  }

  private async writeOnce(): Promise<void> {
    try {
      const snapshot = await this.options.take();
      if (!snapshot) return;
      await (this.options.write ?? writeSnapshotFile)(this.options.path, snapshot);
      this.writes += 1;
    } catch (error) {
      this.dirty = true; // written with the next change
      this.options.onError?.(error as Error);
    }
  }

  /** Writes the last change, then stops. */
  async close(): Promise<void> {
    await this.flush();
    this.closed = true;
  }
}
