/**
 * `vexil flags refs`: finds the references to flag keys in a source tree. A reference is a string
 * literal (or Ruby symbol) outside comments whose text is a known flag key; a literal passed to a
 * flag-evaluation call (see languages.ts) that is no known key is a reference to an unknown flag.
 */
import { readFileSync, statSync } from 'node:fs';
import { basename, relative, resolve, sep } from 'node:path';
import { isFlagCall, lexerFamilyOf, looksLikeFlagKey } from './languages.js';
import { scanLiterals } from './lexers.js';
import { listSourceFiles } from './walk.js';

export interface KnownFlag {
  key: string;
  archived: boolean;
}

export interface CodeLocation {
  /** Path relative to the scanned directory, with `/` separators. */
  file: string;
  line: number;
}

export interface ReferenceScan {
  /** The scanned directory's name (the repository name when it is a checkout's root). */
  repository: string;
  scannedAt: Date;
  durationMs: number;
  filesScanned: number;
  /** Files over `maxFileBytes` (generated bundles, data), listed so nothing is skipped silently. */
  filesSkipped: string[];
  /** Every known flag, with its references in file and line order (empty: none found). */
  references: Map<string, CodeLocation[]>;
  /** Literals passed to flag-evaluation calls that are no known flag key. */
  unknown: Array<CodeLocation & { key: string }>;
}

export interface ScanOptions {
  /** @default 2 MiB */
  maxFileBytes?: number;
}

export function scanReferences(
  directory: string,
  flags: readonly KnownFlag[],
  options: ScanOptions = {},
): ReferenceScan {
  const { maxFileBytes = 2 * 1024 * 1024 } = options;
  const started = performance.now();
  const root = resolve(directory);
  const references = new Map<string, CodeLocation[]>(flags.map((flag) => [flag.key, []]));
  const scan: ReferenceScan = {
    repository: basename(root),
    scannedAt: new Date(),
    durationMs: 0,
    filesScanned: 0,
    filesSkipped: [],
    references,
    unknown: [],
  };
  for (const path of listSourceFiles(root)) {
    const file = relative(root, path).split(sep).join('/');
    if (statSync(path).size > maxFileBytes) {
      scan.filesSkipped.push(file);
      continue;
    }
    scanFile(path, file, scan);
    scan.filesScanned++;
  }
  scan.durationMs = performance.now() - started;
  return scan;
}

function scanFile(path: string, file: string, scan: ReferenceScan): void {
  const family = lexerFamilyOf(path);
  if (!family) return;
  const seenOnLine = new Set<string>();
  let lastLine = 0;
  scanLiterals(readFileSync(path, 'utf8'), family, (value, line, callee) => {
    const locations = scan.references.get(value);
    if (line !== lastLine) {
      seenOnLine.clear();
      lastLine = line;
    }
    if (seenOnLine.has(value)) return; // one location per key and line
    if (locations) {
      seenOnLine.add(value);
      locations.push({ file, line });
    } else if (isFlagCall(callee) && looksLikeFlagKey(value)) {
      seenOnLine.add(value);
      scan.unknown.push({ key: value, file, line });
    }
  });
}
