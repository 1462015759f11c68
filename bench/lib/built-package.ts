/**
 * Benchmarks measure the built package (dist/), not the TypeScript sources: tsx's transform wraps
 * closures and distorts timings. In-process benchmarks load dist/index.js (failing clearly when it is
 * missing, warning when the sources it covers are newer than the build); benchmarks that run the
 * server as a process build it first when it is missing or stale, so they never measure old code.
 */
import { spawnSync } from 'node:child_process';
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
    console.warn(
      `bench/${benchmark}: warning: src/{${sourceFolders.join(',')}} is newer than dist/; these figures are for the last build (npx tsc -p tsconfig.json)\n`,
    );
  }
  return (await import(entry)) as T;
}

/** Folders under src/ that vite builds, not tsc (tsconfig.json excludes them). */
const bundledFolders = new Set(['playground', 'console']);

/** Sources under src/ (but the bundled folders) whose dist/ output is missing or older. */
function staleSources(directory = join(root, 'src'), relative = ''): string[] {
  const stale: string[] = [];
  for (const entry of readdirSync(directory, { withFileTypes: true })) {
    const path = join(directory, entry.name);
    if (entry.isDirectory()) {
      if (!bundledFolders.has(entry.name)) stale.push(...staleSources(path, join(relative, entry.name)));
    } else if (entry.name.endsWith('.ts') && !entry.name.endsWith('.d.ts')) {
      const output = statSync(join(root, 'dist', relative, entry.name.replace(/\.ts$/, '.js')), {
        throwIfNoEntry: false,
      });
      if (!output || output.mtimeMs < statSync(path).mtimeMs) stale.push(path);
    }
  }
  return stale;
}

/** The server's entry point (dist/cli/main.js), compiled with tsc first when it is missing or stale. */
export function ensureBuiltServer(): string {
  const cliMain = join(root, 'dist/cli/main.js');
  if (existsSync(cliMain) && staleSources().length === 0) return cliMain;
  console.log('building dist/ (tsc) …');
  const result = spawnSync(process.execPath, [join(root, 'node_modules/typescript/bin/tsc'), '-p', 'tsconfig.json'], {
    cwd: root,
    stdio: 'inherit',
  });
  if (result.status !== 0 || !existsSync(cliMain)) throw new Error(`build failed (tsc exit ${result.status})`);
  return cliMain;
}
