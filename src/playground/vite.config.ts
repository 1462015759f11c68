/**
 * Builds the rule playground into dist/playground, which the gateway serves at /playground
 * (see src/server/app.ts). For development, `npx vite --config src/playground/vite.config.ts`
 * proxies /graphql and /grammar to a gateway on localhost:4000.
 */
import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vite';

const root = fileURLToPath(new URL('.', import.meta.url));
const gateway = process.env.VEXIL_GATEWAY_URL ?? 'http://localhost:4000';

export default defineConfig({
  root,
  base: '/playground/',
  clearScreen: false,
  build: {
    outDir: fileURLToPath(new URL('../../dist/playground', import.meta.url)),
    emptyOutDir: true,
    target: 'es2022',
    // CodeMirror is most of the bundle; one chunk of ~450 kB (≈150 kB gzipped) is fine for a tool page.
    chunkSizeWarningLimit: 800,
  },
  server: {
    proxy: { '/graphql': gateway, '/grammar': gateway },
  },
});
