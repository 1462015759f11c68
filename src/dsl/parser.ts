/**
 * Parser of the Vexil rule language (Chevrotain, embedded actions building the AST directly).
 *
 * Precedence, lowest first:
 *   or  (`or`, `||`)
 *   and (`and`, `&&`)
 *   not (`not`, `!`)
 *   comparison (`==` `!=` `<` `<=` `>` `>=` `in` `not in` `contains` `startsWith` `endsWith` `matches`),
 *     non-associative: `a == 1 == 2` is an error.
 */
import { EmbeddedActionsParser, type IToken, type TokenType } from 'chevrotain';
import type { BinaryOperator, Expr, PathNode } from './ast.js';
import type { DiagnosticList } from './diagnostics.js';
import { humanErrorMessages } from './parser-messages.js';
import { decodeStringLiteral } from './string-literal.js';
import * as T from './tokens.js';

/** The operator each single-token binary operator stands for. */
const binaryOperators = new Map<TokenType, BinaryOperator>([
  [T.Equal, '=='],
  [T.NotEqual, '!='],
  [T.Less, '<'],
  [T.LessEqual, '<='],
  [T.Greater, '>'],
  [T.GreaterEqual, '>='],
  [T.In, 'in'],
  [T.Contains, 'contains'],
  [T.StartsWith, 'startsWith'],
  [T.EndsWith, 'endsWith'],
  [T.Matches, 'matches'],
]);

function spanOf(first: IToken, last: IToken): { start: number; end: number } {
  return { start: first.startOffset, end: last.startOffset + last.image.length };
}

/** What a rule returns when recovery skipped it; never seen by callers, since any error discards the AST. */
const recovered: Expr = { type: 'literal', value: null, start: 0, end: 0 };
const recovery = { recoveryValueFunc: () => recovered };

/** The grammar; use it through parse.ts, which holds the two shared instances. */
export class RuleParser extends EmbeddedActionsParser {
  /** Where string-literal problems found while building the AST are reported; set per parse. */
  diagnostics: DiagnosticList | null = null;
  /** Where the offsets of string literals that name a property (`attrs["x-y"]`) are collected; set per parse. */
  pathStrings: number[] | null = null;

  constructor(recoveryEnabled: boolean) {
    super(T.allTokens, { recoveryEnabled, errorMessageProvider: humanErrorMessages, maxLookahead: 3 });
    this.performSelfAnalysis();
  }

  // rule → orExpr
  public rule = this.RULE('rule', (): Expr => this.SUBRULE(this.orExpr), recovery);

  // orExpr → andExpr ((or | '||') andExpr)*
  public orExpr = this.RULE('orExpr', (): Expr => this.logical('or', this.andExpr, T.OrOperator), recovery);

  // andExpr → notExpr ((and | '&&') notExpr)*
  public andExpr = this.RULE('andExpr', (): Expr => this.logical('and', this.notExpr, T.AndOperator), recovery);

  // notExpr → (not | '!')* comparison   (a loop, so a long chain of `not` cannot exhaust the stack)
  public notExpr = this.RULE(
    'notExpr',
    (): Expr => {
      const negations: IToken[] = [];
      this.MANY(() => negations.push(this.CONSUME(T.NotOperator)));
      const operand = this.SUBRULE(this.comparison);
      return this.ACTION(() =>
        negations.reduceRight<Expr>(
          (inner, token) => ({ type: 'not', operand: inner, start: token.startOffset, end: inner.end }),
          operand,
        ),
      );
    },
    recovery,
  );

  // comparison → operand (comparisonOperator operand)?
  public comparison = this.RULE(
    'comparison',
    (): Expr => {
      const left = this.SUBRULE(this.operand);
      let result = left;
      this.OPTION(() => {
        const { operator, operatorSpan } = this.SUBRULE(this.comparisonOperator);
        const right = this.SUBRULE2(this.operand);
        result = this.ACTION(() => ({
          type: 'binary',
          operator,
          operatorSpan,
          left,
          right,
          start: left.start,
          end: right.end,
        }));
      });
      return result;
    },
    recovery,
  );

  // comparisonOperator → '==' | '!=' | '<' | '<=' | '>' | '>=' | in | not in | contains | startsWith | endsWith | matches
  public comparisonOperator = this.RULE(
    'comparisonOperator',
    (): { operator: BinaryOperator; operatorSpan: { start: number; end: number } } => {
      const tokens = this.OR([
        { ALT: () => [this.CONSUME(T.BinaryOperatorToken)] },
        { ALT: () => [this.CONSUME(T.Not), this.CONSUME(T.In)] },
      ]);
      return this.ACTION(() => ({
        operator: tokens.length === 2 ? 'not in' : binaryOperators.get(tokens[0]!.tokenType)!,
        operatorSpan: spanOf(tokens[0]!, tokens[tokens.length - 1]!),
      }));
    },
    { recoveryValueFunc: () => ({ operator: '==' as BinaryOperator, operatorSpan: { start: 0, end: 0 } }) },
  );

  // operand → literal | list | callOrPath | '(' orExpr ')'
  public operand = this.RULE(
    'operand',
    (): Expr =>
      this.OR([
        { ALT: () => this.SUBRULE(this.literal) },
        { ALT: () => this.SUBRULE(this.list) },
        { ALT: () => this.SUBRULE(this.callOrPath) },
        { ALT: () => this.SUBRULE(this.parenthesized) },
      ]),
    recovery,
  );

  // parenthesized → '(' orExpr ')'
  public parenthesized = this.RULE(
    'parenthesized',
    (): Expr => {
      const open = this.CONSUME(T.LParen);
      const inner = this.SUBRULE(this.orExpr);
      const close = this.CONSUME(T.RParen);
      // The span covers the parentheses so `explain` highlights what the user wrote.
      return this.ACTION(() => ({ ...inner, ...spanOf(open, close) }));
    },
    recovery,
  );

  // literal → string | number | true | false | null
  public literal = this.RULE(
    'literal',
    (): Expr => {
      let token!: IToken;
      let value: string | number | boolean | null = null;
      this.OR([
        {
          ALT: () => {
            token = this.CONSUME(T.StringLiteral);
            value = this.ACTION(() => this.decodeString(token));
          },
        },
        {
          ALT: () => {
            token = this.CONSUME(T.NumberLiteral);
            value = this.ACTION(() => Number(token.image));
          },
        },
        {
          ALT: () => {
            token = this.CONSUME(T.True);
            value = true;
          },
        },
        {
          ALT: () => {
            token = this.CONSUME(T.False);
            value = false;
          },
        },
        {
          ALT: () => {
            token = this.CONSUME(T.Null);
            value = null;
          },
        },
      ]);
      return this.ACTION(() => ({ type: 'literal', value, ...spanOf(token, token) }));
    },
    recovery,
  );

  // list → '[' (operand (',' operand)*)? ']'
  public list = this.RULE(
    'list',
    (): Expr => {
      const items: Expr[] = [];
      const open = this.CONSUME(T.LBracket);
      this.MANY_SEP({ SEP: T.Comma, DEF: () => items.push(this.SUBRULE(this.operand)) });
      const close = this.CONSUME(T.RBracket);
      return this.ACTION(() => ({ type: 'list', items, ...spanOf(open, close) }));
    },
    recovery,
  );

  // callOrPath → Identifier '(' (operand (',' operand)*)? ')' | Identifier ('.' Name | '[' string ']')*
  public callOrPath = this.RULE(
    'callOrPath',
    (): Expr => {
      const head = this.CONSUME(T.Identifier);
      return this.OR([{ ALT: () => this.callArguments(head) }, { ALT: () => this.pathTail(head) }]);
    },
    recovery,
  );

  private callArguments(head: IToken): Expr {
    const args: Expr[] = [];
    this.CONSUME(T.LParen);
    this.MANY_SEP2({ SEP: T.Comma, DEF: () => args.push(this.SUBRULE2(this.operand)) });
    const close = this.CONSUME(T.RParen);
    return this.ACTION(() => ({
      type: 'call',
      name: head.image,
      nameSpan: spanOf(head, head),
      args,
      ...spanOf(head, close),
    }));
  }

  private pathTail(head: IToken): PathNode {
    const segments = [head.image];
    let last = head;
    this.MANY2(() => {
      this.OR2([
        {
          ALT: () => {
            this.CONSUME(T.Dot);
            last = this.CONSUME(T.Name);
            segments.push(last.image);
          },
        },
        {
          ALT: () => {
            this.CONSUME2(T.LBracket);
            const key = this.CONSUME2(T.StringLiteral);
            last = this.CONSUME2(T.RBracket);
            this.ACTION(() => {
              this.pathStrings?.push(key.startOffset);
              segments.push(this.decodeString(key));
            });
          },
        },
      ]);
    });
    return this.ACTION(() => ({ type: 'path', segments, ...spanOf(head, last) }));
  }

  private logical(operator: 'and' | 'or', next: () => Expr, separator: TokenType): Expr {
    const operands = [this.SUBRULE(next as never) as Expr];
    this.MANY(() => {
      this.CONSUME(separator);
      operands.push(this.SUBRULE2(next as never) as Expr);
    });
    return this.ACTION(() =>
      operands.length === 1
        ? operands[0]!
        : { type: 'logical', operator, operands, start: operands[0]!.start, end: operands.at(-1)!.end },
    );
  }

  private decodeString(token: IToken): string {
    const decoded = decodeStringLiteral(token.image);
    if (decoded.error) {
      this.diagnostics?.add(decoded.error.message, token.startOffset + decoded.error.offset, decoded.error.length);
    }
    return decoded.value;
  }
}
