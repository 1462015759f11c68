/**
 * Child process for the MongoDB store's multi-process tests (run with `node --import tsx`).
 * Every output line is written synchronously, so a line is out before the next step starts.
 *
 *   mongo-child.ts commit <uri> <database> <flagKey> <expectedVersion>
 *       Commits one update of the flag and prints `ACK <position> <version>`. With VEXIL_FAILPOINT
 *       set, the process SIGKILLs itself at that step of the commit instead.
 *   mongo-child.ts write <uri> <database> <writer> <count> <key,key,...>
 *       Makes <count> acknowledged updates, cycling over the keys, each a read-modify-write retried on
 *       VersionConflict; prints `ACK <position> <flagKey> <version>` per acknowledged write.
 */
import { writeSync } from 'node:fs';
import type { Flag } from '../../src/flags/model.js';
import { MongoBackend } from '../../src/store/mongo/index.js';
import { VersionConflict } from '../../src/store/types.js';

const [mode, uri, database, ...args] = process.argv.slice(2);

function say(line: string): void {
  writeSync(1, `${line}\n`);
}

const silent = { info: () => {}, warn: () => {} };

function open(): Promise<MongoBackend> {
  if (!uri || !database) throw new Error('usage: mongo-child.ts commit|write <uri> <database> ...');
  const backend = new MongoBackend({ uri, database, logger: silent, gapGraceMs: 500 });
  return backend.open().then(() => backend);
}

/** The next version of a flag: a new description, so every version differs. */
function bumped(flag: Flag, writer: string): Flag {
  return {
    ...flag,
    description: `${writer} wrote version ${flag.version + 1}`,
    version: flag.version + 1,
    updatedAt: new Date().toISOString(),
  };
}

async function commitOnce(key: string, expectedVersion: number): Promise<void> {
  const backend = await open();
  const current = await backend.get({ kind: 'flag', key });
  if (!current) throw new Error(`flag ${key} does not exist`);
  const record = await backend.commit({
    ref: { kind: 'flag', key },
    expectedVersion,
    action: 'update',
    after: bumped(current, 'child'),
    meta: { actor: 'child' },
  });
  say(`ACK ${record.position} ${record.version}`);
  await backend.close();
}

async function write(writer: string, count: number, keys: string[]): Promise<void> {
  const backend = await open();
  for (let n = 0; n < count; n++) {
    const key = keys[n % keys.length]!;
    for (;;) {
      const current = await backend.get({ kind: 'flag', key });
      if (!current) throw new Error(`flag ${key} does not exist`);
      try {
        const record = await backend.commit({
          ref: { kind: 'flag', key },
          expectedVersion: current.version,
          action: 'update',
          after: bumped(current, writer),
          meta: { actor: writer },
        });
        say(`ACK ${record.position} ${key} ${record.version}`);
        break;
      } catch (error) {
        if (!(error instanceof VersionConflict)) throw error;
      }
    }
  }
  await backend.close();
}

async function main(): Promise<void> {
  if (mode === 'commit') return commitOnce(args[0]!, Number(args[1]));
  if (mode === 'write') return write(args[0]!, Number(args[1]), args[2]!.split(','));
  throw new Error(`unknown mode ${mode}`);
}

main().catch((error: unknown) => {
  process.stderr.write(`${(error as Error)?.stack ?? String(error)}\n`);
  process.exit(1);
});
