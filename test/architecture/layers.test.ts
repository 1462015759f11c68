/**
 * Dependencies point one way: dsl ← flags ← store ← graphql ← server ← cli. A module never imports
 * (not even a type) from a layer above its own, so each layer can be read, tested and reused without
 * the ones built on it. Read from the sources' import statements, so a new file is checked too.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const src = fileURLToPath(new URL('../../src/', import.meta.url));
const layers = ['dsl', 'flags', 'store', 'graphql', 'server', 'cli'] as const;

function sourceFiles(directory: string): string[] {
  return readdirSync(directory, { withFileTypes: true }).flatMap((entry) => {
    const path = join(directory, entry.name);
    if (entry.isDirectory()) return sourceFiles(path);
    return /\.ts$/.test(entry.name) ? [path] : [];
  });
}

/** The layer a path in src/ belongs to, or null outside the layered folders (client, playground). */
function layerOf(path: string): number | null {
  const index = layers.indexOf(relative(src, path).split('/')[0] as (typeof layers)[number]);
  return index === -1 ? null : index;
}

/** Every relative import (static, dynamic, `import type`, `export … from`) of a file, resolved. */
function importsOf(file: string): string[] {
  const text = readFileSync(file, 'utf8');
  const specifiers = [...text.matchAll(/(?:from\s+|import\s*\(\s*)'(\.{1,2}\/[^']+)'/g)].map((match) => match[1]!);
  return specifiers.map((specifier) => resolve(file, '..', specifier));
}

describe('the layers of src/', () => {
  it('import only from their own layer or the layers below', () => {
    const upward: string[] = [];
    for (const layer of layers) {
      for (const file of sourceFiles(join(src, layer))) {
        const own = layerOf(file)!;
        for (const target of importsOf(file)) {
          const other = layerOf(target);
          if (other !== null && other > own) upward.push(`${relative(src, file)} → ${relative(src, target)}`);
        }
      }
    }
    expect(upward).toEqual([]);
  });

  it('leave the OpenFeature providers a client: they import only the engine (dsl, flags), never store or server', () => {
    const providers = join(src, 'providers');
    const reaching = sourceFiles(providers).flatMap((file) =>
      importsOf(file)
        .filter((target) => !target.startsWith(providers) && (layerOf(target) ?? Infinity) > layers.indexOf('flags'))
        .map((target) => `${relative(src, file)} → ${relative(src, target)}`),
    );
    expect(reaching).toEqual([]);
  });

  it('are found by the check (it reads real imports)', () => {
    const graphqlImports = sourceFiles(join(src, 'graphql')).flatMap(importsOf);
    expect(graphqlImports.some((target) => layerOf(target) === layers.indexOf('store'))).toBe(true);
  });
});
