import { describe, expect, it } from 'vitest';
import { checkRule, compileRule, ruleLimits } from '../../src/index.js';
import { diagnosticsOf, matches, messagesOf } from './helpers.js';

/** `x == "…"` padded with `fill` to exactly `bytes` UTF-8 bytes (fill is one character of `fillBytes` bytes). */
function ruleOfBytes(bytes: number, fill = 'a', fillBytes = 1): string {
  const overhead = 'x == ""'.length;
  const count = (bytes - overhead) / fillBytes;
  if (!Number.isInteger(count)) throw new Error('size not reachable with this fill');
  return `x == "${fill.repeat(count)}"`;
}

describe('source length limit (16 KiB)', () => {
  it('accepts a rule of exactly 16384 bytes', () => {
    const source = ruleOfBytes(16 * 1024);
    expect(Buffer.byteLength(source)).toBe(16384);
    expect(matches(source, { x: 'a'.repeat(16384 - 7) })).toBe(true);
  });

  it('rejects a rule of 16385 bytes, reporting it at line 1, column 1', () => {
    const source = ruleOfBytes(16 * 1024 + 1);
    expect(diagnosticsOf(source)).toEqual([
      { message: 'rule is longer than 16 KiB', line: 1, column: 1, offset: 0, length: source.length },
    ]);
  });

  it('counts UTF-8 bytes, not characters', () => {
    const accepted = ruleOfBytes(16 * 1024 - 1, 'é', 2);
    const rejected = ruleOfBytes(16 * 1024 + 1, 'é', 2);
    expect(rejected.length).toBeLessThan(8300);
    expect(checkRule(accepted).ok).toBe(true);
    expect(messagesOf(rejected)).toEqual(['rule is longer than 16 KiB']);
  });

  it('rejects a huge rule quickly, without parsing it', () => {
    const source = `a == 1${' or a == 1'.repeat(200_000)}`;
    const started = performance.now();
    expect(messagesOf(source)).toEqual(['rule is longer than 16 KiB']);
    expect(performance.now() - started).toBeLessThan(500);
  });
});

describe('nesting limit (64 levels)', () => {
  it('accepts 64 nested parentheses', () => {
    expect(matches(`${'('.repeat(64)}a${')'.repeat(64)}`, { a: true })).toBe(true);
  });

  it('rejects 65 nested parentheses, pointing at the 65th', () => {
    expect(diagnosticsOf(`${'('.repeat(65)}a${')'.repeat(65)}`)).toEqual([
      { message: 'expression is nested deeper than 64 levels', line: 1, column: 65, offset: 64, length: 1 },
    ]);
  });

  it.each([
    ['lists', (n: number) => `x in ${'['.repeat(n)}${']'.repeat(n)}`],
    ['calls', (n: number) => `${'lower('.repeat(n)}x${')'.repeat(n)} == "a"`],
    ['not chains', (n: number) => `${'not '.repeat(n)}x`],
    ['! chains', (n: number) => `${'!'.repeat(n)}x`],
    ['parenthesized comparisons', (n: number) => `${'(x == '.repeat(n)}1${')'.repeat(n)}`],
  ])('accepts shallow %s and rejects ones nested past the limit', (_, nest) => {
    expect(checkRule(nest(30)).ok).toBe(true);
    expect(messagesOf(nest(70))).toEqual(['expression is nested deeper than 64 levels']);
  });

  it.each([
    ['parentheses', `${'('.repeat(5000)}a${')'.repeat(5000)}`],
    ['unbalanced parentheses', '('.repeat(16_000)],
    ['lists', `x in ${'['.repeat(5000)}${']'.repeat(5000)}`],
    ['a not chain', `${'not '.repeat(4000)}a`],
    ['a ! chain', `${'!'.repeat(16_000)}a`],
  ])('rejects thousands of nested %s with a diagnostic, not a stack overflow', (_, source) => {
    expect(messagesOf(source)).toEqual(['expression is nested deeper than 64 levels']);
  });

  it('does not count long flat chains of and/or as nesting', () => {
    const source = Array.from({ length: 500 }, (_, i) => `a == ${i}`).join(' or ');
    expect(matches(source, { a: 499 })).toBe(true);
  });
});

describe('list length limit (10,000 items)', () => {
  function list(count: number): string {
    return `x in [${Array.from({ length: count }, () => '1').join(',')}]`;
  }

  it('accepts the longest list that fits in the source limit', () => {
    expect(matches(`x in [${Array.from({ length: 8000 }, (_, i) => i % 10).join(',')}]`, { x: 9 })).toBe(true);
  });

  it('rejects a list of 10,001 items', () => {
    // With the default limits such a list is always longer than 16 KiB (≥ 20,003 bytes), so it is
    // rejected by the source limit before the list limit is reached.
    expect(checkRule(list(10_001)).ok).toBe(false);
  });

  it('has a list limit of its own, seen once the source limit is raised', () => {
    const limits = ruleLimits as { maxSourceBytes: number };
    const saved = limits.maxSourceBytes;
    limits.maxSourceBytes = 1024 * 1024;
    try {
      expect(checkRule(list(10_000)).ok).toBe(true);
      expect(diagnosticsOf(list(10_001))).toEqual([
        {
          message: 'list has 10001 items; the limit is 10000',
          line: 1,
          column: 6,
          offset: 5,
          length: list(10_001).length - 5,
        },
      ]);
    } finally {
      limits.maxSourceBytes = saved;
    }
    expect(checkRule(list(10_000)).ok).toBe(false);
  });

  it('exposes the limits it enforces', () => {
    expect(ruleLimits).toEqual({ maxSourceBytes: 16384, maxDepth: 64, maxListItems: 10000 });
  });

  it('compiles and evaluates a rule near every limit quickly', () => {
    const items = Array.from({ length: 2000 }, (_, i) => `"k${i}"`).join(',');
    const source = `${'('.repeat(60)}x in [${items}]${')'.repeat(60)}`;
    expect(Buffer.byteLength(source)).toBeLessThanOrEqual(16384);
    const started = performance.now();
    const rule = compileRule(source);
    expect(rule.evaluate({ x: 'k1999' })).toBe(true);
    expect(rule.evaluate({ x: 'k2000' })).toBe(false);
    expect(performance.now() - started).toBeLessThan(1000);
  });
});
