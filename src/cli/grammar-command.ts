/**
 * `vexil grammar [--check] [--out DIR]`: writes the rule-language docs (grammar.md, reference.html,
 * railroad.html and the diagram scripts it loads) into the package's `grammar/` folder, or with `--check` verifies that the
 * committed copies are current (run by `npm run build`).
 */
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { grammarFiles } from '../docs/grammar-docs.js';
import type { Command } from './main.js';

/** The package's `grammar/` folder: this module is `src/cli/` or `dist/cli/`, two levels below the root. */
export const defaultGrammarDirectory = fileURLToPath(new URL('../../grammar/', import.meta.url));

const usage = `Usage: vexil grammar [--check] [--out <dir>]

Generates the rule-language reference: grammar.md (EBNF and semantics), reference.html (grammar.md
rendered), railroad.html (syntax diagrams) and the diagram scripts railroad.html loads from
diagrams/, so it works offline.

Options:
      --check      write nothing; exit 1 if any file differs from what would be generated
  -o, --out <dir>  output folder (default: the package's grammar/ folder)
`;

function readOrNull(path: string): string | null {
  try {
    return readFileSync(path, 'utf8');
  } catch {
    return null;
  }
}

export const grammarCommand: Command = {
  name: 'grammar',
  summary: 'generate (or --check) the rule-language docs in grammar/',
  usage,
  run(args, context) {
    let values;
    try {
      ({ values } = parseArgs({
        args,
        strict: true,
        allowPositionals: false,
        options: {
          check: { type: 'boolean' },
          out: { type: 'string', short: 'o' },
          help: { type: 'boolean', short: 'h' },
        },
      }));
    } catch (error) {
      return context.usageError((error as Error).message);
    }
    if (values.help) {
      context.stdout(usage);
      return 0;
    }
    const directory = values.out === undefined ? defaultGrammarDirectory : resolve(values.out);
    const shown = relative(process.cwd(), directory);
    const label =
      values.out === undefined ? 'grammar/' : `${shown === '' ? '.' : shown.startsWith('..') ? directory : shown}/`;
    const files = Object.entries(grammarFiles());

    if (values.check) {
      const stale: string[] = [];
      for (const [name, content] of files) {
        const current = readOrNull(join(directory, name));
        if (current !== content) stale.push(`  ${current === null ? 'missing' : 'differs'}: ${name}`);
      }
      if (stale.length > 0) {
        context.stderr(`${label} is out of date: run npm run grammar\n${stale.join('\n')}`);
        return 1;
      }
      context.stdout(`${label} is up to date (${files.length} files)`);
      return 0;
    }

    let written = 0;
    for (const [name, content] of files) {
      const path = join(directory, name);
      if (readOrNull(path) === content) continue; // keep timestamps of unchanged files
      mkdirSync(dirname(path), { recursive: true });
      writeFileSync(path, content);
      written++;
    }
    context.stdout(`${label}: ${written} of ${files.length} files updated`);
    return 0;
  },
};
