import { describe, expect, it } from 'vitest';
import { compileRule } from '../../src/index.js';
import { matches } from './helpers.js';

/** Pairs of values whose equality is interesting; the expected result of left == right. */
const equalityCases: Array<[unknown, unknown, boolean]> = [
  [30, 30, true],
  ['30', 30, false],
  [30, '30', false],
  ['pro', 'pro', true],
  ['pro', 'Pro', false],
  [true, true, true],
  [true, 1, false],
  [true, 'true', false],
  [false, 0, false],
  [false, null, false],
  ['', null, false],
  [0, null, false],
  [null, null, true],
  [undefined, null, true],
  [undefined, undefined, true],
  [1.5, 1.5, true],
  [0, -0, true],
];

describe('== and !=', () => {
  it.each(equalityCases)('%j == %j is %s (attribute against attribute)', (a, b, expected) => {
    const context: Record<string, unknown> = {};
    if (a !== undefined) context.a = a;
    if (b !== undefined) context.b = b;
    expect(matches('a == b', context)).toBe(expected);
  });

  it.each(equalityCases.filter(([, b]) => b !== undefined))('%j == literal %j is %s', (a, b, expected) => {
    const context = a === undefined ? {} : { a };
    expect(matches(`a == ${JSON.stringify(b)}`, context)).toBe(expected);
    expect(matches(`${JSON.stringify(b)} == a`, context)).toBe(expected);
  });

  it.each(equalityCases)('%j != %j is exactly not (%j == %j)', (a, b) => {
    const context: Record<string, unknown> = {};
    if (a !== undefined) context.a = a;
    if (b !== undefined) context.b = b;
    const equal = matches('a == b', context);
    expect(matches('a != b', context)).toBe(!equal);
    expect(matches('not (a == b)', context)).toBe(!equal);
  });

  it('makes a missing attribute equal to null', () => {
    expect(matches('missing == null', {})).toBe(true);
    expect(matches('null == missing', {})).toBe(true);
    expect(matches('missing != null', {})).toBe(false);
    expect(matches('missing == other.missing', {})).toBe(true);
  });

  it('compares deeply nested JSON values without throwing, and explain agrees', () => {
    const nested = `${'['.repeat(20_000)}1${']'.repeat(20_000)}`;
    const context = JSON.parse(`{"a": ${nested}, "b": ${nested}}`);
    const rule = compileRule('a == b');
    const result = rule.evaluate(context);
    expect(typeof result).toBe('boolean');
    expect(rule.explain(context).matched).toBe(result);
  });

  it('makes an explicit null equal to null but not to false, 0 or ""', () => {
    expect(matches('x == null', { x: null })).toBe(true);
    expect(matches('x == false or x == 0 or x == ""', { x: null })).toBe(false);
  });
});

describe('< <= > >=', () => {
  it.each([
    ['age > 18', { age: 30 }, true],
    ['age > 30', { age: 30 }, false],
    ['age >= 30', { age: 30 }, true],
    ['age < 30', { age: 29.5 }, true],
    ['age <= 29.5', { age: 29.5 }, true],
    ['age < -1', { age: -3 }, true],
    ['18 < age', { age: 30 }, true],
    ['a < b', { a: 1, b: 2 }, true],
  ])('compares numbers: %s on %j is %s', (source, context, expected) => {
    expect(matches(source, context)).toBe(expected);
  });

  it.each([
    ['name < "b"', { name: 'abc' }, true],
    ['name > "abc"', { name: 'abd' }, true],
    ['name >= "abc"', { name: 'abc' }, true],
    ['name < "abc"', { name: 'ab' }, true],
    ['v > "9"', { v: '10' }, false],
    ['name > "B"', { name: 'a' }, true],
    ['name < "b"', { name: '' }, true],
  ])('compares strings by code units: %s on %j is %s', (source, context, expected) => {
    expect(matches(source, context)).toBe(expected);
  });

  it.each([
    ['a number and a numeric string', 30, '20'],
    ['a numeric string and a number', '30', 20],
    ['two booleans', true, false],
    ['a boolean and a number', true, 0],
    ['null and a number', null, 1],
    ['a number and null', 1, null],
    ['two nulls', null, null],
    ['two lists', [2], [1]],
    ['two objects', { a: 2 }, { a: 1 }],
    ['a string and a list', 'b', ['a']],
  ])('is false for all four operators between %s', (_, a, b) => {
    for (const op of ['<', '<=', '>', '>=']) {
      expect(matches(`a ${op} b`, { a, b })).toBe(false);
    }
  });

  it('is false between a missing attribute and anything, in both directions', () => {
    for (const op of ['<', '<=', '>', '>=']) {
      expect(matches(`missing ${op} 1`, {})).toBe(false);
      expect(matches(`1 ${op} missing`, {})).toBe(false);
      expect(matches(`missing ${op} "a"`, {})).toBe(false);
    }
  });

  it('is false, not an error, between versions, dates and other types', () => {
    for (const source of [
      'semver("1.0.0") < "2.0.0"',
      'semver("1.0.0") < 2',
      'date("2024-01-01") < 1e15',
      'date("2024-01-01") < "2025-01-01"',
      'semver("1.0.0") < date("2024-01-01")',
      'date("2024-01-01") > semver("1.0.0")',
    ]) {
      expect(matches(source)).toBe(false);
    }
  });

  it('compares versions by SemVer precedence', () => {
    expect(matches('semver(v) < semver("1.10.0")', { v: '1.9.0' })).toBe(true);
    expect(matches('v < "1.10.0"', { v: '1.9.0' })).toBe(false);
  });

  it('compares dates as instants', () => {
    expect(matches('date(a) < date(b)', { a: '2024-01-01T23:00:00-02:00', b: '2024-01-02T00:30:00Z' })).toBe(false);
    expect(matches('date(a) > date(b)', { a: '2024-01-01T23:00:00-02:00', b: '2024-01-02T00:30:00Z' })).toBe(true);
  });

  it('is not the negation of the opposite operator when the values do not compare', () => {
    expect(matches('age < 18', { age: 'x' })).toBe(false);
    expect(matches('age >= 18', { age: 'x' })).toBe(false);
    expect(matches('not (age < 18)', { age: 'x' })).toBe(true);
  });

  it('never throws whatever the operands are', () => {
    const rule = compileRule('a < b or a <= b or a > b or a >= b');
    const values = [null, true, 0, -1, 'a', '', [], [1], {}, { a: 1 }];
    for (const a of values) for (const b of values) expect(typeof rule.evaluate({ a, b })).toBe('boolean');
  });
});
