import { describe, expect, it } from 'vitest';
import { checkRule, compileRule } from '../../src/index.js';
import { matches, valueOf } from './helpers.js';

describe('attribute paths', () => {
  it.each([
    ['plan', { plan: 'pro' }, 'pro'],
    ['user.plan', { user: { plan: 'pro' } }, 'pro'],
    ['a.b.c', { a: { b: { c: 3 } } }, 3],
    ['attrs["x-y"]', { attrs: { 'x-y': 'dash' } }, 'dash'],
    ["attrs['a b'].c", { attrs: { 'a b': { c: 'space' } } }, 'space'],
    ['attrs[""]', { attrs: { '': 'empty key' } }, 'empty key'],
    ['attrs["😀"]', { attrs: { '😀': 'emoji key' } }, 'emoji key'],
    ['attrs["0"]', { attrs: { '0': 'digit key' } }, 'digit key'],
    ['$id', { $id: 7 }, 7],
    ['_private', { _private: 8 }, 8],
    ['user.tags', { user: { tags: ['a', 'b'] } }, ['a', 'b']],
    ['user.settings', { user: { settings: { dark: true } } }, { dark: true }],
  ])('%s reads %j', (source, context, expected) => {
    expect(valueOf(source, context)).toEqual(expected);
  });

  it.each(['in', 'not', 'and', 'or', 'true', 'null', 'contains', 'matches'])(
    'accepts the keyword %s as a property name after a dot',
    (word) => {
      expect(valueOf(`user.${word}`, { user: { [word]: 'value' } })).toBe('value');
    },
  );

  it('does not accept a keyword as the first name of a path', () => {
    expect(checkRule('in == 1').ok).toBe(false);
    expect(checkRule('user.in == 1').ok).toBe(true);
  });

  it('reads names that merely start with a keyword as ordinary names', () => {
    expect(
      matches('order == 1 and android and index and notes and nullable == 0', {
        order: 1,
        android: true,
        index: true,
        notes: true,
        nullable: 0,
      }),
    ).toBe(true);
  });

  it('requires a quoted key inside brackets', () => {
    expect(checkRule('attrs[0] == 1').ok).toBe(false);
    expect(checkRule('attrs[key] == 1').ok).toBe(false);
  });

  it('lists the attributes a rule reads, as written', () => {
    expect(compileRule('a.b.c == 1 or attrs["x-y"] == 2 or user.plan == 3 or a.b.c == 4').attributes).toEqual([
      'a.b.c',
      'attrs["x-y"]',
      'user.plan',
    ]);
  });
});

describe('missing attributes', () => {
  it.each([
    ['plan', {}],
    ['user.plan', {}],
    ['user.plan', { user: null }],
    ['a.b.c.d', { a: { b: {} } }],
    ['attrs["x-y"]', { attrs: {} }],
  ])('%s is null in %j', (source, context) => {
    expect(valueOf(source, context)).toBeNull();
    expect(matches(`${source} == null`, context)).toBe(true);
    expect(matches(`${source} != null`, context)).toBe(false);
  });

  it.each([
    ['a string', 'pro'],
    ['a number', 42],
    ['a boolean', true],
    ['a list', [{ plan: 'pro' }]],
  ])('is null when a step goes into %s', (_, value) => {
    expect(valueOf('user.plan', { user: value })).toBeNull();
  });

  it('is null for any context that is not an object', () => {
    for (const context of [null, undefined, 'plan', 42, true, ['pro']]) expect(valueOf('plan', context)).toBeNull();
  });
});

describe('reading only own properties of plain objects', () => {
  it.each([
    ['constructor', {}],
    ['__proto__', {}],
    ['toString', {}],
    ['hasOwnProperty', {}],
    ['valueOf', {}],
    ['user.constructor', { user: {} }],
    ['user.__proto__', { user: {} }],
    ['name.length', { name: 'abcd' }],
    ['tags.length', { tags: [1, 2, 3] }],
    ['tags["0"]', { tags: ['first'] }],
    ['name["0"]', { name: 'abcd' }],
    ['tags.at', { tags: [1] }],
    ['name.big', { name: 'abcd' }],
    ['n.toFixed', { n: 1 }],
    ['constructor.name', {}],
  ])('%s is null in %j', (source, context) => {
    expect(valueOf(source, context)).toBeNull();
    expect(matches(`${source} == null`, context)).toBe(true);
  });

  it('reads an own property even when its name is inherited elsewhere', () => {
    const context = JSON.parse('{"constructor": "c", "toString": "t", "user": {"length": 3}}');
    expect(matches('constructor == "c" and toString == "t" and user.length == 3', context)).toBe(true);
  });

  it('reads an own __proto__ key of parsed JSON as data without touching the prototype', () => {
    const context = JSON.parse('{"__proto__": {"admin": true}}');
    expect(matches('admin == true', context)).toBe(false);
    expect(matches('admin == null', context)).toBe(true);
  });

  it('reads objects without a prototype', () => {
    const context = Object.assign(Object.create(null) as object, { plan: 'pro' });
    expect(matches('plan == "pro"', context)).toBe(true);
  });

  it('ignores a property that was added to Object.prototype after the rule was compiled', () => {
    const rule = compileRule('vexilPollutedFlag == "yes"');
    expect(rule.evaluate({ vexilPollutedFlag: 'yes' })).toBe(true);
    Object.defineProperty(Object.prototype, 'vexilPollutedFlag', {
      value: 'yes',
      configurable: true,
      writable: true,
      enumerable: false,
    });
    try {
      expect(rule.explain({}).matched).toBe(false);
      expect(rule.evaluate({})).toBe(false);
      expect(rule.evaluate({ vexilPollutedFlag: 'yes' })).toBe(true);
    } finally {
      delete (Object.prototype as Record<string, unknown>).vexilPollutedFlag;
    }
  });

  it('does not read a property an object inherits from a custom prototype', () => {
    const rule = compileRule('plan == "pro"');
    const inherited = Object.create({ plan: 'pro' }) as object;
    expect(rule.evaluate(inherited)).toBe(false);
    expect(rule.explain(inherited).matched).toBe(false);
  });

  it.each([
    ['Object.prototype, before the rule is compiled', Object.prototype, 'vexilEarly', 'vexilEarly == "yes"', {}],
    [
      'Object.prototype, through a nested object',
      Object.prototype,
      'vexilNested',
      'user.vexilNested == "yes"',
      { user: {} },
    ],
    [
      'Object.prototype, through a bracket path',
      Object.prototype,
      'x-vexil',
      'attrs["x-vexil"] == "yes"',
      { attrs: {} },
    ],
    ['String.prototype', String.prototype, 'vexilOnStrings', 'name.vexilOnStrings == "yes"', { name: 'ada' }],
    ['Array.prototype', Array.prototype, 'vexilOnArrays', 'tags.vexilOnArrays == "yes"', { tags: [] }],
  ])('ignores a property polluting %s', (_, prototype, name, source, context) => {
    Object.defineProperty(prototype, name, { value: 'yes', configurable: true, writable: true, enumerable: false });
    try {
      const rule = compileRule(source);
      expect(rule.evaluate(context)).toBe(false);
      expect(rule.explain(context).matched).toBe(false);
    } finally {
      delete (prototype as Record<string, unknown>)[name];
    }
  });

  it('reads own properties of nested objects without a prototype', () => {
    const user = Object.assign(Object.create(null) as object, { plan: 'pro' });
    expect(matches('user.plan == "pro"', { user })).toBe(true);
    expect(valueOf('user.plan', { user })).toBe('pro');
  });

  it('reads nothing from an object with a custom prototype, not even its own properties', () => {
    const custom = Object.assign(Object.create({ inherited: 1 }) as object, { plan: 'pro' });
    expect(matches('plan == "pro"', custom)).toBe(false);
    expect(valueOf('plan', custom)).toBeNull();
  });
});
