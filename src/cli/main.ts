#!/usr/bin/env node
/**
 * `vexil`: a small dispatcher over subcommands. Each command lives in its own module and is loaded only
 * when run, so `vexil rule …` never pays for loading the server. To add a command (`serve`, `keys`, …),
 * write `src/cli/<name>-command.ts` exporting a `Command` and add one line to `commandTable`.
 *
 * Exit codes: 0 success, 1 failure (e.g. `grammar --check` found stale files, or the gateway refused a
 * request), 2 usage error, invalid input or connection error. Errors are one line on stderr.
 *
 * Command modules must import from this file with `import type` only: a runtime import would close a
 * cycle with this module's top-level await and deadlock.
 */
import { readFileSync } from 'node:fs';

/** What a command gets to talk to the world through (injectable, so a command is testable in-process). */
export interface CommandContext {
  stdout(text: string): void;
  stderr(text: string): void;
  /** Prints `message` and the command's usage to stderr; returns the usage-error exit code (2). */
  usageError(message: string): number;
}

export interface Command {
  name: string;
  /** One line for `vexil --help`. */
  summary: string;
  /** Full help text for `vexil help <name>` and `vexil <name> --help`. */
  usage: string;
  /** Runs with the arguments after the command name; resolves to the process exit code. */
  run(args: string[], context: CommandContext): number | Promise<number>;
}

interface CommandEntry {
  summary: string;
  load: () => Promise<Command>;
}

const commandTable: ReadonlyMap<string, CommandEntry> = new Map<string, CommandEntry>([
  [
    'rule',
    {
      summary: 'check or evaluate a targeting rule',
      load: async () => (await import('./rule-command.js')).ruleCommand,
    },
  ],
  [
    'grammar',
    {
      summary: 'generate (or --check) the rule-language docs in grammar/',
      load: async () => (await import('./grammar-command.js')).grammarCommand,
    },
  ],
  ['serve', { summary: 'run the gateway', load: async () => (await import('./serve-command.js')).serveCommand }],
  ['keys', { summary: 'create API keys', load: async () => (await import('./keys-command.js')).keysCommand }],
  [
    'segments',
    {
      summary: 'list, inspect, create, update and delete segments',
      load: async () => (await import('./segments-command.js')).segmentsCommand,
    },
  ],
  [
    'audit',
    {
      summary: 'read the audit log: who changed what, when',
      load: async () => (await import('./audit-command.js')).auditCommand,
    },
  ],
  [
    'bootstrap',
    {
      summary: 'download a bootstrap document (evaluations or flag set) for the providers',
      load: async () => (await import('./bootstrap-command.js')).bootstrapCommand,
    },
  ],
  [
    'export',
    {
      summary: 'write the flag set as a YAML or JSON flags file',
      load: async () => (await import('./export-command.js')).exportCommand,
    },
  ],
  [
    'import',
    {
      summary: 'make the flag set what a flags file says (--dry-run shows the changes)',
      load: async () => (await import('./export-command.js')).importCommand,
    },
  ],
  [
    'flags',
    {
      summary: 'list, inspect, create, toggle, archive flags; set rules; find code references',
      load: async () => (await import('./flags-command.js')).flagsCommand,
    },
  ],
  [
    'schema',
    {
      summary: 'print, write or --check schema.graphql',
      load: async () => (await import('./schema-command.js')).schemaCommand,
    },
  ],
]);

function version(): string {
  try {
    const manifest = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as {
      version?: string;
    };
    return manifest.version ?? 'unknown';
  } catch {
    return 'unknown';
  }
}

function usage(): string {
  const width = Math.max(...[...commandTable.keys()].map((name) => name.length));
  const lines = [...commandTable].map(([name, entry]) => `  ${name.padEnd(width)}  ${entry.summary}`);
  return [
    'Usage: vexil <command> [options]',
    '',
    'Commands:',
    ...lines,
    `  ${'help'.padEnd(width)}  show help for a command: vexil help <command>`,
    '',
    'Options:',
    '  -h, --help     show this help',
    '  -v, --version  print the version',
    '',
  ].join('\n');
}

const write = (stream: NodeJS.WriteStream) => (text: string) => {
  stream.write(text.endsWith('\n') ? text : `${text}\n`);
};

function contextFor(command: Command): CommandContext {
  const stdout = write(process.stdout);
  const stderr = write(process.stderr);
  return {
    stdout,
    stderr,
    usageError(message) {
      stderr(`vexil ${command.name}: ${message}\n\n${command.usage}`);
      return 2;
    },
  };
}

async function main(argv: string[]): Promise<number> {
  const [first, ...rest] = argv;
  const stderr = write(process.stderr);
  if (first === undefined) {
    stderr(usage());
    return 2;
  }
  if (first === '-h' || first === '--help') {
    write(process.stdout)(usage());
    return 0;
  }
  if (first === '-v' || first === '--version') {
    write(process.stdout)(version());
    return 0;
  }
  if (first === 'help') {
    const topic = rest[0];
    if (topic === undefined) {
      write(process.stdout)(usage());
      return 0;
    }
    const entry = commandTable.get(topic);
    if (!entry || rest.length > 1) {
      stderr(`vexil help: ${entry ? 'too many arguments' : `unknown command '${topic}'`}\n\n${usage()}`);
      return 2;
    }
    write(process.stdout)((await entry.load()).usage);
    return 0;
  }
  const entry = commandTable.get(first);
  if (!entry) {
    stderr(`vexil: unknown command '${first}'\n\n${usage()}`);
    return 2;
  }
  const command = await entry.load();
  if (rest.length === 1 && (rest[0] === '-h' || rest[0] === '--help')) {
    write(process.stdout)(command.usage);
    return 0;
  }
  return command.run(rest, contextFor(command));
}

try {
  process.exitCode = await main(process.argv.slice(2));
} catch (error) {
  // One line, never a stack trace: an operator reads this, not a developer (VEXIL_DEBUG=1 shows it).
  const detail =
    error instanceof Error
      ? process.env.VEXIL_DEBUG
        ? (error.stack ?? error.message)
        : error.message.split('\n')[0]
      : String(error);
  process.stderr.write(`vexil: ${detail}\n`);
  process.exitCode = 1;
}
