/**
 * Tokens of the Vexil rule language.
 *
 * Order matters to Chevrotain's lexer (first match wins): whitespace first for speed, multi-character
 * operators before their prefixes (`!=` before `!`, `<=` before `<`), keywords before Identifier with
 * `longer_alt` so that `order` lexes as one identifier and never as `or` + `der`.
 */
import { createToken, Lexer, type TokenType } from 'chevrotain';

export const WhiteSpace = createToken({ name: 'WhiteSpace', pattern: /[ \t\r\n]+/, group: Lexer.SKIPPED });

/** Any token that may stand as a property name after `.` (identifiers and every keyword). */
export const Name = createToken({ name: 'Name', pattern: Lexer.NA });

export const Identifier = createToken({
  name: 'Identifier',
  pattern: /[A-Za-z_$][A-Za-z0-9_$]*/,
  categories: [Name],
});

/** `and`/`&&`, `or`/`||`, `not`/`!`: one category each, so the parser consumes either spelling in one step. */
export const AndOperator = createToken({ name: 'AndOperator', pattern: Lexer.NA, label: "'and'" });
export const OrOperator = createToken({ name: 'OrOperator', pattern: Lexer.NA, label: "'or'" });
export const NotOperator = createToken({ name: 'NotOperator', pattern: Lexer.NA, label: "'not'" });
/** Every binary operator written as one token (comparisons and the keyword operators). */
export const BinaryOperatorToken = createToken({
  name: 'BinaryOperatorToken',
  pattern: Lexer.NA,
  label: "an operator ('==', 'in', 'contains', ...)",
});

function keyword(name: string, word: string, extraCategories: TokenType[] = []): TokenType {
  return createToken({
    name,
    pattern: new RegExp(word),
    longer_alt: Identifier,
    categories: [Name, ...extraCategories],
  });
}

export const And = keyword('And', 'and', [AndOperator]);
export const Or = keyword('Or', 'or', [OrOperator]);
export const Not = keyword('Not', 'not', [NotOperator]);
export const In = keyword('In', 'in', [BinaryOperatorToken]);
export const Contains = keyword('Contains', 'contains', [BinaryOperatorToken]);
export const StartsWith = keyword('StartsWith', 'startsWith', [BinaryOperatorToken]);
export const EndsWith = keyword('EndsWith', 'endsWith', [BinaryOperatorToken]);
export const Matches = keyword('Matches', 'matches', [BinaryOperatorToken]);
export const True = keyword('True', 'true');
export const False = keyword('False', 'false');
export const Null = keyword('Null', 'null');

export const AndAnd = createToken({ name: 'AndAnd', pattern: /&&/, label: "'&&'", categories: [AndOperator] });
export const OrOr = createToken({ name: 'OrOr', pattern: /\|\|/, label: "'||'", categories: [OrOperator] });

/** Category shared by the six comparison operators, so the parser can name them as one. */
export const ComparisonOperator = createToken({
  name: 'ComparisonOperator',
  pattern: Lexer.NA,
  categories: [BinaryOperatorToken],
});
export const Equal = createToken({ name: 'Equal', pattern: /==/, label: "'=='", categories: [ComparisonOperator] });
export const NotEqual = createToken({
  name: 'NotEqual',
  pattern: /!=/,
  label: "'!='",
  categories: [ComparisonOperator],
});
export const LessEqual = createToken({
  name: 'LessEqual',
  pattern: /<=/,
  label: "'<='",
  categories: [ComparisonOperator],
});
export const GreaterEqual = createToken({
  name: 'GreaterEqual',
  pattern: />=/,
  label: "'>='",
  categories: [ComparisonOperator],
});
export const Less = createToken({ name: 'Less', pattern: /</, label: "'<'", categories: [ComparisonOperator] });
export const Greater = createToken({ name: 'Greater', pattern: />/, label: "'>'", categories: [ComparisonOperator] });
export const Bang = createToken({ name: 'Bang', pattern: /!/, label: "'!'", categories: [NotOperator] });

export const LParen = createToken({ name: 'LParen', pattern: /\(/, label: "'('" });
export const RParen = createToken({ name: 'RParen', pattern: /\)/, label: "')'" });
export const LBracket = createToken({ name: 'LBracket', pattern: /\[/, label: "'['" });
export const RBracket = createToken({ name: 'RBracket', pattern: /]/, label: "']'" });
export const Comma = createToken({ name: 'Comma', pattern: /,/, label: "','" });
export const Dot = createToken({ name: 'Dot', pattern: /\./, label: "'.'" });

export const NumberLiteral = createToken({
  name: 'NumberLiteral',
  pattern: /-?(?:0|[1-9][0-9]*)(?:\.[0-9]+)?(?:[eE][+-]?[0-9]+)?/,
  label: 'a number',
});
// Escapes are validated when the literal is decoded, so a bad escape is reported at its own column.
export const StringLiteral = createToken({
  name: 'StringLiteral',
  pattern: /"(?:[^"\\\r\n]|\\[^\r\n])*"|'(?:[^'\\\r\n]|\\[^\r\n])*'/,
  label: 'a string',
});
/** Matches a string that never closes, so the lexer can say so instead of "unexpected character". */
export const UnterminatedString = createToken({
  name: 'UnterminatedString',
  pattern: /"(?:[^"\\\r\n]|\\[^\r\n])*|'(?:[^'\\\r\n]|\\[^\r\n])*/,
});

export const allTokens: TokenType[] = [
  WhiteSpace,
  NumberLiteral,
  StringLiteral,
  UnterminatedString,
  AndAnd,
  OrOr,
  Equal,
  NotEqual,
  LessEqual,
  GreaterEqual,
  Less,
  Greater,
  Bang,
  LParen,
  RParen,
  LBracket,
  RBracket,
  Comma,
  Dot,
  And,
  Or,
  Not,
  In,
  Contains,
  StartsWith,
  EndsWith,
  Matches,
  True,
  False,
  Null,
  Identifier,
  Name,
  ComparisonOperator,
  AndOperator,
  OrOperator,
  NotOperator,
  BinaryOperatorToken,
];

export const ruleLexer = new Lexer(allTokens, { positionTracking: 'onlyOffset', ensureOptimizations: true });
