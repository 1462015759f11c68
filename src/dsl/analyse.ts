/**
 * The rule language's front end: size limit → lex → bracket-depth pre-check (protects the recursive
 * parser) → parse with recovery → semantic checks. Every problem comes back with its position.
 */
import type { IToken } from 'chevrotain';
import type { Expr } from './ast.js';
import { checkTree, type References } from './checker.js';
import { type Diagnostic, DiagnosticList, SourcePositions } from './diagnostics.js';
import { type CompileOptions, limits } from './options.js';
import { parseTokens } from './parse.js';
import { LBracket, LParen, RBracket, RParen, ruleLexer } from './tokens.js';

export interface Analysis {
  ast: Expr;
  references: References;
  positions: SourcePositions;
  /** Offsets of the string literals that name a property (`attrs["x-y"]`). */
  pathStrings: number[];
}

export function withinSizeLimit(source: string): boolean {
  // A UTF-8 character takes at most 3 bytes per UTF-16 unit, so short sources need no byte count.
  return source.length * 3 <= limits.maxSourceBytes || Buffer.byteLength(source, 'utf8') <= limits.maxSourceBytes;
}

/** The full front end: every problem with its position, or the checked tree. `tokens` when already lexed. */
export function analyse(source: string, options: CompileOptions, tokens?: IToken[]): Analysis | Diagnostic[] {
  const positions = new SourcePositions(source);
  const diagnostics = new DiagnosticList(positions);
  if (!withinSizeLimit(source)) {
    diagnostics.add(`rule is longer than ${limits.maxSourceBytes / 1024} KiB`, 0, source.length);
    return diagnostics.sorted();
  }
  if (!tokens) {
    const lexed = ruleLexer.tokenize(source);
    for (const error of lexed.errors) {
      diagnostics.add(
        `unexpected character ${JSON.stringify(source.slice(error.offset, error.offset + 1))}`,
        error.offset,
        error.length,
      );
    }
    tokens = lexed.tokens;
  }
  if (!checkBracketDepth(tokens, diagnostics)) return diagnostics.sorted();
  const pathStrings: number[] = [];
  const ast = parseTokens(tokens, diagnostics, source.length, pathStrings);
  if (!ast || diagnostics.size > 0) return diagnostics.sorted();
  const references = checkTree(ast, options, diagnostics);
  if (diagnostics.size > 0) return diagnostics.sorted();
  return { ast, references, positions, pathStrings };
}

/** Rejects nesting deeper than the limit before parsing, so the recursive-descent parser stays shallow. */
function checkBracketDepth(tokens: readonly IToken[], diagnostics: DiagnosticList): boolean {
  let depth = 0;
  for (const token of tokens) {
    if (token.tokenType === LParen || token.tokenType === LBracket) depth++;
    else if (token.tokenType === RParen || token.tokenType === RBracket) depth = Math.max(0, depth - 1);
    if (depth > limits.maxDepth) {
      diagnostics.add(`expression is nested deeper than ${limits.maxDepth} levels`, token.startOffset, 1);
      return false;
    }
  }
  return true;
}
