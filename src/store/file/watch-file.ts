/**
 * Watches one file for changes. The directory is watched, not the file: editors and `git checkout`
 * replace a file by renaming a new one over it, after which a watch on the old inode hears nothing;
 * and a Kubernetes ConfigMap volume swaps a `..data` symlink the file points through, so any entry
 * of the directory may stand for the file (the reader skips content it has already served).
 * Events are debounced (one save is several events) and the callback never runs twice at once.
 */
import { type FSWatcher, watch } from 'node:fs';
import { dirname, resolve } from 'node:path';

export interface FileWatch {
  close(): void;
}

export function watchFile(file: string, onChange: () => Promise<void>, debounceMs: number): FileWatch {
  let timer: NodeJS.Timeout | null = null;
  let running: Promise<void> | null = null;
  let again = false;
  const run = () => {
    timer = null;
    if (running) {
      again = true; // changed while being read: read once more afterwards
      return;
    }
    running = onChange().finally(() => {
      running = null;
      if (again) {
        again = false;
        run();
      }
    });
  };
  const watcher: FSWatcher = watch(resolve(dirname(file)), () => {
    if (timer) clearTimeout(timer);
    timer = setTimeout(run, debounceMs);
  });
  watcher.on('error', () => undefined); // a vanished directory: keep serving what was read
  return {
    close() {
      if (timer) clearTimeout(timer);
      watcher.close();
    },
  };
}
