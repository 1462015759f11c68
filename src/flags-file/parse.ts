/**
 * Reads a flags file (YAML, or JSON, which is YAML too) and validates all of it before anything is
 * written: every problem is reported at once, each naming the file, the flag or segment, and the
 * line and column in the file (for a rule, of the exact spot inside the condition).
 */
import { parseDocument } from 'yaml';
import type { EngineState } from '../flags/engine.js';
import { isValidationError, type ValidationIssue } from '../flags/errors.js';
import type { Environment, Flag, Segment } from '../flags/model.js';
import { checkFlagReferences } from '../flags/references.js';
import { environmentKeyPattern, validateFlag, validateSegment } from '../flags/validate.js';
import { type FlagsFile, flagsFileVersion } from './document.js';
import { LineCounter, PositionFinder, splitPath } from './positions.js';

export interface FlagsFileIssue {
  file: string;
  /** The flag (or segment, as `environment/key`) the issue is about. */
  flag?: string;
  segment?: string;
  /** Path inside the file, e.g. `flags[2].environments.production.rules[0].condition`. */
  path: string;
  message: string;
  code: 'VALIDATION' | 'RULE_SYNTAX' | 'YAML_SYNTAX';
  line?: number;
  column?: number;
}

export interface ParsedFlagsFile {
  /** The flag set, when the file has no issue. */
  state: EngineState | null;
  issues: FlagsFileIssue[];
}

/** `flags.yaml:12:18: flag 'new_checkout': flags[0].…condition: expected …` */
export function formatIssue(issue: FlagsFileIssue): string {
  const where = issue.line === undefined ? issue.file : `${issue.file}:${issue.line}:${issue.column ?? 1}`;
  const subject = issue.flag ? ` flag '${issue.flag}':` : issue.segment ? ` segment '${issue.segment}':` : '';
  return `${where}:${subject} ${issue.path ? `${issue.path}: ` : ''}${issue.message}`;
}

const isObject = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

export function parseFlagsFile(text: string, file: string, now = new Date().toISOString()): ParsedFlagsFile {
  const lines = new LineCounter();
  const document = parseDocument(text, { lineCounter: lines, uniqueKeys: true, prettyErrors: false });
  const positions = new PositionFinder(text, document, lines);
  const issues: FlagsFileIssue[] = document.errors.map((error) => ({
    file,
    path: '',
    message: error.message.split('\n')[0]!,
    code: 'YAML_SYNTAX',
    ...positions.at(error.pos[0]),
  }));
  if (issues.length > 0) return { state: null, issues };
  const reader = new FileReader(file, positions, issues, now);
  const state = reader.read(document.toJS() as unknown);
  return { state: issues.length === 0 ? state : null, issues };
}

class FileReader {
  constructor(
    private readonly file: string,
    private readonly positions: PositionFinder,
    private readonly issues: FlagsFileIssue[],
    private readonly now: string,
  ) {}

  read(raw: unknown): EngineState {
    if (!isObject(raw)) {
      this.add([], 'a flags file must be a mapping with version, environments, segments and flags');
      return { environments: [], segments: [], flags: [] };
    }
    if (raw.version !== flagsFileVersion) this.add(['version'], `must be ${flagsFileVersion}`);
    const environments = this.environments(this.list(raw, 'environments'));
    const known = new Set(environments.map((environment) => environment.key));
    const segments = this.segments(this.list(raw, 'segments'), known);
    const flags = this.flags(this.list(raw, 'flags'), known, segments);
    return { environments, segments, flags };
  }

  private list(raw: Record<string, unknown>, field: keyof FlagsFile): unknown[] {
    const value = raw[field];
    if (value === undefined || value === null) return [];
    if (Array.isArray(value)) return value;
    this.add([field], 'must be a list');
    return [];
  }

  private environments(entries: unknown[]): Environment[] {
    const seen = new Set<string>();
    return entries.flatMap((entry, index) => {
      const key = isObject(entry) ? entry.key : undefined;
      if (typeof key !== 'string' || !environmentKeyPattern.test(key))
        return this.reject(['environments', index, 'key'], 'must be an environment key (^[a-z0-9][a-z0-9_-]{0,63}$)');
      if (seen.has(key)) return this.reject(['environments', index, 'key'], `duplicate environment '${key}'`);
      seen.add(key);
      const name = isObject(entry) && typeof entry.name === 'string' ? entry.name : key;
      return [{ key, name, createdAt: this.now }];
    });
  }

  private segments(entries: unknown[], environments: Set<string>): Segment[] {
    const seen = new Set<string>();
    return entries.flatMap((entry, index) => {
      const prefix = ['segments', index];
      const named =
        isObject(entry) && typeof entry.key === 'string'
          ? { segment: `${String(entry.environment)}/${entry.key}` }
          : {};
      const segment = this.validated(prefix, named, () =>
        validateSegment(isObject(entry) ? { ...entry, version: 1 } : entry, this.now),
      );
      if (!segment) return [];
      const id = `${segment.environment}/${segment.key}`;
      if (!environments.has(segment.environment))
        return this.reject([...prefix, 'environment'], `unknown environment '${segment.environment}'`, { segment: id });
      if (seen.has(id)) return this.reject([...prefix, 'key'], `duplicate segment '${id}'`, { segment: id });
      seen.add(id);
      return [segment];
    });
  }

  private flags(entries: unknown[], environments: Set<string>, segments: Segment[]): Flag[] {
    const flags = new Map<string, { flag: Flag; index: number }>();
    entries.forEach((entry, index) => {
      const key = isObject(entry) && typeof entry.key === 'string' ? entry.key : undefined;
      const flag = this.validated(['flags', index], { flag: key }, () =>
        validateFlag(isObject(entry) ? { ...entry, version: 1 } : entry, this.now),
      );
      if (!flag) return;
      if (flags.has(flag.key)) this.add(['flags', index, 'key'], `duplicate flag '${flag.key}'`, { flag: flag.key });
      else flags.set(flag.key, { flag, index });
    });
    const segmentIds = new Set(segments.map((segment) => `${segment.environment}/${segment.key}`));
    const world = {
      environmentExists: (environment: string) => environments.has(environment),
      segmentExists: (environment: string, key: string) => segmentIds.has(`${environment}/${key}`),
      flag: (key: string) => flags.get(key)?.flag,
    };
    for (const { flag, index } of flags.values())
      this.validated(['flags', index], { flag: flag.key }, () => checkFlagReferences(flag, world));
    return [...flags.values()].map(({ flag }) => flag);
  }

  /** Runs a validator; turns its ValidationError into file issues under `prefix`. */
  private validated<T>(
    prefix: Array<string | number>,
    subject: { flag?: string | undefined; segment?: string },
    validate: () => T,
  ): T | undefined {
    try {
      return validate();
    } catch (error) {
      if (!isValidationError(error)) throw error;
      for (const issue of error.issues) this.addIssue(prefix, issue, subject);
      return undefined;
    }
  }

  private addIssue(
    prefix: Array<string | number>,
    issue: ValidationIssue,
    subject: { flag?: string | undefined; segment?: string },
  ): void {
    const path = [...prefix, ...splitPath(issue.path)];
    const inner = issue.line !== undefined ? { line: issue.line, column: issue.column ?? 1 } : undefined;
    this.issues.push({
      file: this.file,
      ...(subject.flag ? { flag: subject.flag } : {}),
      ...(subject.segment ? { segment: subject.segment } : {}),
      path: renderPath(path),
      message: issue.message,
      code: issue.code,
      ...this.positions.find(path, inner),
    });
  }

  /** Adds an issue and drops the entry (for flatMap). */
  private reject(path: Array<string | number>, message: string, subject: { flag?: string; segment?: string } = {}): [] {
    this.add(path, message, subject);
    return [];
  }

  private add(path: Array<string | number>, message: string, subject: { flag?: string; segment?: string } = {}): void {
    this.issues.push({
      file: this.file,
      ...subject,
      path: renderPath(path),
      message,
      code: 'VALIDATION',
      ...this.positions.find(path),
    });
  }
}

function renderPath(path: Array<string | number>): string {
  return path.map((part, index) => (typeof part === 'number' ? `[${part}]` : index === 0 ? part : `.${part}`)).join('');
}
