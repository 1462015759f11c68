/** `vexil schema`: prints the sorted SDL, or writes/checks `schema.graphql`. */
import { readFile, writeFile } from 'node:fs/promises';
import { parseArgs } from 'node:util';
import type { Command } from './main.js';

const usage = `Usage: vexil schema [--write | --check]

Without options, prints the GraphQL schema (SDL, sorted). --write updates schema.graphql at the
package root; --check exits 1 when schema.graphql is out of date.
`;

export const schemaCommand: Command = {
  name: 'schema',
  summary: 'print, write or --check schema.graphql',
  usage,
  async run(args, context) {
    let values;
    try {
      ({ values } = parseArgs({ args, options: { write: { type: 'boolean' }, check: { type: 'boolean' } } }));
    } catch (error) {
      return context.usageError((error as Error).message);
    }
    const { printGatewaySchema } = await import('../graphql/schema-builder.js');
    const sdl = printGatewaySchema();
    const file = new URL('../../schema.graphql', import.meta.url);
    if (values.check) {
      const current = await readFile(file, 'utf8').catch(() => '');
      if (current === sdl) return 0;
      context.stderr('schema.graphql is out of date: run npm run schema');
      return 1;
    }
    if (values.write) await writeFile(file, sdl);
    else context.stdout(sdl);
    return 0;
  },
};
