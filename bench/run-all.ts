/**
 * Runs every benchmark `bench/*.ts` (except this file and smoke.ts, the CI check made of shorter runs
 * of the others; helpers live in bench/lib/) in sequence, each in
 * its own Node process with tsx and `--expose-gc`, so one benchmark's JIT state and heap cannot colour
 * the next one's figures.
 *
 *   npm run bench                  all benchmarks
 *   npm run bench -- rule-eval     only those whose file name contains one of the arguments
 */
import { spawnSync } from 'node:child_process';
import { readdirSync } from 'node:fs';
import { basename, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const benchDirectory = fileURLToPath(new URL('.', import.meta.url));
const self = basename(fileURLToPath(import.meta.url));
const filters = process.argv.slice(2);
/** tsx's loader entry, resolved from this package so the children work from any working directory. */
const tsx = import.meta.resolve('tsx');

const benchmarks = readdirSync(benchDirectory, { withFileTypes: true })
  .filter(
    (entry) =>
      entry.isFile() &&
      entry.name.endsWith('.ts') &&
      !entry.name.endsWith('.d.ts') &&
      entry.name !== self &&
      entry.name !== 'smoke.ts',
  )
  .map((entry) => entry.name)
  .filter((name) => filters.length === 0 || filters.some((filter) => name.includes(filter)))
  .sort();

if (benchmarks.length === 0) {
  console.error(`run-all: no benchmark matches ${filters.join(', ')}`);
  process.exit(2);
}

const failed: string[] = [];
for (const [index, name] of benchmarks.entries()) {
  console.log(`${index > 0 ? '\n' : ''}=== ${name} (${index + 1}/${benchmarks.length}) ===`);
  const result = spawnSync(process.execPath, ['--expose-gc', '--import', tsx, join(benchDirectory, name)], {
    stdio: 'inherit',
  });
  if (result.status !== 0) failed.push(`${name} (${result.signal ?? `exit ${result.status}`})`);
}

if (failed.length > 0) {
  console.error(`\nrun-all: ${failed.length} of ${benchmarks.length} benchmarks failed: ${failed.join(', ')}`);
  process.exit(1);
}
