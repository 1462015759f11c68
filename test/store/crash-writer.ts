/**
 * Child process for the embedded store's process tests (run with `node --import tsx`):
 *
 *   crash-writer.ts write <dataDir> <prefix> <writers>
 *       Writes continuously through FlagStore with <writers> concurrent loops and prints one line per
 *       acknowledged write, `ACK <flagKey> <version>`, only after the write's promise resolved.
 *       Each loop creates flag `<prefix>-<loop>-<n>` and then toggles it (version 2); all loops also
 *       toggle the shared flag `<prefix>-shared` without a version (read-modify-write with retries).
 *   crash-writer.ts hold <dataDir>    Opens the store, prints `HELD <pid>`, and waits to be killed.
 *   crash-writer.ts probe <dataDir>   Tries to open the store: prints `OPENED` and exits 0, or prints
 *                                     the error to stderr and exits 3.
 */
import { writeSync } from 'node:fs';
import { EmbeddedBackend } from '../../src/store/embedded/embedded-backend.js';
import { FlagStore } from '../../src/store/store.js';

const [mode, dataDir, prefix = 'w', writersArg = '4'] = process.argv.slice(2);

function say(line: string): void {
  writeSync(1, `${line}\n`); // synchronous: the line is out before the next write starts
}

function flag(key: string) {
  return {
    key,
    name: `Crash test ${key}`,
    kind: 'ops',
    valueType: 'boolean',
    variations: [
      { key: 'on', value: true },
      { key: 'off', value: false },
    ],
    environments: {
      production: {
        on: true,
        offVariation: 'off',
        rules: [{ id: 'r', condition: `userId == "${key}"`, serve: { variation: 'on' } }],
        defaultServe: { variation: 'off' },
      },
    },
  };
}

async function main(): Promise<void> {
  if (!dataDir) throw new Error('usage: crash-writer.ts write|hold|probe <dataDir> [prefix] [writers]');
  const backend = new EmbeddedBackend({ dataDir });
  if (mode === 'probe') {
    try {
      await backend.open();
    } catch (error) {
      process.stderr.write(`${(error as Error).message}\n`);
      process.exit(3);
    }
    say('OPENED');
    await backend.close();
    return;
  }
  const store = await FlagStore.open(backend);
  if (mode === 'hold') {
    say(`HELD ${process.pid}`);
    setInterval(() => undefined, 1 << 30);
    return;
  }
  if (mode !== 'write') throw new Error(`unknown mode ${mode}`);
  const shared = `${prefix}-shared`;
  if (!(await store.getFlag(shared))) {
    const created = await store.createFlag(flag(shared), { actor: 'crash-writer' });
    say(`ACK ${shared} ${created.version}`);
  }
  say(`READY ${process.pid}`);
  const meta = { actor: 'crash-writer', comment: 'crash test' };
  const loop = async (writer: number) => {
    for (let n = 0; ; n++) {
      const key = `${prefix}-${writer}-${n}`;
      const created = await store.createFlag(flag(key), meta);
      say(`ACK ${key} ${created.version}`);
      const toggled = await store.toggleFlag(key, 'production', false, created.version, meta);
      say(`ACK ${key} ${toggled.version}`);
      const sharedFlag = await store.toggleFlag(shared, 'production', n % 2 === 0, undefined, meta);
      say(`ACK ${shared} ${sharedFlag.version}`);
    }
  };
  await Promise.all(Array.from({ length: Number(writersArg) }, (_, writer) => loop(writer)));
}

main().catch((error: unknown) => {
  process.stderr.write(`${(error as Error)?.stack ?? String(error)}\n`);
  process.exit(1);
});
