/**
 * A rule's shape: its tokens with string and number literals masked. The parser's decisions depend on
 * token types and on the text of names, keywords and operators, never on literal values, so rules of
 * one shape parse to the same tree and compile to the same code with different parameters. Whitespace
 * is not a token, so `a==1` and `a == 1` share a shape.
 */
import type { IToken } from 'chevrotain';
import { NumberLiteral, StringLiteral } from './tokens.js';

export interface Shape {
  key: string;
  /** The string and number literal tokens, in source order. */
  literals: IToken[];
}

export function shapeOf(tokens: readonly IToken[]): Shape {
  let key = '';
  const literals: IToken[] = [];
  for (const token of tokens) {
    const type = token.tokenType;
    if (type === StringLiteral) {
      key += '\u0000\u0001S';
      literals.push(token);
    } else if (type === NumberLiteral) {
      key += '\u0000\u0001N';
      literals.push(token);
    } else {
      key += `\u0000${token.image}`;
    }
  }
  return { key, literals };
}
