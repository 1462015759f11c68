import { describe, expect, it } from 'vitest';
import { checkRule, compileRule } from '../../src/index.js';
import { matches, messagesOf } from './helpers.js';

/** Every assignment of true/false to the given names. */
function assignments(names: string[]): Record<string, boolean>[] {
  return Array.from({ length: 2 ** names.length }, (_, bits) =>
    Object.fromEntries(names.map((name, i) => [name, ((bits >> i) & 1) === 1])),
  );
}

/** The rule's verdict on every assignment, as a string like "0110…" so a mismatch shows where. */
function truthTable(source: string, names: string[]): string {
  const rule = compileRule(source);
  return assignments(names)
    .map((context) => (rule.evaluate(context) ? '1' : '0'))
    .join('');
}

describe('logical operators', () => {
  it.each([
    ['a and b', '0001'],
    ['a && b', '0001'],
    ['a or b', '0111'],
    ['a || b', '0111'],
    ['not a', '1010'],
    ['!a', '1010'],
    ['not not a', '0101'],
    ['!!a', '0101'],
    ['!(a and b)', '1110'],
  ])('%s has the truth table %s over (a, b) = 00, 10, 01, 11', (source, table) => {
    expect(truthTable(source, ['a', 'b'])).toBe(table);
  });

  it('lets the word and symbol spellings be mixed', () => {
    expect(truthTable('a and b || not c && !d', ['a', 'b', 'c', 'd'])).toBe(
      truthTable('(a and b) or ((not c) and (not d))', ['a', 'b', 'c', 'd']),
    );
  });

  it('chains any number of operands', () => {
    expect(matches('a and b and c and d', { a: true, b: true, c: true, d: true })).toBe(true);
    expect(matches('a and b and c and d', { a: true, b: true, c: false, d: true })).toBe(false);
    expect(matches('a or b or c or d', { d: true })).toBe(true);
  });

  it('counts only exactly true as true for and/or operands', () => {
    for (const value of ['true', 1, 'yes', [true], { a: true }, null]) {
      expect(matches('a and b', { a: value, b: true })).toBe(false);
      expect(matches('a or b', { a: value, b: false })).toBe(false);
    }
  });

  it('makes not of anything other than exactly true true', () => {
    for (const value of ['true', 1, 0, '', null, [], {}]) expect(matches('not a', { a: value })).toBe(true);
    expect(matches('not a', {})).toBe(true);
  });

  it('needs the words to be separate: "andb" is a name, not "and b"', () => {
    expect(checkRule('a andb').ok).toBe(false);
    expect(checkRule('a and b').ok).toBe(true);
  });

  it('treats keywords as case-sensitive', () => {
    expect(messagesOf('a AND b')).toEqual([
      "expected an operator ('and', 'or', '==', 'in', ...) or end of input but found 'AND'",
    ]);
    expect(checkRule('a Or b').ok).toBe(false);
  });

  it.each(['a &', 'a & b', 'a | b', 'a and', 'or b', 'a or or b', 'not', '()', '(a', 'a)', 'a and (b or c'])(
    'rejects the malformed expression %s',
    (source) => {
      expect(checkRule(source).ok).toBe(false);
    },
  );
});

describe('precedence (lowest first: or, and, not, comparisons)', () => {
  it.each([
    ['a or b and c', 'a or (b and c)', '(a or b) and c'],
    ['a and b or c', '(a and b) or c', 'a and (b or c)'],
    ['a || b && c', 'a || (b && c)', '(a || b) && c'],
    ['not a and b', '(not a) and b', 'not (a and b)'],
    ['not a or b', '(not a) or b', 'not (a or b)'],
    ['!a && b', '(!a) && b', '!(a && b)'],
    ['a or not b and c', 'a or ((not b) and c)', '(a or not b) and c'],
    ['a and b or c and d', '(a and b) or (c and d)', 'a and (b or c) and d'],
  ])('reads %s as %s, not as %s', (source, intended, other) => {
    const names = ['a', 'b', 'c', 'd'];
    expect(truthTable(source, names)).toBe(truthTable(intended, names));
    expect(truthTable(source, names)).not.toBe(truthTable(other, names));
  });

  it.each([
    ['not x == 1', 'not (x == 1)'],
    ['!x == 1', '!(x == 1)'],
    ['not x in [1, 2]', 'not (x in [1, 2])'],
    ['not x contains "a"', 'not (x contains "a")'],
  ])('binds comparisons tighter than not: %s means %s', (source, intended) => {
    for (const x of [1, 2, 3, 'a', 'ab', null, true]) {
      expect(matches(source, { x })).toBe(matches(intended, { x }));
    }
    // And it is not (not x) == 1, which is false for every x (a boolean never equals 1).
    expect([1, 2, 3, 'a', null].some((x) => matches(source, { x }))).toBe(true);
  });

  it('binds comparisons tighter than and/or', () => {
    expect(matches('x == 1 and y == 2 or z == 3', { x: 1, y: 2 })).toBe(true);
    expect(matches('x == 1 and y == 2 or z == 3', { z: 3 })).toBe(true);
    expect(matches('x == 1 and y == 2 or z == 3', { x: 1, z: 4 })).toBe(false);
  });

  it('lets parentheses override precedence, to any reasonable depth', () => {
    expect(matches('((((a))))', { a: true })).toBe(true);
    expect(matches('(a or b) and c', { a: true, c: false })).toBe(false);
    expect(matches('(x == 1)', { x: 1 })).toBe(true);
  });

  it('does not chain comparisons', () => {
    expect(messagesOf('a == 1 == 2')).toEqual([
      "comparisons cannot be chained: combine them with 'and' (found '==' after a comparison)",
    ]);
    expect(messagesOf('a < b < c')[0]).toMatch(/comparisons cannot be chained/);
    expect(checkRule('a in [1] in [2]').ok).toBe(false);
    expect(checkRule('(a == 1) == true').ok).toBe(true);
  });

  it('takes only a value, not a negation, on the right of a comparison', () => {
    expect(checkRule('a == not b').ok).toBe(false);
    expect(checkRule('a == !b').ok).toBe(false);
    expect(matches('a == (not b)', { a: true, b: false })).toBe(true);
  });
});

describe('whole-rule verdict', () => {
  it.each([
    [{ beta: true }, true],
    [{ beta: 'true' }, false],
    [{ beta: 1 }, false],
    [{ beta: [true] }, false],
    [{ beta: false }, false],
    [{}, false],
  ])('matches beta on %j: %s', (context, expected) => {
    expect(matches('beta', context)).toBe(expected);
  });

  it('does not match a rule whose value is not a boolean', () => {
    for (const source of ['"true"', '1', 'null', '[true]', 'lower("TRUE")', 'len("a")'])
      expect(matches(source)).toBe(false);
    expect(matches('true')).toBe(true);
  });

  it('lets whitespace, tabs and line breaks (\\n, \\r\\n) separate tokens', () => {
    expect(matches('a\n\tand\r\n  b', { a: true, b: true })).toBe(true);
  });
});
