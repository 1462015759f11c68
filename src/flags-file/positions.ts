/**
 * Where a field of a flags file is, as a line and column of the file: a validation issue names a
 * path inside a document (`environments.production.rules[1].condition`, and for a rule the line
 * and column inside the condition); this finds the YAML node and adds the two up.
 */
import { type Document, isScalar, LineCounter, type Node, Scalar } from 'yaml';

export interface FilePosition {
  line: number;
  column: number;
}

/** `a.b[1].c` → ['a', 'b', 1, 'c']. Environment keys cannot contain dots or brackets. */
export function splitPath(path: string): Array<string | number> {
  const parts: Array<string | number> = [];
  for (const match of path.matchAll(/([^.[\]]+)|\[(\d+)\]/g))
    parts.push(match[2] !== undefined ? Number(match[2]) : match[1]!);
  return parts;
}

export class PositionFinder {
  constructor(
    private readonly text: string,
    private readonly document: Document,
    private readonly lines: LineCounter,
  ) {}

  /** The position of the node at `path` (or of its deepest existing parent), plus `inner` inside a scalar. */
  find(path: Array<string | number>, inner?: FilePosition): FilePosition | undefined {
    const node = this.nodeAt(path);
    if (!node?.range) return undefined;
    const start = this.at(node.range[0]);
    if (!inner || !isScalar(node)) return start;
    return this.inside(node, start, inner);
  }

  at(offset: number): FilePosition {
    const { line, col } = this.lines.linePos(offset);
    return { line, column: col };
  }

  private nodeAt(path: Array<string | number>): Node | undefined {
    for (let length = path.length; length >= 0; length--) {
      const node = this.document.getIn(path.slice(0, length), true) as Node | undefined;
      if (node && typeof node === 'object' && node.range) return node;
    }
    return undefined;
  }

  /** A position inside a scalar's text (a rule condition) as a position in the file. */
  private inside(node: Scalar, start: FilePosition, inner: FilePosition): FilePosition {
    if (node.type === Scalar.BLOCK_LITERAL || node.type === Scalar.BLOCK_FOLDED) {
      // The text starts on the line after the `|` indicator, at the block's indentation.
      const contentStart = this.lines.lineStarts[start.line] ?? 0;
      let indent = 0;
      while (this.text.charCodeAt(contentStart + indent) === 32) indent++;
      return { line: start.line + inner.line, column: indent + inner.column };
    }
    // Quoted and plain scalars: the condition's first line continues the key's line.
    const quote = node.type === Scalar.QUOTE_DOUBLE || node.type === Scalar.QUOTE_SINGLE ? 1 : 0;
    if (inner.line === 1) return { line: start.line, column: start.column + quote + inner.column - 1 };
    return { line: start.line + inner.line - 1, column: inner.column };
  }
}

export { LineCounter };
