/**
 * The `vexil` CLI as users run it: the built `dist/cli/main.js` in a child process, asserting stdout JSON
 * and exit codes. Builds dist first when it is missing or older than the sources.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const root = fileURLToPath(new URL('../../', import.meta.url));
const mainJs = join(root, 'dist/cli/main.js');

function newestSourceTime(directory: string): number {
  let newest = 0;
  for (const entry of readdirSync(directory, { withFileTypes: true })) {
    const path = join(directory, entry.name);
    if (entry.isDirectory()) newest = Math.max(newest, newestSourceTime(path));
    else if (entry.name.endsWith('.ts')) newest = Math.max(newest, statSync(path).mtimeMs);
  }
  return newest;
}

function ensureBuilt(): void {
  if (existsSync(mainJs) && statSync(mainJs).mtimeMs >= newestSourceTime(join(root, 'src'))) return;
  const tsc = createRequire(import.meta.url).resolve('typescript/bin/tsc');
  const build = spawnSync(process.execPath, [tsc, '-p', 'tsconfig.json'], { cwd: root, encoding: 'utf8' });
  // tsc still emits when another module has type errors; only a missing CLI makes these tests meaningless.
  if (!existsSync(mainJs)) throw new Error(`build failed:\n${build.stdout}${build.stderr}`);
  if (build.status !== 0) console.warn(`tsc reported errors (dist was emitted anyway):\n${build.stdout}`);
}

interface Run {
  status: number | null;
  stdout: string;
  stderr: string;
  json: any;
}

function vexil(...args: string[]): Run {
  const result = spawnSync(process.execPath, [mainJs, ...args], { cwd: root, encoding: 'utf8' });
  let json: unknown;
  try {
    json = JSON.parse(result.stdout);
  } catch {
    json = undefined;
  }
  return { status: result.status, stdout: result.stdout, stderr: result.stderr, json };
}

beforeAll(() => {
  ensureBuilt();
}, 120_000);

describe('vexil rule check', () => {
  it('accepts a valid rule and lists the attributes it reads', () => {
    const run = vexil('rule', 'check', '(plan == "premium" or user.age > 30) and attrs["x-team"] in ["a", "b"]');
    expect(run.status).toBe(0);
    expect(run.json).toEqual({ ok: true, diagnostics: [], attributes: ['plan', 'user.age', 'attrs["x-team"]'] });
  });

  it('rejects an invalid rule with every diagnostic and its line and column, exit 2', () => {
    const run = vexil('rule', 'check', 'plan ==\n  and x in [1,');
    expect(run.status).toBe(2);
    expect(run.json.ok).toBe(false);
    expect(run.json.attributes).toEqual([]);
    expect(run.json.diagnostics).toEqual([
      { message: "expected a value after '==' but found 'and'", line: 2, column: 3, offset: 10, length: 3 },
      { message: "expected a value after ',' but found end of input", line: 2, column: 15, offset: 22, length: 0 },
    ]);
  });

  it('reports semantic errors (unknown function) at the function name', () => {
    const run = vexil('rule', 'check', 'x == 1 and frob(y)');
    expect(run.status).toBe(2);
    expect(run.json.diagnostics).toHaveLength(1);
    expect(run.json.diagnostics[0]).toMatchObject({ line: 1, column: 12, length: 4 });
    expect(run.json.diagnostics[0].message).toMatch(/^unknown function 'frob'/);
  });

  it('takes a rule that starts with "-" after --', () => {
    const run = vexil('rule', 'check', '--', '-1 < x');
    expect(run.status).toBe(0);
    expect(run.json.ok).toBe(true);
  });

  it('rejects eval-only options as a usage error', () => {
    const run = vexil('rule', 'check', 'x', '--explain');
    expect(run.status).toBe(2);
    expect(run.stdout).toBe('');
    expect(run.stderr).toContain('--explain only applies to rule eval');
  });
});

describe('vexil rule eval', () => {
  const rule = '(plan == "premium" or accountAgeDays > 30) and country in ["US", "CA", "GB"]';

  it('prints matched: true, exit 0', () => {
    const run = vexil('rule', 'eval', rule, '--context', '{"plan":"free","accountAgeDays":45,"country":"CA"}');
    expect(run.status).toBe(0);
    expect(run.json).toEqual({ matched: true, attributes: ['plan', 'accountAgeDays', 'country'] });
  });

  it('prints matched: false, still exit 0', () => {
    const run = vexil('rule', 'eval', rule, '-c', '{"plan":"premium","country":"FR"}');
    expect(run.status).toBe(0);
    expect(run.json.matched).toBe(false);
    expect(run.json).not.toHaveProperty('explain');
  });

  it('uses --salt as the default salt of bucket()', () => {
    // Vectors from grammar/grammar.md: bucket("u42", "") = 51.894, bucket("user-1", "new-checkout") = 51.929.
    expect(vexil('rule', 'eval', 'bucket(userId) == 51.894', '--context', '{"userId":"u42"}').json.matched).toBe(true);
    const salted = vexil(
      'rule',
      'eval',
      'bucket(userId) == 51.929',
      '--context',
      '{"userId":"user-1"}',
      '--salt',
      'new-checkout',
    );
    expect(salted.json.matched).toBe(true);
    expect(vexil('rule', 'eval', 'bucket(userId) == 51.929', '--context', '{"userId":"user-1"}').json.matched).toBe(
      false,
    );
  });

  it('prints the evaluation tree with --explain', () => {
    const run = vexil('rule', 'eval', 'plan == "premium" and not beta', '--context', '{"plan":"free"}', '--explain');
    expect(run.status).toBe(0);
    expect(run.json.matched).toBe(false);
    const tree = run.json.explain;
    expect(tree).toMatchObject({
      kind: 'logical',
      operator: 'and',
      text: 'plan == "premium" and not beta',
      line: 1,
      column: 1,
      evaluated: true,
      value: false,
    });
    // `and` short-circuits: `not beta` stays in the tree, never evaluated and without a value.
    expect(tree.children).toHaveLength(2);
    expect(tree.children[1]).toMatchObject({ kind: 'not', text: 'not beta', evaluated: false });
    expect(tree.children[1]).not.toHaveProperty('value');
    expect(tree.children[0]).toMatchObject({ kind: 'binary', operator: '==', text: 'plan == "premium"', value: false });
    expect(tree.children[0].children).toEqual([
      expect.objectContaining({ kind: 'path', text: 'plan', value: 'free', start: 0, end: 4 }),
      expect.objectContaining({ kind: 'literal', text: '"premium"', value: 'premium', column: 9 }),
    ]);
  });

  it('exits 2 with INVALID_CONTEXT for context that is not JSON', () => {
    const run = vexil('rule', 'eval', 'x == 1', '--context', '{x: 1}');
    expect(run.status).toBe(2);
    expect(run.json.error.code).toBe('INVALID_CONTEXT');
    expect(run.json.error.message).toMatch(/not valid JSON/);
  });

  it('exits 2 with INVALID_CONTEXT for a missing or non-object context', () => {
    for (const args of [[], ['--context', '[1, 2]'], ['--context', 'null']]) {
      const run = vexil('rule', 'eval', 'x == 1', ...args);
      expect(run.status).toBe(2);
      expect(run.json.error.code).toBe('INVALID_CONTEXT');
    }
  });

  it('exits 2 with RULE_SYNTAX and the diagnostics for an invalid rule', () => {
    const run = vexil('rule', 'eval', 'x == 1 == 2', '--context', '{}');
    expect(run.status).toBe(2);
    expect(run.json.error).toMatchObject({ code: 'RULE_SYNTAX', diagnostics: [{ line: 1, column: 8 }] });
    expect(run.json.error.message).toMatch(/comparisons cannot be chained/);
  });
});

describe('vexil dispatcher', () => {
  it('prints usage on --help, exit 0', () => {
    const run = vexil('--help');
    expect(run.status).toBe(0);
    expect(run.stdout).toMatch(/^Usage: vexil <command>/);
    expect(run.stdout).toContain('rule');
    expect(run.stdout).toContain('grammar');
  });

  it('prints a command help with help <command> and <command> --help', () => {
    for (const args of [
      ['help', 'rule'],
      ['rule', '--help'],
    ]) {
      const run = vexil(...args);
      expect(run.status).toBe(0);
      expect(run.stdout).toContain('vexil rule eval <expr> --context');
    }
  });

  it('prints usage on stderr for an unknown command, no command, or an unknown help topic, exit 2', () => {
    for (const args of [['frobnicate'], [], ['help', 'frobnicate']]) {
      const run = vexil(...args);
      expect(run.status).toBe(2);
      expect(run.stdout).toBe('');
      expect(run.stderr).toContain('Usage: vexil <command>');
    }
  });

  it('treats a missing rule action as a usage error', () => {
    const run = vexil('rule');
    expect(run.status).toBe(2);
    expect(run.stderr).toContain('missing action');
  });
});

describe('vexil grammar', () => {
  const scratch = mkdtempSync(join(tmpdir(), 'vexil-grammar-'));
  afterAll(() => rmSync(scratch, { recursive: true, force: true }));

  it('finds the committed grammar/ current', () => {
    const run = vexil('grammar', '--check');
    expect(run.stderr).toBe('');
    expect(run.status).toBe(0);
  });

  it('writes a folder that then passes --check, and fails --check once a file changes', () => {
    expect(vexil('grammar', '--out', scratch).status).toBe(0);
    expect(existsSync(join(scratch, 'diagrams/vendor/railroad-diagrams.js'))).toBe(true);
    expect(vexil('grammar', '--check', '--out', scratch).status).toBe(0);
    writeFileSync(join(scratch, 'grammar.md'), 'stale\n');
    const run = vexil('grammar', '--check', '--out', scratch);
    expect(run.status).toBe(1);
    expect(run.stderr).toContain('is out of date: run npm run grammar');
    expect(run.stderr).toContain('differs: grammar.md');
  });
});
