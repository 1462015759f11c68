/**
 * The source files under a directory, as git would see them: `.gitignore` files at every level are
 * honoured (with the `ignore` package, which implements git's matching rules), `.git` is never
 * entered, and only the extensions we can lex are listed. fdir does the walk: it is the fastest
 * directory crawler for Node and lets us prune ignored directories before entering them.
 */
import { readFileSync } from 'node:fs';
import { dirname, join, relative, sep } from 'node:path';
import { fdir } from 'fdir';
import ignore, { type Ignore } from 'ignore';
import { lexerFamilyOf } from './languages.js';

/** Ignore rules per directory that has a .gitignore (null: it has none). */
class GitignoreRules {
  private readonly byDirectory = new Map<string, Ignore | null>();

  constructor(private readonly root: string) {}

  /** Whether `path` (absolute; a directory when `isDirectory`) is ignored by any .gitignore above it. */
  ignores(path: string, isDirectory: boolean): boolean {
    let ignored = false;
    // git applies the rules from the root down; a deeper file can re-include (`!pattern`).
    for (const directory of this.ancestorsOf(path)) {
      const rules = this.rulesOf(directory);
      if (!rules) continue;
      const relativePath = relative(directory, path).split(sep).join('/') + (isDirectory ? '/' : '');
      const verdict = rules.test(relativePath);
      if (verdict.ignored) ignored = true;
      else if (verdict.unignored) ignored = false;
    }
    return ignored;
  }

  private ancestorsOf(path: string): string[] {
    const ancestors: string[] = [];
    for (let directory = dirname(path); directory.length >= this.root.length; directory = dirname(directory)) {
      ancestors.push(directory);
      if (directory === this.root) break;
    }
    return ancestors.reverse();
  }

  private rulesOf(directory: string): Ignore | null {
    let rules = this.byDirectory.get(directory);
    if (rules === undefined) {
      rules = readGitignore(directory);
      this.byDirectory.set(directory, rules);
    }
    return rules;
  }
}

function readGitignore(directory: string): Ignore | null {
  try {
    return ignore().add(readFileSync(join(directory, '.gitignore'), 'utf8'));
  } catch {
    return null;
  }
}

/** Absolute paths of the scannable source files under `root` (an absolute directory path). */
export function listSourceFiles(root: string): string[] {
  const rules = new GitignoreRules(root);
  return new fdir()
    .withFullPaths()
    .exclude((name, path) => name === '.git' || rules.ignores(path.endsWith(sep) ? path.slice(0, -1) : path, true))
    .filter((path, isDirectory) => !isDirectory && lexerFamilyOf(path) !== undefined && !rules.ignores(path, false))
    .crawl(root)
    .sync();
}
