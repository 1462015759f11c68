/**
 * Error messages written for people ("expected a value after '==' but found end of input") instead of
 * Chevrotain's defaults, which list token names.
 */
import { EOF, type IParserErrorMessageProvider, type IToken, type TokenType, tokenMatcher } from 'chevrotain';
import * as T from './tokens.js';

/** What a grammar rule stands for, in the words of the error message. */
const ruleWords: Record<string, string> = {
  rule: 'an expression',
  orExpr: 'an expression',
  andExpr: 'an expression',
  notExpr: 'an expression',
  comparison: 'a value',
  operand: 'a value',
  literal: 'a value',
  list: 'a list',
  callOrPath: 'an attribute or function call',
  parenthesized: "'('",
  comparisonOperator: "an operator ('==', 'in', 'contains', ...)",
};

function describeToken(token: IToken): string {
  if (tokenMatcher(token, EOF) || token.image === '') return 'end of input';
  return `'${token.image}'`;
}

function describeExpected(type: TokenType): string {
  if (type === T.Name || type === T.Identifier) return 'a name';
  if (type === T.StringLiteral) return 'a string';
  if (type === T.ComparisonOperator) return 'a comparison operator';
  if (type === EOF) return 'end of input';
  return type.LABEL ?? `'${type.name.toLowerCase()}'`;
}

function after(previous: IToken | undefined): string {
  return previous && previous.image && !Number.isNaN(previous.startOffset) ? ` after '${previous.image}'` : '';
}

function chainedComparison(actual: IToken): string | null {
  return tokenMatcher(actual, T.ComparisonOperator)
    ? `comparisons cannot be chained: combine them with 'and' (found '${actual.image}' after a comparison)`
    : null;
}

function unterminated(actual: IToken): string | null {
  return tokenMatcher(actual, T.UnterminatedString) ? 'unterminated string: add the closing quote' : null;
}

export const humanErrorMessages: IParserErrorMessageProvider = {
  buildMismatchTokenMessage({ expected, actual, previous }) {
    return (
      unterminated(actual) ??
      (expected === T.RParen || expected === T.RBracket ? chainedComparison(actual) : null) ??
      `expected ${describeExpected(expected)}${after(previous)} but found ${describeToken(actual)}`
    );
  },
  buildNotAllInputParsedMessage({ firstRedundant }) {
    return (
      unterminated(firstRedundant) ??
      chainedComparison(firstRedundant) ??
      `expected an operator ('and', 'or', '==', 'in', ...) or end of input but found ${describeToken(firstRedundant)}`
    );
  },
  buildNoViableAltMessage({ actual, previous, ruleName }) {
    const found = actual[0]!;
    return (
      unterminated(found) ??
      `expected ${ruleWords[ruleName] ?? 'a value'}${after(previous)} but found ${describeToken(found)}`
    );
  },
  buildEarlyExitMessage({ actual, previous, ruleName }) {
    const found = actual[0]!;
    return (
      unterminated(found) ??
      `expected ${ruleWords[ruleName] ?? 'a value'}${after(previous)} but found ${describeToken(found)}`
    );
  },
};
