import { describe, expect, it } from 'vitest';
import { checkRule, compileRule } from '../../src/index.js';
import { diagnosticsOf, matches, messagesOf } from './helpers.js';

const longList = '[1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, "a", true, null]';

describe('in and not in', () => {
  it.each([
    ['plan in ["pro", "team"]', { plan: 'team' }, true],
    ['plan in ["pro", "team"]', { plan: 'free' }, false],
    ['plan not in ["pro", "team"]', { plan: 'free' }, true],
    ['plan not in ["pro", "team"]', { plan: 'pro' }, false],
    ['"beta" in user.groups', { user: { groups: ['alpha', 'beta'] } }, true],
    ['"beta" in user.groups', { user: { groups: ['alpha'] } }, false],
    ['"beta" not in user.groups', { user: { groups: ['alpha'] } }, true],
    ['x in []', { x: 1 }, false],
    ['x not in []', { x: 1 }, true],
    ['x in [plan, "b"]', { x: 'pro', plan: 'pro' }, true],
  ])('%s on %j is %s', (source, context, expected) => {
    expect(matches(source, context)).toBe(expected);
  });

  it.each([
    ['"1" in [1, 2]', false],
    ['1 in ["1", "2"]', false],
    ['true in [1]', false],
    ['0 in [false, null, ""]', false],
    ['null in [false, 0, ""]', false],
    ['null in [1, null]', true],
    ['"Pro" in ["pro"]', false],
  ])('uses strict equality: %s is %s', (source, expected) => {
    expect(matches(source)).toBe(expected);
  });

  it('finds a missing attribute in a list containing null', () => {
    expect(matches('missing in [1, null]', {})).toBe(true);
    expect(matches('missing in [1, 2]', {})).toBe(false);
    expect(matches('missing not in [1, null]', {})).toBe(false);
  });

  it.each([
    ['a string', 'abc'],
    ['an object', { a: 1 }],
    ['a number', 5],
    ['null', null],
    ['a missing attribute', undefined],
  ])('is false when the right side is %s', (_, right) => {
    const context = right === undefined ? { x: 'a' } : { x: 'a', right };
    expect(matches('x in right', context)).toBe(false);
    expect(matches('"a" in right', context)).toBe(false);
  });

  it('makes not in the negation of in, also for a non-list right side', () => {
    expect(matches('x not in "abc"', { x: 'a' })).toBe(true);
    expect(matches('x not in right', { x: 'a', right: { a: 1 } })).toBe(true);
  });

  it.each([
    [1, true],
    [12, true],
    ['a', true],
    [true, true],
    [null, true],
    [13, false],
    ['1', false],
    ['A', false],
    [false, false],
    [0, false],
  ])('behaves the same with a long literal list: %j in the list is %s', (x, expected) => {
    expect(matches(`x in ${longList}`, { x })).toBe(expected);
    expect(matches(`x not in ${longList}`, { x })).toBe(!expected);
  });

  it('finds a missing attribute in a long list containing null', () => {
    expect(matches(`missing in ${longList}`, {})).toBe(true);
  });

  it('does not treat lists inside lists as equal to lists from the context', () => {
    expect(matches('x in [[1, 2]]', { x: [1, 2] })).toBe(false);
  });
});

describe('contains', () => {
  it.each([
    ['email contains "@example"', { email: 'a@example.com' }, true],
    ['email contains "@other"', { email: 'a@example.com' }, false],
    ['email contains ""', { email: 'a' }, true],
    ['email contains "A"', { email: 'a' }, false],
    ['tags contains "vip"', { tags: ['vip', 'beta'] }, true],
    ['tags contains "vi"', { tags: ['vip'] }, false],
    ['tags contains 1', { tags: ['1'] }, false],
    ['tags contains null', { tags: [null] }, true],
    ['tags contains missing', { tags: [1, null] }, true],
    ['email contains 1', { email: 'a1' }, false],
    ['age contains 3', { age: 30 }, false],
    ['attrs contains "a"', { attrs: { a: 1 } }, false],
    ['missing contains "a"', {}, false],
    ['flag contains true', { flag: true }, false],
  ])('%s on %j is %s', (source, context, expected) => {
    expect(matches(source, context)).toBe(expected);
  });
});

describe('startsWith and endsWith', () => {
  it.each([
    ['email startsWith "admin@"', { email: 'admin@x.io' }, true],
    ['email startsWith "x"', { email: 'admin@x.io' }, false],
    ['email startsWith ""', { email: 'admin@x.io' }, true],
    ['email endsWith ".io"', { email: 'admin@x.io' }, true],
    ['email endsWith ".com"', { email: 'admin@x.io' }, false],
    ['email endsWith email', { email: 'admin@x.io' }, true],
    ['"ab" startsWith "abc"', {}, false],
    ['"😀x" startsWith "😀"', {}, true],
  ])('%s on %j is %s', (source, context, expected) => {
    expect(matches(source, context)).toBe(expected);
  });

  it.each([
    ['a number', 123, '1'],
    ['a list', ['a', 'b'], 'a'],
    ['null', null, ''],
    ['a boolean', true, 't'],
    ['an object', { a: 1 }, 'a'],
  ])('is false when the left side is %s', (_, value, affix) => {
    expect(matches(`x startsWith ${JSON.stringify(affix)}`, { x: value })).toBe(false);
    expect(matches(`x endsWith ${JSON.stringify(affix)}`, { x: value })).toBe(false);
  });

  it('is false when the right side is not a string', () => {
    expect(matches('x startsWith 1', { x: '123' })).toBe(false);
    expect(matches('x endsWith n', { x: '123', n: 3 })).toBe(false);
    expect(matches('x startsWith missing', { x: '123' })).toBe(false);
  });
});

describe('matches', () => {
  it.each([
    ['email matches "^[a-z]+@example\\\\.com$"', 'bob@example.com', true],
    ['email matches "^[a-z]+@example\\\\.com$"', 'bob@exampleXcom', false],
    ['email matches "example"', 'bob@example.com', true],
    ['email matches "^example"', 'bob@example.com', false],
    ['email matches "com$"', 'bob@example.com', true],
    ['email matches "(?i)^BOB@"', 'bob@example.com', true],
    ['email matches "\\\\d{3}"', 'a123b', true],
    ["email matches '^$'", '', true],
  ])('%s on %j is %s', (source, email, expected) => {
    expect(matches(source, { email })).toBe(expected);
  });

  it.each([
    ['a number', 123],
    ['a boolean', true],
    ['null', null],
    ['a list of strings', ['abc']],
    ['an object', { a: 'abc' }],
  ])('never matches %s', (_, value) => {
    expect(matches('x matches ".*"', { x: value })).toBe(false);
    expect(matches('x matches ""', { x: value })).toBe(false);
  });

  it('never matches a missing attribute', () => {
    expect(matches('x matches ".*"', {})).toBe(false);
  });

  it.each([
    ['lookahead', '(?=a)'],
    ['negative lookahead', 'a(?!b)'],
    ['lookbehind', '(?<=a)b'],
    ['a backreference', '(a)\\\\1'],
    ['a possessive quantifier', 'a++'],
    ['an unclosed group', '(a'],
    ['an unclosed class', '[a'],
    ['a dangling repetition', '*a'],
  ])('rejects %s when compiling', (_, pattern) => {
    const diagnostics = diagnosticsOf(`x matches "${pattern}"`);
    expect(diagnostics).toHaveLength(1);
    expect(diagnostics[0]!.message).toMatch(/^invalid regular expression: /);
    expect(diagnostics[0]!.column).toBe(11);
  });

  it('needs a string literal pattern, not an attribute or a computed value', () => {
    expect(messagesOf('x matches pattern')).toEqual(["'matches' needs a quoted regular expression on its right"]);
    expect(messagesOf('x matches lower("A")')).toEqual(["'matches' needs a quoted regular expression on its right"]);
    expect(messagesOf('x matches 1')).toEqual(["'matches' needs a quoted regular expression on its right"]);
  });

  it('runs in linear time: (a+)+$ against a long non-matching input returns quickly', () => {
    const rule = compileRule('x matches "(a+)+$"');
    const input = `${'a'.repeat(100_000)}!`;
    const started = performance.now();
    expect(rule.evaluate({ x: input })).toBe(false);
    expect(rule.explain({ x: input }).matched).toBe(false);
    // A backtracking engine needs about 2^100000 steps here; a linear one a few milliseconds.
    expect(performance.now() - started).toBeLessThan(1_000);
  });

  it('runs in linear time for nested and alternating repetitions too', () => {
    const rule = compileRule('x matches "^(a|aa)*$" or x matches "^(.*a){20}$"');
    const started = performance.now();
    expect(rule.evaluate({ x: `${'a'.repeat(50_000)}b` })).toBe(false);
    expect(performance.now() - started).toBeLessThan(1_000);
  });

  it('accepts a parenthesized pattern literal', () => {
    expect(checkRule('x matches ("^a")').ok).toBe(true);
  });
});
