/**
 * Builds the operator's console into dist/console, which the gateway serves at /console/ (see
 * src/server/app.ts). For development, `npx vite --config src/console/vite.config.ts` proxies /graphql
 * to a gateway on localhost:4000.
 */
import { fileURLToPath } from 'node:url';
import preact from '@preact/preset-vite';
import { defineConfig } from 'vite';

const root = fileURLToPath(new URL('.', import.meta.url));
const gateway = process.env.VEXIL_GATEWAY_URL ?? 'http://localhost:4000';

export default defineConfig({
  root,
  base: '/console/',
  clearScreen: false,
  plugins: [preact({ devtoolsInProd: false, prefreshEnabled: false })],
  build: {
    outDir: fileURLToPath(new URL('../../dist/console', import.meta.url)),
    emptyOutDir: true,
    target: 'es2022',
    // The rule editor (CodeMirror) is its own lazily loaded chunk; check-budget.ts holds the total.
    chunkSizeWarningLimit: 800,
  },
  server: { proxy: { '/graphql': gateway } },
});
