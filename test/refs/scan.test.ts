import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { scanLiterals } from '../../src/refs/lexers.js';
import { type ReferenceScan, scanReferences } from '../../src/refs/scan.js';

const flags = [
  { key: 'new_checkout', archived: false },
  { key: 'dark-mode', archived: false },
  { key: 'old.banner', archived: true },
  { key: 'never_used', archived: false },
];

/** One file per language, each referring to new_checkout on a known line, plus traps in comments. */
const samples: Record<string, string> = {
  'web/app.ts': `// new_checkout is mentioned in a comment only\nconst on = client.getBooleanValue('new_checkout', false);\n/* "dark-mode" in a block comment */\nconst t = \`dark-mode\`;\n`,
  'web/legacy.jsx': `export const x = <Flag name="dark-mode" />;\nclient.getStringValue("ghost_flag", "a");\n`,
  'svc/main.py': `# "new_checkout" in a comment\nenabled = client.get_boolean_value("new_checkout", False)\nlabel = r'dark-mode'\nbanner = """old.banner"""\n`,
  'svc/main.go': `package main\n// "new_checkout"\nfunc f() { v, _ := client.BooleanValue(ctx, "new_checkout", false, ec) }\nvar raw = \`old.banner\`\n`,
  'svc/Main.java': `class Main {\n  /* "dark-mode" */\n  boolean on = client.getBooleanValue("new_checkout", false);\n}\n`,
  'svc/Main.kt': `fun main() {\n  // "old.banner"\n  val on = client.getBooleanValue("new_checkout", false)\n  val s = """dark-mode"""\n}\n`,
  'svc/app.rb': `# :new_checkout in a comment\n=begin\n"dark-mode"\n=end\nif client.fetch_boolean_value(flag_key: "new_checkout")\nend\nFlipper.enabled? :new_checkout\n`,
  'svc/Program.cs': `// "dark-mode"\nvar on = await client.GetBooleanValueAsync("new_checkout", false);\nvar v = @"dark-mode";\nvar missing = await client.GetStringValueAsync("nope_flag", "x");\n`,
  'docs/readme.md': `new_checkout in markdown is not code\n`,
  'comments-only.ts': `// 'new_checkout'\n/*\n "dark-mode"\n*/\n`,
  'ignored/generated.ts': `client.getBooleanValue('new_checkout', false);\n`,
  'nested/.gitignore': `*.gen.ts\n!keep.gen.ts\n`,
  'nested/skip.gen.ts': `client.getBooleanValue('new_checkout', false);\n`,
  'nested/keep.gen.ts': `client.getBooleanValue('new_checkout', false);\n`,
  'node_modules/lib/index.js': `client.getBooleanValue('new_checkout', false);\n`,
  '.gitignore': `ignored/\nnode_modules\n`,
};

let root: string;
let scan: ReferenceScan;

beforeAll(() => {
  root = mkdtempSync(join(tmpdir(), 'vexil-refs-'));
  for (const [file, text] of Object.entries(samples)) {
    mkdirSync(dirname(join(root, file)), { recursive: true });
    writeFileSync(join(root, file), text);
  }
  scan = scanReferences(root, flags);
});
afterAll(() => rmSync(root, { recursive: true, force: true }));

const locationsOf = (key: string) =>
  scan.references
    .get(key)
    ?.map(({ file, line }) => `${file}:${line}`)
    .sort();

describe('vexil flags refs: finding flag keys in source code', () => {
  it('finds a reference in every supported language, at its line', () => {
    expect(locationsOf('new_checkout')).toEqual(
      [
        'nested/keep.gen.ts:1',
        'svc/Main.java:3',
        'svc/Main.kt:3',
        'svc/Program.cs:2',
        'svc/app.rb:5',
        'svc/app.rb:7',
        'svc/main.go:3',
        'svc/main.py:2',
        'web/app.ts:2',
      ].sort(),
    );
  });

  it('reads template literals, raw, verbatim, triple-quoted strings and Ruby symbols', () => {
    expect(locationsOf('dark-mode')).toEqual([
      'svc/Main.kt:4',
      'svc/Program.cs:3',
      'svc/main.py:3',
      'web/app.ts:4',
      'web/legacy.jsx:1',
    ]);
    expect(locationsOf('old.banner')).toEqual(['svc/main.go:4', 'svc/main.py:4']);
  });

  it('finds nothing in comments, in files .gitignore excludes (at any level) or in other file types', () => {
    const files = new Set([...scan.references.values()].flat().map((location) => location.file));
    for (const file of [
      'comments-only.ts',
      'ignored/generated.ts',
      'nested/skip.gen.ts',
      'node_modules/lib/index.js',
      'docs/readme.md',
    ]) {
      expect(files.has(file), file).toBe(false);
    }
    expect(scan.filesScanned).toBe(10);
  });

  it('lists flags with no reference, and unknown keys passed to flag-evaluation calls', () => {
    expect(scan.references.get('never_used')).toEqual([]);
    expect(scan.unknown.map(({ key, file, line }) => `${key} ${file}:${line}`).sort()).toEqual([
      'ghost_flag web/legacy.jsx:2',
      'nope_flag svc/Program.cs:4',
    ]);
  });

  it('names the repository after the scanned directory and times the scan', () => {
    expect(scan.repository).toBe(root.split('/').pop());
    expect(scan.durationMs).toBeGreaterThan(0);
  });
});

describe('the literal scanner', () => {
  const literals = (text: string, family: 'c-like' | 'python' | 'ruby') => {
    const found: string[] = [];
    scanLiterals(text, family, (value, line, callee) => found.push(`${value}@${line}${callee ? `<${callee}` : ''}`));
    return found;
  };

  it('keeps escaped quotes inside a literal and counts lines across multi-line strings', () => {
    expect(literals('a("x\\"y")\n`one\ntwo`\n"z"', 'c-like')).toEqual(['x\\"y@1<a', 'one\ntwo@2', 'z@4']);
  });

  it('stops an unterminated string at the end of its line instead of swallowing the file', () => {
    expect(literals('"open\nf("k")', 'c-like')).toEqual(['open@1', 'k@2<f']);
  });

  it('ends on any input, however malformed', () => {
    for (const text of ['"', '/*', "'''", '=begin', ':', '@', '\\', '`${`']) {
      for (const family of ['c-like', 'python', 'ruby'] as const) expect(() => literals(text, family)).not.toThrow();
    }
  });
});
