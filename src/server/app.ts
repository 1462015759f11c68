/** The full application: the gateway plus its pages (landing page, grammar reference, the playground, the console; live updates attach here). */
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { GatewayConfig } from './config.js';
import { type Gateway, startGateway } from './gateway.js';
import { landingRoute } from './routes/landing.js';
import { staticFiles } from './static-files.js';

const packageRoot = fileURLToPath(new URL('../../', import.meta.url));

export async function startApp(config: GatewayConfig): Promise<Gateway> {
  return startGateway(config, {
    routes: [
      landingRoute({ graphiql: config.dev, playground: existsSync(`${packageRoot}dist/playground/index.html`) }),
      {
        prefix: '/grammar',
        handle: staticFiles({ prefix: '/grammar', root: `${packageRoot}grammar`, index: 'railroad.html' }),
      },
      // Vite names bundles by content hash, so they can be cached for good; index.html is revalidated.
      {
        prefix: '/playground',
        handle: staticFiles({
          prefix: '/playground',
          root: `${packageRoot}dist/playground`,
          immutablePattern: /^assets\//,
        }),
      },
      {
        prefix: '/console',
        handle: staticFiles({
          prefix: '/console',
          root: `${packageRoot}dist/console`,
          immutablePattern: /^assets\//,
          fallback: 'index.html',
        }),
      },
    ],
  });
}
