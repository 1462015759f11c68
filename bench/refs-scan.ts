/**
 * `vexil flags refs` over a large source tree: 10,000 files, 100 MB, in the seven languages it reads,
 * 500 known flags, a .gitignore excluding a tenth of the tree. Target: the scan (walk, ignore rules,
 * read, lex) under 5 s. Prints the median of 3 scans after one warm-up (the first also warms the
 * page cache, which is what a CI checkout has after `git clone`).
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ensureBuiltServer } from './lib/built-package.js';
import { summarize } from './lib/stats.js';

ensureBuiltServer();
const { scanReferences } = (await import('../dist/refs/scan.js')) as typeof import('../src/refs/scan.js');

const FILES = 10_000;
const TARGET_BYTES = 100 * 1024 * 1024;
const flags = Array.from({ length: 500 }, (_, i) => ({ key: `flag_${i}`, archived: i % 50 === 0 }));
const extensions = ['.ts', '.js', '.py', '.go', '.java', '.kt', '.rb', '.cs'];

/** One file of about `bytes` bytes: code lines with literals, comments, and one flag call. */
function sourceFile(index: number, extension: string, bytes: number): string {
  const comment = extension === '.py' || extension === '.rb' ? '#' : '//';
  const lines: string[] = [];
  let size = 0;
  for (let line = 0; size < bytes; line++) {
    const text =
      line % 40 === 0
        ? `  value = client.getBooleanValue("flag_${(index + line) % 600}", false)`
        : line % 7 === 0
          ? `${comment} explains why "flag_${line % 500}" is checked here`
          : `  total_${line} = compute("label ${line}", items[${line}], 'x', ${index * line})`;
    lines.push(text);
    size += text.length + 1;
  }
  return lines.join('\n');
}

const root = mkdtempSync(join(tmpdir(), 'vexil-refs-bench-'));
let written = 0;
for (let i = 0; i < FILES; i++) {
  const directory = join(root, i % 10 === 0 ? 'generated' : `pkg${i % 97}`, `mod${i % 13}`);
  mkdirSync(directory, { recursive: true });
  const text = sourceFile(i, extensions[i % extensions.length]!, TARGET_BYTES / FILES);
  writeFileSync(join(directory, `file${i}${extensions[i % extensions.length]}`), text);
  written += text.length;
}
writeFileSync(join(root, '.gitignore'), 'generated/\n');

try {
  scanReferences(root, flags); // warm-up: JIT and page cache
  const durations: number[] = [];
  let last;
  for (let round = 0; round < 3; round++) {
    last = scanReferences(root, flags);
    durations.push(last.durationMs);
  }
  const summary = summarize(durations);
  const referenced = [...last!.references.values()].filter((locations) => locations.length > 0).length;
  console.log(
    `refs scan: ${FILES} files, ${(written / 1024 / 1024).toFixed(1)} MB written, ${last!.filesScanned} scanned (a tenth ignored by .gitignore)`,
  );
  console.log(`  flags referenced: ${referenced} of ${flags.length}; unknown-key references: ${last!.unknown.length}`);
  console.log(
    `  scan time: median ${(summary.median / 1000).toFixed(2)} s (min ${(summary.min / 1000).toFixed(2)} s, max ${(summary.max / 1000).toFixed(2)} s) — target < 5 s`,
  );
} finally {
  rmSync(root, { recursive: true, force: true });
}
