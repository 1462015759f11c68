import { describe, expect, it } from 'vitest';
import { checkRule } from '../../src/index.js';
import { diagnosticsOf, matches, messagesOf, valueOf } from './helpers.js';

const R = String.raw;

describe('string literals', () => {
  it.each([
    [R`"pro"`, 'pro'],
    [R`'pro'`, 'pro'],
    [R`""`, ''],
    [R`''`, ''],
    [R`"it's"`, "it's"],
    [R`'say "hi"'`, 'say "hi"'],
    [R`"a\"b"`, 'a"b'],
    [R`'it\'s'`, "it's"],
    [R`"a\'b"`, "a'b"],
    [R`"back\\slash"`, 'back\\slash'],
    [R`"line\nbreak"`, 'line\nbreak'],
    [R`"tab\there"`, 'tab\there'],
    [R`"\u00e9t\u00E9"`, 'été'],
    [R`"\u0000"`, '\u0000'],
    [R`"\uD83D\uDE00"`, '😀'],
    ['"😀 é 日本"', '😀 é 日本'],
    ['"a\u2028b"', 'a\u2028b'],
  ])('%s is the string %j', (source, expected) => {
    expect(valueOf(source)).toBe(expected);
    expect(matches(`x == ${source}`, { x: expected })).toBe(true);
  });

  it('does not decode escapes that are not in the list', () => {
    expect(diagnosticsOf(R`x == "a\qb"`)).toEqual([
      {
        message: R`unknown escape '\q' in string: use \\ \" \' \n \t or \uXXXX`,
        line: 1,
        column: 8,
        offset: 7,
        length: 2,
      },
    ]);
  });

  it.each([R`"\x41"`, R`"\r"`, R`"\0"`, R`"\/"`, R`"\b"`])('rejects the escape in %s', (literal) => {
    expect(messagesOf(`x == ${literal}`)[0]).toMatch(/^unknown escape/);
  });

  it.each([R`"\u12"`, R`"\uZZZZ"`, R`"\u"`, R`"\u{1F600}"`])(
    'rejects the malformed unicode escape in %s',
    (literal) => {
      const [first] = diagnosticsOf(`x == ${literal}`);
      expect(first?.message).toBe(R`invalid unicode escape: write \u followed by four hexadecimal digits`);
      expect(first?.column).toBe(7);
    },
  );

  it('rejects a string that is never closed', () => {
    expect(diagnosticsOf('x == "pro')).toEqual([
      { message: 'unterminated string: add the closing quote', line: 1, column: 6, offset: 5, length: 4 },
    ]);
  });

  it('rejects a raw line break inside a string', () => {
    expect(messagesOf('x == "a\nb"')[0]).toBe('unterminated string: add the closing quote');
  });

  it('does not let one quote style close the other', () => {
    expect(valueOf(`"it's" == 'it"s'`)).toBe(false);
    expect(messagesOf(`x == "pro'`)[0]).toMatch(/unterminated string/);
  });
});

describe('number literals', () => {
  it.each([
    ['42', 42],
    ['-3', -3],
    ['0', 0],
    ['2.5', 2.5],
    ['-0.5', -0.5],
    ['1e3', 1000],
    ['1E3', 1000],
    ['1e-3', 0.001],
    ['2.5e+2', 250],
    ['123456789012', 123456789012],
  ])('%s is the number %d', (source, expected) => {
    expect(valueOf(source)).toBe(expected);
    expect(matches(`x == ${source}`, { x: expected })).toBe(true);
    expect(matches(`x == ${source}`, { x: String(expected) })).toBe(false);
  });

  it.each(['01', '1.', '.5', '+1', '0x10', '1_000', '1e', '--1', '- 1', '1..2', 'NaN == NaN'])(
    'rejects %s as a number',
    (source) => {
      expect(checkRule(`x == ${source}`).ok).toBe(false);
    },
  );

  it('rejects a number too large to represent', () => {
    expect(diagnosticsOf('x == 1e999')).toEqual([
      { message: 'number is out of range', line: 1, column: 6, offset: 5, length: 5 },
    ]);
  });

  it('reads a minus sign directly before a digit as part of the number, also without spaces', () => {
    expect(matches('x==-3', { x: -3 })).toBe(true);
    expect(matches('x<-2', { x: -3 })).toBe(true);
  });
});

describe('true, false and null', () => {
  it.each([
    ['true', true],
    ['false', false],
    ['null', null],
  ])('%s is the literal %s', (source, expected) => {
    expect(valueOf(source)).toBe(expected);
  });

  it('compares true, false and null strictly', () => {
    expect(matches('x == true', { x: true })).toBe(true);
    expect(matches('x == true', { x: 'true' })).toBe(false);
    expect(matches('x == false', { x: 0 })).toBe(false);
    expect(matches('x == null', { x: false })).toBe(false);
    expect(matches('x == null', { x: null })).toBe(true);
  });

  it('treats keywords as case-sensitive, so TRUE and Null are attribute names', () => {
    expect(matches('TRUE == 1', { TRUE: 1 })).toBe(true);
    expect(matches('Null == null', {})).toBe(true);
    expect(matches('Null == null', { Null: 0 })).toBe(false);
  });
});

describe('list literals', () => {
  it.each([
    ['[]', []],
    ['[1]', [1]],
    ['[1, "a", true, null]', [1, 'a', true, null]],
    ["['a','b']", ['a', 'b']],
    ['[[1, 2], []]', [[1, 2], []]],
    ['[\n  1,\n  2\n]', [1, 2]],
    ['[-3, 2.5, 1e3]', [-3, 2.5, 1000]],
  ])('%s is the list %j', (source, expected) => {
    expect(valueOf(source)).toEqual(expected);
  });

  it('evaluates attributes and calls inside a list', () => {
    expect(valueOf('[plan, lower("A"), len("abc")]', { plan: 'pro' })).toEqual(['pro', 'a', 3]);
    expect(matches('"pro" in [plan, "team"]', { plan: 'pro' })).toBe(true);
  });

  it('rejects a trailing comma', () => {
    expect(diagnosticsOf('x in [1, 2,]')).toEqual([
      { message: "expected a value after ',' but found ']'", line: 1, column: 12, offset: 11, length: 1 },
    ]);
  });

  it.each(['x in [,1]', 'x in [1,,2]', 'x in [1 2]', 'x in [1', 'x in 1]'])(
    'rejects the malformed list %s',
    (source) => {
      expect(checkRule(source).ok).toBe(false);
    },
  );

  it('only takes values as items, so a comparison inside a list needs parentheses', () => {
    expect(checkRule('x in [a == 1]').ok).toBe(false);
    expect(matches('true in [(a == 1)]', { a: 1 })).toBe(true);
  });
});
