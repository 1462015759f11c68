/**
 * The error codes clients can see are typed once, in src/graphql/errors.ts, and documented in the
 * README's Errors table: the two lists must be the same, in both directions, and no module sets a
 * code as a literal outside the typed list's own file.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { describe, expect, it } from 'vitest';
import { errorCodes } from '../../src/graphql/errors.js';
import { repoRoot } from '../support/gateway.js';

/** The codes in the first column of the README's Errors table (a row may name several). */
function readmeCodes(): string[] {
  const readme = readFileSync(join(repoRoot, 'README.md'), 'utf8');
  const section = readme.split(/^## /m).find((part) => part.startsWith('Errors\n'));
  if (!section) throw new Error('README.md has no "## Errors" section');
  const rows = section.split('\n').filter((line) => line.startsWith('| `'));
  return rows.flatMap((row) => [...row.split('|')[1]!.matchAll(/`([A-Z_]+)`/g)].map((match) => match[1]!));
}

function sourceFiles(directory: string): string[] {
  return readdirSync(directory, { withFileTypes: true }).flatMap((entry) => {
    const path = join(directory, entry.name);
    if (entry.isDirectory()) return sourceFiles(path);
    return entry.name.endsWith('.ts') ? [path] : [];
  });
}

describe('the error codes', () => {
  it('are listed in the README exactly as typed in graphql/errors.ts', () => {
    const documented = readmeCodes();
    expect(documented.length).toBeGreaterThan(10);
    expect({
      missingFromReadme: errorCodes.filter((code) => !documented.includes(code)),
      notTyped: documented.filter((code) => !(errorCodes as readonly string[]).includes(code)),
    }).toEqual({ missingFromReadme: [], notTyped: [] });
    expect(new Set(documented).size).toBe(documented.length);
  });

  it('are never set as literals outside graphql/errors.ts', () => {
    const literal = /code:\s*'[A-Z_]+'/;
    const src = join(repoRoot, 'src');
    const offenders = sourceFiles(join(src, 'server'))
      .concat(sourceFiles(join(src, 'graphql')))
      .filter((file) => !file.endsWith(join('graphql', 'errors.ts')) && literal.test(readFileSync(file, 'utf8')))
      .map((file) => relative(src, file));
    expect(offenders).toEqual([]);
  });
});
