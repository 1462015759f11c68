/** Diagnostics: what is wrong with a rule, and exactly where (1-based line and column). */

export interface Diagnostic {
  message: string;
  /** 1-based line of the first character. */
  line: number;
  /** 1-based column (UTF-16 code units) of the first character. */
  column: number;
  /** 0-based offset of the first character. */
  offset: number;
  /** Length of the span in UTF-16 code units (0 at end of input). */
  length: number;
}

/** Thrown by `compileRule` for any invalid rule; `diagnostics` lists every problem found. */
export class RuleError extends Error {
  readonly code = 'RULE_SYNTAX';
  readonly diagnostics: readonly Diagnostic[];

  constructor(diagnostics: readonly Diagnostic[]) {
    const first = diagnostics[0];
    super(first ? `${first.message} (line ${first.line}, column ${first.column})` : 'invalid rule');
    this.name = 'RuleError';
    this.diagnostics = diagnostics;
  }
}

export function isRuleError(error: unknown): error is RuleError {
  return error instanceof RuleError;
}

/** Maps offsets to line/column once per source (binary search over line starts). */
export class SourcePositions {
  /** Built on first use: most compilations report nothing. */
  private lineStarts: number[] | null = null;

  constructor(private readonly source: string) {}

  private starts(): number[] {
    if (this.lineStarts) return this.lineStarts;
    const starts = [0];
    for (let i = 0; i < this.source.length; i++) {
      const c = this.source.charCodeAt(i);
      if (c === 10 /* \n */) starts.push(i + 1);
      else if (c === 13 /* \r */ && this.source.charCodeAt(i + 1) !== 10) starts.push(i + 1);
    }
    return (this.lineStarts = starts);
  }

  diagnostic(message: string, offset: number, length: number): Diagnostic {
    const lineStarts = this.starts();
    const clamped = Math.max(0, Math.min(offset, this.source.length));
    let low = 0;
    let high = lineStarts.length - 1;
    while (low < high) {
      const mid = (low + high + 1) >> 1;
      if (lineStarts[mid]! <= clamped) low = mid;
      else high = mid - 1;
    }
    const column = clamped - lineStarts[low]! + 1;
    return { message, line: low + 1, column, offset: clamped, length: Math.max(0, length) };
  }
}

/** Collects diagnostics in source order, one per position (recovery can report a spot twice). */
export class DiagnosticList {
  private readonly items: Diagnostic[] = [];

  constructor(readonly positions: SourcePositions) {}

  add(message: string, offset: number, length: number): void {
    if (this.items.some((d) => d.offset === offset)) return;
    this.items.push(this.positions.diagnostic(message, offset, length));
  }

  get size(): number {
    return this.items.length;
  }

  sorted(): Diagnostic[] {
    return [...this.items].sort((a, b) => a.offset - b.offset);
  }
}
