/**
 * Child process for the last-known-good snapshot's crash test (run with `node --import tsx`):
 *
 *   snapshot-child.ts <path>   Writes generation 1, 2, 3, … of a large snapshot to <path> with
 *                              writeSnapshotFile, printing `WROTE <n>` once each is on disk, until killed.
 */
import { writeSync } from 'node:fs';
import { type LastKnownGood, writeSnapshotFile } from '../../src/store/snapshot/snapshot-file.js';
import { richState } from '../fixtures/flags/rich-state.js';

const [path] = process.argv.slice(2);
const state = richState();
// Big enough that a write takes a while: a kill lands inside one most of the time.
const flags = Array.from({ length: 400 }, (_, index) =>
  state.flags.map((flag) => ({ ...flag, key: `${flag.key}_${index}` })),
).flat();

for (let generation = 1; ; generation++) {
  const snapshot: LastKnownGood = {
    format: 'vexil-last-known-good',
    version: 1,
    takenAt: new Date().toISOString(),
    store: 'mongodb',
    position: generation,
    environments: [...state.environments],
    segments: [...state.segments],
    flags,
    apiKeys: [],
  };
  await writeSnapshotFile(path!, snapshot);
  writeSync(1, `WROTE ${generation}\n`);
}
