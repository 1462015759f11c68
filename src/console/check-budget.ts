/**
 * The console's bundle budget, run by `npm run build` after vite: the gzipped sizes of every JS and CSS
 * file in dist/console/assets, summed, must stay within 250 kB (issue 18), or the build fails.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { gzipSync } from 'node:zlib';

const budget = 250 * 1024;
const assets = fileURLToPath(new URL('../../dist/console/assets', import.meta.url));

const sizes = readdirSync(assets)
  .filter((name) => /\.(js|css)$/.test(name))
  .map((name) => ({ name, gzipped: gzipSync(readFileSync(join(assets, name)), { level: 9 }).length }));
const total = sizes.reduce((sum, file) => sum + file.gzipped, 0);
const kB = (bytes: number) => `${(bytes / 1024).toFixed(1)} kB`;

if (total > budget) {
  for (const file of sizes.sort((a, b) => b.gzipped - a.gzipped)) console.error(`  ${kB(file.gzipped)}  ${file.name}`);
  console.error(`console bundle: ${kB(total)} gzipped, over the budget of ${kB(budget)}`);
  process.exit(1);
}
console.log(`console bundle: ${kB(total)} gzipped (budget ${kB(budget)})`);
