/** `vexil serve`: runs the gateway until SIGTERM/SIGINT, then shuts down gracefully and exits 0. */
import { parseArgs } from 'node:util';
import type { Command } from './main.js';

const usage = `Usage: vexil serve [--port N] [--host H] [--data-dir DIR] [--mongodb-uri URI] [--flags FILE] [--log-level L] [--dev]

Starts the Vexil gateway: a landing page at /, GraphQL at /graphql, /healthz, /readyz, /metrics,
/playground and /grammar/.

Configuration (flags override environment variables):
  --port, PORT                      listening port (default 4000)
  --host, HOST                      listening address (default 0.0.0.0)
  --mongodb-uri, MONGODB_URI        MongoDB connection string; absent: the embedded store
  --data-dir, VEXIL_DATA_DIR        embedded store directory (default ./.vexil)
  --flags, VEXIL_FLAGS_FILE         serve this flags file read-only, reloaded on change (API keys
                                    stay in the data directory)
  VEXIL_BOOTSTRAP_ADMIN_KEY         secret of the first admin key when the store has none
  --log-level, LOG_LEVEL            trace, debug, info (default), warn, error
  --dev, NODE_ENV=development       serve GraphiQL at /graphql
`;

export const serveCommand: Command = {
  name: 'serve',
  summary: 'run the gateway',
  usage,
  async run(args, context) {
    let values;
    try {
      ({ values } = parseArgs({
        args,
        options: {
          port: { type: 'string' },
          host: { type: 'string' },
          'data-dir': { type: 'string' },
          'mongodb-uri': { type: 'string' },
          flags: { type: 'string' },
          'log-level': { type: 'string' },
          dev: { type: 'boolean' },
        },
      }));
    } catch (error) {
      return context.usageError((error as Error).message);
    }
    const { configFromEnvironment } = await import('../server/config.js');
    const { startApp } = await import('../server/app.js');
    const config = configFromEnvironment(process.env, {
      ...(values.port ? { port: Number(values.port) } : {}),
      ...(values.host ? { host: values.host } : {}),
      ...(values['data-dir'] ? { dataDir: values['data-dir'] } : {}),
      ...(values['mongodb-uri'] ? { mongodbUri: values['mongodb-uri'] } : {}),
      ...(values.flags ? { flagsFile: values.flags } : {}),
      ...(values['log-level'] ? { logLevel: values['log-level'] } : {}),
      ...(values.dev ? { dev: true } : {}),
    });
    if (!Number.isInteger(config.port) || config.port < 0 || config.port > 65535)
      return context.usageError(`invalid port '${values.port}'`);
    const gateway = await startApp(config);
    await new Promise<void>((resolve) => {
      const stop = () => resolve();
      process.once('SIGTERM', stop);
      process.once('SIGINT', stop);
    });
    await gateway.close();
    return 0;
  },
};
