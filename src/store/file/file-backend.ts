/**
 * `vexil serve --flags flags.yaml`: the flag set (flags, segments, environments) comes from a flags
 * file and is read-only; the file is watched and every good version of it replaces the served set
 * through the change feed (memory-backend.ts), so live subscriptions see the edit without
 * reconnecting. A bad version changes nothing: the last good state stays served and the problem is
 * reported once, with file:line:col. API keys still have to live somewhere writable: they stay in
 * the embedded store of the data directory (`keys`), so `vexil keys create` works as against any
 * gateway. Usage counters are kept in memory only.
 */
import { readFile } from 'node:fs/promises';
import { formatIssue, parseFlagsFile } from '../../flags-file/parse.js';
import type { EngineState } from '../../flags/engine.js';
import { MemoryBackend } from '../memory/memory-backend.js';
import { ReadOnlyStore, type StoreBackend } from '../types.js';
import { type FileWatch, watchFile } from './watch-file.js';

/** The subset of a pino logger the file backend reports to. */
export interface FileBackendLogger {
  info(fields: object, message: string): void;
  error(fields: object, message: string): void;
}

export interface FileBackendOptions {
  /** Path of the flags file (YAML or JSON). */
  file: string;
  /** Keeps API keys (the data directory's embedded store). */
  keys: StoreBackend;
  logger?: FileBackendLogger;
  /** Quiet time after a change of the file before it is read (editors write in several steps). @default 100 */
  debounceMs?: number;
}

/** The file could not be served at start: every problem, one line each. */
export class FlagsFileInvalid extends Error {
  constructor(readonly lines: string[]) {
    super(lines.join('\n'));
    this.name = 'FlagsFileInvalid';
  }
}

type Read = { text: string } & ({ state: EngineState } | { problems: string[] });

async function readState(file: string): Promise<Read> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (error) {
    return { text: '', problems: [`${file}: cannot be read: ${(error as Error).message}`] };
  }
  const parsed = parseFlagsFile(text, file);
  return parsed.state ? { text, state: parsed.state } : { text, problems: parsed.issues.map(formatIssue) };
}

export class FileBackend extends MemoryBackend {
  /** Problems of the file's latest version, while it is bad (the last good version is served). */
  problems: string[] = [];
  /** Versions of the file that could not be served since start. */
  rejectedVersions = 0;
  private watch: FileWatch | null = null;

  private constructor(
    private readonly fileOptions: FileBackendOptions,
    state: EngineState,
    /** The text last read: an event for another entry of the directory, or a touch, reads the same. */
    private lastText: string,
  ) {
    super({
      name: 'file',
      state,
      keys: fileOptions.keys,
      refuse: () =>
        new ReadOnlyStore(
          `this gateway serves flags from ${fileOptions.file} (file-backed, read-only): change the file instead`,
        ),
      health: () => ({
        ok: true,
        detail:
          this.problems.length === 0
            ? `serving ${fileOptions.file}`
            : `serving the last good version of ${fileOptions.file}; the current one is refused: ${this.problems[0]}`,
      }),
    });
  }

  /** Reads the file; throws FlagsFileInvalid when it cannot be served. */
  static async load(options: FileBackendOptions): Promise<FileBackend> {
    const read = await readState(options.file);
    if ('problems' in read) throw new FlagsFileInvalid(read.problems);
    return new FileBackend(options, read.state, read.text);
  }

  get file(): string {
    return this.fileOptions.file;
  }

  override async open(): Promise<void> {
    await super.open();
    this.watch ??= watchFile(this.fileOptions.file, () => this.reload(), this.fileOptions.debounceMs ?? 100);
  }

  override async close(): Promise<void> {
    this.watch?.close();
    this.watch = null;
    await super.close();
  }

  /** Re-reads the file and serves it if it is good; never throws. */
  async reload(): Promise<void> {
    const read = await readState(this.fileOptions.file);
    if (read.text === this.lastText && read.text !== '') return;
    this.lastText = read.text;
    const logger = this.fileOptions.logger;
    if ('problems' in read) {
      const changed = read.problems.join('\n') !== this.problems.join('\n');
      this.problems = read.problems;
      if (changed) {
        this.rejectedVersions += 1;
        logger?.error(
          { problems: read.problems },
          `flags file refused, still serving its last good version: ${read.problems[0]}`,
        );
      }
      return;
    }
    const wasBad = this.problems.length > 0;
    this.problems = [];
    const records = this.replace(read.state, { actor: 'system', comment: `reloaded from ${this.fileOptions.file}` });
    if (records.length > 0 || wasBad)
      logger?.info({ file: this.fileOptions.file, changes: records.length }, 'flags file reloaded');
  }
}
