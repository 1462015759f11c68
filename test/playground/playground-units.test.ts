/** The playground's pure helpers (no browser): URL state, context paths and JSON error positions. */
import { describe, expect, it } from 'vitest';
import { contextPaths, hasPath, parsePath } from '../../src/playground/context-paths.js';
import { parseJson } from '../../src/playground/json-check.js';
import { decodeState, defaultState, encodeState } from '../../src/playground/url-state.js';

describe('url state', () => {
  it('round-trips through the hash, Unicode included, and keeps flag and environment only in flag mode', () => {
    const rule = {
      mode: 'rule' as const,
      rule: 'name == "Zoë 😀"',
      context: '{"name": "Zoë 😀"}',
      flag: 'f',
      environment: 'e',
    };
    const hash = encodeState(rule);
    expect(hash).toMatch(/^#s=[A-Za-z0-9_-]+$/);
    expect(decodeState(hash)).toEqual({ mode: 'rule', rule: rule.rule, context: rule.context });
    const flag = { ...defaultState, mode: 'flag' as const, flag: 'new_checkout', environment: 'production' };
    expect(decodeState(encodeState(flag))).toEqual(flag);
  });

  it('ignores hashes that are not its own', () => {
    for (const hash of ['', '#', '#section', '#s=', '#s=!!!', `#s=${Buffer.from('{"v":2}').toString('base64url')}`])
      expect(decodeState(hash)).toBeNull();
  });
});

describe('context paths', () => {
  it('lists readable paths in the gateway notation', () => {
    const paths = contextPaths({
      plan: 'pro',
      user: { address: { country: 'GB' }, in: 1, 'first name': 'Ada' },
      tags: ['a'],
      in: 1,
      'x-y': 2,
    });
    expect(paths.map((p) => p.path)).toEqual([
      'plan',
      'user',
      'user.address',
      'user.address.country',
      'user.in',
      'user["first name"]',
      'tags',
    ]);
    expect(paths.find((p) => p.path === 'tags')?.type).toBe('list');
  });

  it('parses and resolves paths, own properties only', () => {
    expect(parsePath('attrs["x-team"].id')).toEqual(['attrs', 'x-team', 'id']);
    expect(parsePath('.a')).toBeNull();
    const context = { attrs: { 'x-team': null }, list: [1] };
    expect(hasPath(context, 'attrs["x-team"]')).toBe(true);
    expect(hasPath(context, 'attrs.missing')).toBe(false);
    expect(hasPath(context, 'list.length')).toBe(false);
    expect(hasPath(context, 'constructor')).toBe(false);
  });
});

describe('JSON check', () => {
  it('accepts what JSON.parse accepts', () => {
    expect(parseJson(' {"a": [1, -2.5e3, true, null, "\\u00e9"]} ')).toEqual({
      ok: true,
      value: { a: [1, -2500, true, null, 'é'] },
    });
  });

  it.each([
    ['{"plan": }', 1, 10, "expected a value but found '}'"],
    ['{"a": 1,}', 1, 8, "trailing comma before '}'"],
    ['{\n  "a": 1\n  "b": 2\n}', 3, 3, "expected ',' or '}'"],
    ["{'a': 1}", 1, 2, 'a property name in double quotes'],
    ['{"a": "x\\q"}', 1, 9, 'invalid escape'],
    ['', 1, 1, 'end of input'],
    ['{"a": 1} x', 1, 10, 'end of input after the value'],
  ])('%j → line %i, column %i', (text, line, column, message) => {
    const result = parseJson(text);
    expect(result.ok).toBe(false);
    if (!result.ok) expect(result.problem).toMatchObject({ line, column, message: expect.stringContaining(message) });
  });
});
