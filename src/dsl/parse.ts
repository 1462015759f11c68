/**
 * The parser's public entry: `parseTokens` over two shared instances of the grammar (parser.ts), and
 * the grammar's serialized productions for the documentation.
 */
import { EOF, type IToken, tokenMatcher } from 'chevrotain';
import type { Expr } from './ast.js';
import { DiagnosticList } from './diagnostics.js';
import { RuleParser } from './parser.js';

/**
 * Two instances of the same grammar: recovery costs time on every rule, even valid ones, so valid
 * input (nearly all of it: stored rules were validated on write) is parsed without it, and only input
 * with an error is parsed again with recovery, to report every problem recovery can find.
 */
const fastParser = new RuleParser(false);
const recoveringParser = new RuleParser(true);

function run(
  parser: RuleParser,
  tokens: IToken[],
  diagnostics: DiagnosticList,
  pathStrings: number[] | null = null,
): Expr | null {
  parser.diagnostics = diagnostics;
  parser.pathStrings = pathStrings;
  parser.input = tokens;
  try {
    return parser.rule();
  } catch (error) {
    // Recovery can hand actions half-built input; those errors are always accompanied by a syntax error.
    if (parser.errors.length === 0) throw error;
    return null;
  } finally {
    parser.diagnostics = null;
    parser.pathStrings = null;
  }
}

/**
 * Parses lexed tokens into an AST, reporting every syntax error recovery can find into `diagnostics`.
 * Returns a null AST when there was any error. `pathStrings` receives the offsets of the string
 * literals that name a property rather than stand for a value.
 */
export function parseTokens(
  tokens: IToken[],
  diagnostics: DiagnosticList,
  sourceLength: number,
  pathStrings: number[] = [],
): Expr | null {
  if (diagnostics.size === 0) {
    const scratch = new DiagnosticList(diagnostics.positions);
    const ast = run(fastParser, tokens, scratch, pathStrings);
    if (fastParser.errors.length === 0 && scratch.size === 0) return ast;
  }
  const ast = run(recoveringParser, tokens, diagnostics);
  for (const error of recoveringParser.errors) {
    const token = error.token;
    const atEnd = tokenMatcher(token, EOF) || Number.isNaN(token.startOffset);
    const offset = atEnd ? sourceLength : token.startOffset;
    diagnostics.add(error.message, offset, atEnd ? 0 : token.image.length);
  }
  return diagnostics.size === 0 ? ast : null;
}

/** The grammar as Chevrotain's serialized productions, for generating documentation (railroad diagrams). */
export function serializedGrammar(): ReturnType<RuleParser['getSerializedGastProductions']> {
  return recoveringParser.getSerializedGastProductions();
}
