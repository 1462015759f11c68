/** `vexil keys create`: issues an API key straight in the store and prints its secret once, as JSON. */
import { parseArgs } from 'node:util';
import type { Command } from './main.js';

const usage = `Usage: vexil keys create --kind admin|evaluation|read-only --name NAME [--environment ENV]

Prints {"id", "name", "kind", "environment", "secret"} as JSON. The secret is shown only this once.
Uses MONGODB_URI, or the embedded store in VEXIL_DATA_DIR (which must not be open in a running
gateway: there, use the createApiKey mutation instead).
`;

const kinds = new Set(['admin', 'evaluation', 'read-only']);

export const keysCommand: Command = {
  name: 'keys',
  summary: 'create API keys',
  usage,
  async run(args, context) {
    const [action, ...rest] = args;
    if (action !== 'create') return context.usageError(action ? `unknown action '${action}'` : 'missing action');
    let values;
    try {
      ({ values } = parseArgs({ args: rest, options: { kind: { type: 'string' }, name: { type: 'string' }, environment: { type: 'string' } } }));
    } catch (error) {
      return context.usageError((error as Error).message);
    }
    if (!values.kind || !kinds.has(values.kind)) return context.usageError('--kind must be admin, evaluation or read-only');
    if (!values.name) return context.usageError('--name is required');
    if (values.kind === 'evaluation' && !values.environment) return context.usageError('evaluation keys need --environment');
    if (values.kind !== 'evaluation' && values.environment) return context.usageError('only evaluation keys are bound to an environment');
    const { openStore } = await import('../store/open-store.js');
    const { issueApiKey } = await import('../server/gateway.js');
    const store = await openStore({ mongodbUri: process.env.MONGODB_URI || undefined, dataDir: process.env.VEXIL_DATA_DIR || './.vexil' });
    try {
      if (values.environment && !(await store.listEnvironments()).some((environment) => environment.key === values.environment)) {
        context.stderr(JSON.stringify({ error: { code: 'VALIDATION', message: `unknown environment '${values.environment}'` } }));
        return 2;
      }
      const { secret, record } = await issueApiKey(store, { name: values.name, kind: values.kind as 'admin', environment: values.environment ?? null }, 'cli');
      context.stdout(JSON.stringify({ id: record.id, name: record.name, kind: record.kind, environment: record.environment, secret }));
      return 0;
    } finally {
      await store.close();
    }
  },
};
