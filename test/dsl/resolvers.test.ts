import { describe, expect, it, vi } from 'vitest';
import { checkRule, compileRule, type RuleResolvers } from '../../src/index.js';
import { diagnosticsOf, messagesOf } from './helpers.js';

describe('segment() and flag() without resolvers', () => {
  it('rejects segment() with a message saying no segment resolver was given', () => {
    expect(diagnosticsOf('plan == "pro" and segment("beta")')).toEqual([
      {
        message: 'segment() is only available in flag rules (no segment resolver was given to the compiler)',
        line: 1,
        column: 19,
        offset: 18,
        length: 7,
      },
    ]);
  });

  it('rejects flag() with a message saying no flag resolver was given', () => {
    expect(messagesOf('flag("new-ui") == "on"')).toEqual([
      'flag() is only available in flag rules (no flag resolver was given to the compiler)',
    ]);
  });

  it('rejects flag() when only a segment resolver was given, and the reverse', () => {
    expect(messagesOf('flag("k") == 1', { resolvers: { segment: () => true } })).toEqual([
      'flag() is only available in flag rules (no flag resolver was given to the compiler)',
    ]);
    expect(messagesOf('segment("s")', { resolvers: { flag: () => 1 } })).toEqual([
      'segment() is only available in flag rules (no segment resolver was given to the compiler)',
    ]);
  });
});

describe('segment() and flag() arguments', () => {
  const resolvers: RuleResolvers = { segment: () => true, flag: () => 1 };

  it.each([
    ['segment()', 'segment() takes exactly 1 argument (the segment name), got 0'],
    ['segment("a", "b")', 'segment() takes exactly 1 argument (the segment name), got 2'],
    ['flag()', 'flag() takes exactly 1 argument (the flag key), got 0'],
    ['segment(name)', 'segment() needs a quoted segment name'],
    ['segment(1)', 'segment() needs a quoted segment name'],
    ['flag(lower("K"))', 'flag() needs a quoted flag key'],
  ])('rejects %s: %s', (source, message) => {
    expect(messagesOf(`${source} == true`, { resolvers })).toEqual([message]);
  });

  it('lists the segments and flags a rule references, once each', () => {
    const rule = compileRule('segment("beta") or segment("staff") or flag("a") == 1 or segment("beta")', { resolvers });
    expect(rule.segments).toEqual(['beta', 'staff']);
    expect(rule.flags).toEqual(['a']);
  });
});

describe('segment() and flag() with resolvers', () => {
  it('calls the segment resolver with the name, the context and the evaluation scope', () => {
    const segment = vi.fn(() => true);
    const rule = compileRule('segment("beta")', { resolvers: { segment } });
    const context = { id: 'u1' };
    const scope = { snapshot: 7 };
    expect(rule.evaluate(context, scope)).toBe(true);
    expect(segment).toHaveBeenCalledWith('beta', context, scope);
  });

  it('calls the flag resolver with the key, the context and the scope, and compares its value', () => {
    const flag = vi.fn((key: string) => (key === 'new-ui' ? 'on' : undefined));
    const rule = compileRule('flag("new-ui") == "on" and flag("other") == null', { resolvers: { flag } });
    expect(rule.evaluate({ id: 'u1' }, 'scope')).toBe(true);
    expect(flag).toHaveBeenCalledWith('new-ui', { id: 'u1' }, 'scope');
    expect(flag).toHaveBeenCalledWith('other', { id: 'u1' }, 'scope');
  });

  it('counts a segment as matched only when its resolver returns exactly true', () => {
    for (const [result, expected] of [
      [true, true],
      ['true', false],
      [1, false],
      [undefined, false],
    ] as const) {
      const rule = compileRule('segment("beta")', { resolvers: { segment: () => result as boolean } });
      expect(rule.evaluate({})).toBe(expected);
      expect(rule.explain({}).matched).toBe(expected);
    }
  });

  it('lets flag values take part in any comparison', () => {
    const flags: Record<string, unknown> = { tier: 3, variant: 'blue-2', list: ['a'] };
    const resolvers: RuleResolvers = { flag: (key) => flags[key] };
    const rule = compileRule(
      'flag("tier") >= 2 and flag("variant") startsWith "blue" and "a" in flag("list") and flag("none") == null',
      { resolvers },
    );
    expect(rule.evaluate({})).toBe(true);
    expect(rule.explain({}).matched).toBe(true);
  });

  it('passes the scope through explain() too', () => {
    const segment = vi.fn((_name: string, _context: unknown, scope: unknown) => scope === 'S');
    const rule = compileRule('segment("beta")', { resolvers: { segment } });
    expect(rule.explain({}, 'S').matched).toBe(true);
    expect(rule.explain({}, 'T').matched).toBe(false);
    expect(segment).toHaveBeenLastCalledWith('beta', {}, 'T');
  });

  it('does not call a resolver for an operand that short-circuiting skips', () => {
    const segment = vi.fn(() => true);
    const flag = vi.fn(() => 1);
    const rule = compileRule('plan == "pro" and segment("beta") or flag("x") == 1', { resolvers: { segment, flag } });
    expect(rule.evaluate({ plan: 'free' })).toBe(true);
    expect(segment).not.toHaveBeenCalled();
    expect(flag).toHaveBeenCalledTimes(1);
    expect(rule.evaluate({ plan: 'pro' })).toBe(true);
    expect(segment).toHaveBeenCalledTimes(1);
    expect(flag).toHaveBeenCalledTimes(1);
  });

  it('accepts segment() and flag() in checkRule only when the resolvers are passed', () => {
    expect(checkRule('segment("a") and flag("b") == 1').ok).toBe(false);
    expect(checkRule('segment("a") and flag("b") == 1', { resolvers: { segment: () => true, flag: () => 1 } }).ok).toBe(
      true,
    );
  });
});
