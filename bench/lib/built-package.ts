/**
 * Benchmarks measure the built package (dist/), not the TypeScript sources: tsx's transform wraps
 * closures and distorts timings. This loads dist/index.js, failing clearly when it is missing and
 * warning when the sources it covers are newer than the build.
 */
import { existsSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('../..', import.meta.url));

function newestMtime(directory: string, suffix: string): number {
  let newest = 0;
  for (const entry of readdirSync(directory, { withFileTypes: true })) {
    const path = join(directory, entry.name);
    if (entry.isDirectory()) newest = Math.max(newest, newestMtime(path, suffix));
    else if (entry.name.endsWith(suffix)) newest = Math.max(newest, statSync(path).mtimeMs);
  }
  return newest;
}

/** @param sourceFolders folders under src/ whose code the benchmark measures, e.g. ['dsl', 'flags'] */
export async function loadBuiltPackage<T>(benchmark: string, sourceFolders: readonly string[]): Promise<T> {
  const entry = join(root, 'dist/index.js');
  if (!existsSync(entry)) {
    console.error(`bench/${benchmark}: dist/index.js is missing; build first: npx tsc -p tsconfig.json`);
    process.exit(1);
  }
  const sourcesNewest = Math.max(...sourceFolders.map((folder) => newestMtime(join(root, 'src', folder), '.ts')));
  const builtNewest = Math.max(...sourceFolders.map((folder) => newestMtime(join(root, 'dist', folder), '.js')));
  if (sourcesNewest > builtNewest) {
    console.warn(`bench/${benchmark}: warning: src/{${sourceFolders.join(',')}} is newer than dist/; these figures are for the last build (npx tsc -p tsconfig.json)\n`);
  }
  return (await import(entry)) as T;
}
