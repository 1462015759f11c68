/**
 * The last-known-good snapshot on disk: written atomically (a process killed mid-write leaves the
 * previous snapshot readable, never a torn file) and throttled (a burst of changes is one write,
 * and the last change is always written).
 */
import { spawn } from 'node:child_process';
import { mkdtemp, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import {
  type LastKnownGood,
  readSnapshotFile,
  snapshotPath,
  writeSnapshotFile,
} from '../../src/store/snapshot/snapshot-file.js';
import { SnapshotWriter } from '../../src/store/snapshot/snapshot-writer.js';
import { richState } from '../fixtures/flags/rich-state.js';

const repoRoot = fileURLToPath(new URL('../../', import.meta.url));
const childScript = fileURLToPath(new URL('./snapshot-child.ts', import.meta.url));
const directories: string[] = [];

async function tempDir(): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'vexil-snapshot-'));
  directories.push(dir);
  return dir;
}

afterAll(async () => {
  for (const dir of directories) await rm(dir, { recursive: true, force: true });
});

function snapshotAt(position: number): LastKnownGood {
  const state = richState();
  return {
    format: 'vexil-last-known-good',
    version: 1,
    takenAt: new Date().toISOString(),
    store: 'mongodb',
    position,
    environments: [...state.environments],
    segments: [...state.segments],
    flags: [...state.flags],
    apiKeys: [],
  };
}

describe('the last-known-good snapshot file', () => {
  it('reads back what was written, and nothing when there is none', async () => {
    const path = snapshotPath(await tempDir());
    expect(await readSnapshotFile(path)).toBeNull();
    await writeSnapshotFile(path, snapshotAt(7));
    expect((await readSnapshotFile(path))?.position).toBe(7);
    expect((await readSnapshotFile(path))?.flags).toEqual(richState().flags);
  });

  it('refuses a file that is not a snapshot instead of serving it', async () => {
    const path = snapshotPath(await tempDir());
    await writeFile(path, JSON.stringify({ format: 'something-else' }));
    await expect(readSnapshotFile(path)).rejects.toThrow(/not a version 1 last-known-good snapshot/);
  });

  it('leaves the previous snapshot readable when the writing process is killed mid-write', async () => {
    const dir = await tempDir();
    const path = snapshotPath(dir);
    for (let round = 0; round < 3; round++) {
      const child = spawn(process.execPath, ['--import', 'tsx', childScript, path], {
        cwd: repoRoot,
        stdio: ['ignore', 'pipe', 'pipe'],
      });
      let acknowledged = 0;
      let stderr = '';
      child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
      const exited = new Promise((resolve) => child.on('exit', resolve));
      await new Promise<void>((resolve, reject) => {
        child.stdout.setEncoding('utf8').on('data', (chunk: string) => {
          for (const match of chunk.matchAll(/WROTE (\d+)/g)) acknowledged = Number(match[1]);
          // Killed after a few generations, at whatever point of the next write it is.
          if (acknowledged >= 2 + round) resolve();
        });
        child.on('exit', () => reject(new Error(`the writer exited early: ${stderr}`)));
      });
      child.kill('SIGKILL');
      await exited;
      const survivor = await readSnapshotFile(path);
      expect(survivor?.position).toBeGreaterThanOrEqual(acknowledged);
      expect(survivor?.flags.length).toBe(400 * richState().flags.length);
    }
    // A killed write may leave its temporary file behind, never a second snapshot.
    expect((await readdir(dir)).filter((name) => name.endsWith('.json'))).toEqual(['last-known-good.json']);
  }, 120_000);
});

describe('SnapshotWriter', () => {
  it('writes a burst of changes once (plus the trailing change), the last state always', async () => {
    const written: number[] = [];
    let state = 0;
    const writer = new SnapshotWriter({
      path: 'unused',
      intervalMs: 60_000,
      take: async () => snapshotAt(state),
      write: async (_path, snapshot) => void written.push(snapshot.position),
    });
    for (state = 1; state <= 100; state++) writer.changed();
    state = 100;
    await writer.flush();
    expect(written).toEqual([100]);
    state = 101;
    writer.changed();
    state = 102;
    writer.changed();
    // Within the interval nothing more is written until close, which writes the last change.
    expect(written).toEqual([100]);
    await writer.close();
    expect(written).toEqual([100, 102]);
  });

  it('keeps a failed write for the next change and reports it', async () => {
    const errors: string[] = [];
    const written: number[] = [];
    let fail = true;
    const writer = new SnapshotWriter({
      path: 'unused',
      intervalMs: 0,
      take: async () => snapshotAt(1),
      write: async (_path, snapshot) => {
        if (fail) throw new Error('disk full');
        written.push(snapshot.position);
      },
      onError: (error) => errors.push(error.message),
    });
    writer.changed();
    await writer.flush();
    expect(errors).toEqual(['disk full']);
    fail = false;
    await writer.close();
    expect(written).toEqual([1]);
  });

  it('writes nothing while there is nothing to take (the snapshot itself is being served)', async () => {
    const written: number[] = [];
    const writer = new SnapshotWriter({
      path: 'unused',
      take: async () => null,
      write: async (_path, snapshot) => void written.push(snapshot.position),
    });
    writer.changed();
    await writer.close();
    expect(written).toEqual([]);
  });
});
