import { describe, expect, it } from 'vitest';
import { checkRule, compileRule, isRuleError, RuleError } from '../../src/index.js';
import { diagnosticsOf, messagesOf } from './helpers.js';

describe('syntax error messages', () => {
  it.each([
    ['a ==', "expected a value after '==' but found end of input", 1, 5, 0],
    ['', 'expected a value but found end of input', 1, 1, 0],
    ['a and', "expected a value after 'and' but found end of input", 1, 6, 0],
    ['not', "expected a value after 'not' but found end of input", 1, 4, 0],
    ['a contains', "expected a value after 'contains' but found end of input", 1, 11, 0],
    ['(a == 1', "expected ')' after '1' but found end of input", 1, 8, 0],
    ['a in [1, 2', "expected ']' after '2' but found end of input", 1, 11, 0],
    ['a.', "expected a name after '.' but found end of input", 1, 3, 0],
    ['a[1] == 2', "expected a string after '[' but found '1'", 1, 3, 1],
    ['a b', "expected an operator ('and', 'or', '==', 'in', ...) or end of input but found 'b'", 1, 3, 1],
    ['a == 1)', "expected an operator ('and', 'or', '==', 'in', ...) or end of input but found ')'", 1, 7, 1],
    ['a == 1 == 2', "comparisons cannot be chained: combine them with 'and' (found '==' after a comparison)", 1, 8, 2],
    ['a == @', 'unexpected character "@"', 1, 6, 1],
    ['a === b', 'unexpected character "="', 1, 5, 1],
    ['a == "x', 'unterminated string: add the closing quote', 1, 6, 2],
    ['[1,]', "expected a value after ',' but found ']'", 1, 4, 1],
  ])('%j: %s (line %i, column %i)', (source, message, line, column, length) => {
    const [first] = diagnosticsOf(source);
    expect(first).toEqual({ message, line, column, offset: column - 1, length });
  });

  it('writes messages for people, without parser token names', () => {
    const sources = [
      'a ==',
      'a == 1 == 2',
      '(',
      'a[1]',
      'a.',
      'a in [1',
      'x == "\\q"',
      'a b',
      '[not a]',
      'a ! b',
      'lower(a == 1)',
      ')',
      'a <> b',
    ];
    for (const source of sources) {
      for (const message of messagesOf(source)) {
        expect(message).not.toMatch(
          /StringLiteral|NumberLiteral|Identifier|EOF|RParen|LParen|RBracket|LBracket|ComparisonOperator|Token|-->|<\w+>/,
        );
      }
    }
  });
});

describe('positions', () => {
  it('counts lines and columns from 1', () => {
    expect(diagnosticsOf('a == 1 and\n  b == "x\n  and c')).toEqual([
      { message: 'unterminated string: add the closing quote', line: 2, column: 8, offset: 18, length: 2 },
    ]);
  });

  it('treats \\r\\n as one line break', () => {
    expect(diagnosticsOf('a == 1\r\nand b ==\r\n')).toEqual([
      { message: "expected a value after '==' but found end of input", line: 3, column: 1, offset: 18, length: 0 },
    ]);
  });

  it('treats a lone \\r as a line break', () => {
    expect(diagnosticsOf('a == 1\rand b ==')).toEqual([
      { message: "expected a value after '==' but found end of input", line: 2, column: 9, offset: 15, length: 0 },
    ]);
  });

  it('counts a tab as one column', () => {
    expect(diagnosticsOf('\ta == \t')[0]).toMatchObject({ line: 1, column: 8 });
  });

  it('counts columns in UTF-16 code units, so an emoji takes two', () => {
    expect(diagnosticsOf('x == "😀" and y ==')[0]).toMatchObject({ line: 1, column: 19, offset: 18 });
    expect(diagnosticsOf('x == "é" and y ==')[0]).toMatchObject({ line: 1, column: 18, offset: 17 });
  });

  it('points at the problem on a later line of a long rule', () => {
    const source = [
      'plan == "pro"',
      'and country in ["DE", "FR"]',
      'and semver(version) >= semver("2.0.0")',
      'and foo(1)',
    ].join('\n');
    expect(diagnosticsOf(source)).toEqual([
      {
        message: expect.stringMatching(/^unknown function 'foo'/),
        line: 4,
        column: 5,
        offset: source.indexOf('foo'),
        length: 3,
      },
    ]);
  });
});

describe('several errors at once', () => {
  it.each([
    [
      '(a == ) or (b == )',
      [
        [1, 7],
        [1, 18],
      ],
    ],
    [
      'a == 1 and b == and c ==',
      [
        [1, 17],
        [1, 25],
      ],
    ],
    [
      'x in [1,2] and y in [3,,4] or z ==',
      [
        [1, 24],
        [1, 35],
      ],
    ],
    [
      'a == #1 and b == @',
      [
        [1, 6],
        [1, 18],
        [1, 19],
      ],
    ],
    [
      'foo(1) and\nbar(2)',
      [
        [1, 1],
        [2, 1],
      ],
    ],
  ])('reports every error recovery finds in %j', (source, positions) => {
    expect(diagnosticsOf(source).map((d) => [d.line, d.column])).toEqual(positions);
  });

  it('orders diagnostics by position', () => {
    const offsets = diagnosticsOf('a == #1 and b == @ and foo(1)').map((d) => d.offset);
    expect(offsets).toEqual([...offsets].sort((x, y) => x - y));
  });

  it('reports semantic errors together once the syntax is valid', () => {
    expect(messagesOf('foo(1) and x matches "(?=a)" and lower()')).toEqual([
      "unknown function 'foo' (known functions: lower, upper, len, semver, date, now, bucket, segment, flag)",
      'invalid regular expression: error parsing regexp: invalid or unsupported Perl syntax: `(?=`',
      'lower() takes 1 argument, got 0',
    ]);
  });
});

describe('RuleError', () => {
  it('is an Error whose message names the first problem and its position', () => {
    let caught: unknown;
    try {
      compileRule('a ==');
    } catch (error) {
      caught = error;
    }
    expect(caught).toBeInstanceOf(Error);
    expect(caught).toBeInstanceOf(RuleError);
    expect(isRuleError(caught)).toBe(true);
    expect((caught as RuleError).name).toBe('RuleError');
    expect((caught as RuleError).message).toBe("expected a value after '==' but found end of input (line 1, column 5)");
  });

  it('is not confused with other errors', () => {
    expect(isRuleError(new Error('x'))).toBe(false);
    expect(isRuleError(null)).toBe(false);
  });
});

describe('checkRule()', () => {
  it('returns the same diagnostics as compileRule throws, without throwing', () => {
    for (const source of ['a ==', '(a == ) or (b == )', 'foo(1)', 'a == "\\q"', 'x matches "("']) {
      const check = checkRule(source);
      expect(check.ok).toBe(false);
      expect(check.diagnostics).toEqual(diagnosticsOf(source));
    }
  });

  it('returns ok and no diagnostics for a valid rule', () => {
    expect(checkRule('plan == "pro" and age >= 18')).toEqual({ ok: true, diagnostics: [] });
  });

  it('reports a missing resolver like compileRule does', () => {
    expect(checkRule('segment("beta")').ok).toBe(false);
    expect(checkRule('segment("beta")', { resolvers: { segment: () => true } }).ok).toBe(true);
  });
});
