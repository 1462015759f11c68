import { describe, expect, it, vi } from 'vitest';
import { bucket, checkRule, compileRule } from '../../src/index.js';
import { diagnosticsOf, matches, messagesOf, valueOf } from './helpers.js';

describe('lower() and upper()', () => {
  it.each([
    ['lower("PrO")', 'pro'],
    ['upper("PrO")', 'PRO'],
    ['lower("ÄÖÜ")', 'äöü'],
    ['upper("straße")', 'STRASSE'],
    ['lower("")', ''],
  ])('%s is %j', (source, expected) => {
    expect(valueOf(source)).toBe(expected);
  });

  it('applies to attributes', () => {
    expect(matches('lower(plan) == "pro"', { plan: 'PRO' })).toBe(true);
    expect(matches('upper(plan) == "PRO"', { plan: 'pro' })).toBe(true);
  });

  it.each([5, true, null, ['A'], { a: 'A' }])('gives null for the non-string %j', (value) => {
    expect(valueOf('lower(x)', { x: value })).toBeNull();
    expect(valueOf('upper(x)', { x: value })).toBeNull();
  });
});

describe('len()', () => {
  it.each([
    ['len("alice")', 5],
    ['len("")', 0],
    ['len([1, 2, 3])', 3],
    ['len([])', 0],
  ])('%s is %d', (source, expected) => {
    expect(valueOf(source)).toBe(expected);
  });

  it('measures attributes', () => {
    expect(matches('len(tags) == 2 and len(name) >= 3', { tags: ['a', 'b'], name: 'bob' })).toBe(true);
  });

  it.each([12345, true, null, { a: 1 }])('gives null for %j, which has no length', (value) => {
    expect(valueOf('len(x)', { x: value })).toBeNull();
  });

  it('gives null for a missing attribute', () => {
    expect(valueOf('len(x)', {})).toBeNull();
  });
});

describe('semver()', () => {
  const precedence = [
    '1.0.0-alpha',
    '1.0.0-alpha.1',
    '1.0.0-alpha.beta',
    '1.0.0-beta',
    '1.0.0-beta.2',
    '1.0.0-beta.11',
    '1.0.0-rc.1',
    '1.0.0',
    '1.0.1',
    '1.1.0',
    '1.10.0',
    '2.0.0',
  ];

  it.each(precedence.slice(0, -1).map((version, i) => [version, precedence[i + 1]!]))(
    'orders %s before %s (SemVer 2.0 precedence)',
    (lower, higher) => {
      const context = { lower, higher };
      expect(matches('semver(lower) < semver(higher)', context)).toBe(true);
      expect(matches('semver(lower) <= semver(higher)', context)).toBe(true);
      expect(matches('semver(higher) > semver(lower)', context)).toBe(true);
      expect(matches('semver(lower) >= semver(higher)', context)).toBe(false);
    },
  );

  it('ignores build metadata for precedence', () => {
    expect(
      matches('semver(a) <= semver(b) and semver(a) >= semver(b)', { a: '1.0.0+build.1', b: '1.0.0+build.2' }),
    ).toBe(true);
  });

  it.each([
    '1.2.3',
    '0.0.0',
    '1.2.3-beta',
    '1.2.3-beta.1+exp.sha.5114f85',
    '1.0.0-0.3.7',
    '1.0.0-x.7.z.92',
    '10.20.30',
  ])('accepts %s', (version) => {
    expect(matches('semver(v) != null', { v: version })).toBe(true);
  });

  it.each([
    '1.2',
    '1',
    '01.2.3',
    '1.02.3',
    '1.2.3-',
    '1.2.3-01',
    '1.2.3+',
    '1.2.3-a..b',
    '1.2.3.4',
    '',
    'latest',
    '=1.2.3',
    '1.2.3 beta',
  ])('gives null for the invalid version %j', (version) => {
    expect(valueOf('semver(v)', { v: version })).toBeNull();
  });

  it.each([123, true, null, ['1.2.3'], { v: '1.2.3' }])('gives null for the non-string %j', (value) => {
    expect(valueOf('semver(v)', { v: value })).toBeNull();
  });

  // Regression: npm's semver.parse trims its input, and semver() used to accept such text.
  it.each([' 1.2.3', '1.2.3 ', '\t1.2.3', '1.2.3\n'])(
    'gives null for %j, which is not a SemVer 2.0 version',
    (version) => {
      expect(valueOf('semver(v)', { v: version })).toBeNull();
    },
  );
});

describe('date()', () => {
  it.each([
    ['2024-01-15', '2024-01-15T00:00:00.000Z'],
    ['2024-01-15T10:30:00Z', '2024-01-15T10:30:00.000Z'],
    ['2024-01-15T10:30:00+02:00', '2024-01-15T08:30:00.000Z'],
    ['2024-01-15T10:30:00-0130', '2024-01-15T12:00:00.000Z'],
    ['2024-01-15T10:30:00.250Z', '2024-01-15T10:30:00.250Z'],
    ['2024-02-29', '2024-02-29T00:00:00.000Z'],
    ['2000-02-29', '2000-02-29T00:00:00.000Z'],
  ])('reads the ISO-8601 text %s as the instant %s', (text, iso) => {
    expect(JSON.stringify(valueOf('date(t)', { t: text }))).toBe(JSON.stringify(iso));
  });

  it('reads epoch milliseconds', () => {
    expect(JSON.stringify(valueOf('date(ms)', { ms: 1000 }))).toBe('"1970-01-01T00:00:01.000Z"');
    expect(
      matches('date(ms) < date("1970-01-01T00:00:01.001Z") and date(ms) > date("1970-01-01T00:00:00.999Z")', {
        ms: 1000,
      }),
    ).toBe(true);
    expect(matches('date(0) < date(-1)')).toBe(false);
  });

  it.each([
    '2024-02-30',
    '2023-02-29',
    '1900-02-29',
    '2024-13-01',
    '2024-00-10',
    '2024-01-32',
    '2024-1-5',
    '20240115',
    '2024-01-15T25:00:00Z',
    '2024-01-15T10:60:00Z',
    'not a date',
    '',
    'yesterday',
  ])('gives null for the invalid date %j', (text) => {
    expect(valueOf('date(t)', { t: text })).toBeNull();
  });

  it.each([true, null, ['2024-01-01'], { t: 1 }])('gives null for %j, which is neither text nor a number', (value) => {
    expect(valueOf('date(t)', { t: value })).toBeNull();
  });

  it('orders dates chronologically', () => {
    expect(matches('date(created) > date("2024-01-01")', { created: '2024-06-01T12:00:00Z' })).toBe(true);
    expect(matches('date(created) > date("2024-01-01")', { created: '2023-12-31T23:59:59Z' })).toBe(false);
  });

  // Regression: the day check used Date.UTC, which maps years 0–99 to 1900–1999 (and 1900 is no leap year).
  it('accepts 29 February of year 0000, a leap year', () => {
    expect(valueOf('date("0000-01-01")')).not.toBeNull();
    expect(JSON.stringify(valueOf('date("0000-02-29")'))).toBe('"0000-02-29T00:00:00.000Z"');
  });
});

describe('now()', () => {
  it('is the current instant', () => {
    const before = Date.now();
    const value = valueOf('now()') as { toJSON(): string };
    const after = Date.now();
    const ms = Date.parse(value.toJSON());
    expect(ms).toBeGreaterThanOrEqual(before);
    expect(ms).toBeLessThanOrEqual(after);
  });

  it('compares with dates', () => {
    expect(matches('date("2000-01-01") < now() and now() < date("9999-12-31")')).toBe(true);
  });

  it('is read at evaluation time, not at compile time', () => {
    vi.useFakeTimers({ toFake: ['Date'] });
    try {
      vi.setSystemTime(new Date('2030-01-01T00:00:00Z'));
      const rule = compileRule('now() > date("2030-06-01")');
      expect(rule.evaluate({})).toBe(false);
      vi.setSystemTime(new Date('2031-01-01T00:00:00Z'));
      expect(rule.evaluate({})).toBe(true);
      expect(rule.explain({}).matched).toBe(true);
    } finally {
      vi.useRealTimers();
    }
  });
});

describe('bucket()', () => {
  it('uses the compile salt when no salt is given', () => {
    expect(valueOf('bucket(id)', { id: 'user-1' }, { salt: 'flag-a' })).toBe(bucket('user-1', 'flag-a'));
    expect(valueOf('bucket(id)', { id: 'user-1' })).toBe(bucket('user-1', ''));
  });

  it('uses an explicit salt instead of the compile salt', () => {
    expect(valueOf('bucket(id, "other")', { id: 'user-1' }, { salt: 'flag-a' })).toBe(bucket('user-1', 'other'));
    expect(bucket('user-1', 'other')).not.toBe(bucket('user-1', 'flag-a'));
  });

  it('is a number in [0, 100) for strings and numbers', () => {
    for (const id of ['user-1', '', '😀', 42, -3.5]) {
      const value = valueOf('bucket(id)', { id }) as number;
      expect(value).toBeGreaterThanOrEqual(0);
      expect(value).toBeLessThan(100);
    }
  });

  it('gives null for values that cannot be bucketed', () => {
    for (const id of [null, true, [1], { a: 1 }]) expect(valueOf('bucket(id)', { id })).toBeNull();
    expect(valueOf('bucket(id, salt)', { id: 'user-1', salt: 5 })).toBeNull();
  });
});

describe('function calls', () => {
  it('rejects an unknown function, naming it and the known ones', () => {
    expect(diagnosticsOf('plan == foo(1)')).toEqual([
      {
        message:
          "unknown function 'foo' (known functions: lower, upper, len, semver, date, now, bucket, segment, flag)",
        line: 1,
        column: 9,
        offset: 8,
        length: 3,
      },
    ]);
  });

  it('treats function names as case-sensitive', () => {
    expect(messagesOf('Lower(plan) == "a"')[0]).toMatch(/^unknown function 'Lower'/);
  });

  it.each([
    ['lower()', 'lower() takes 1 argument, got 0'],
    ['lower(a, b)', 'lower() takes 1 argument, got 2'],
    ['upper()', 'upper() takes 1 argument, got 0'],
    ['len(a, b)', 'len() takes 1 argument, got 2'],
    ['semver()', 'semver() takes 1 argument, got 0'],
    ['date(a, b)', 'date() takes 1 argument, got 2'],
    ['now(1)', 'now() takes 0 arguments, got 1'],
    ['bucket()', 'bucket() takes 1 or 2 arguments, got 0'],
    ['bucket(a, "s", 1)', 'bucket() takes 1 or 2 arguments, got 3'],
  ])('rejects %s: %s', (source, message) => {
    expect(messagesOf(`${source} == 1`)).toEqual([message]);
  });

  it('reports every bad call in a rule', () => {
    expect(diagnosticsOf('foo(1) and lower() and bar(2)').map((d) => d.column)).toEqual([1, 12, 24]);
  });

  it('accepts nested calls and calls with whitespace before the parenthesis', () => {
    expect(matches('len(lower(upper(name))) == 3', { name: 'Bob' })).toBe(true);
    expect(checkRule('lower (plan) == "a"').ok).toBe(true);
  });

  it('folds calls on literals without changing their result', () => {
    expect(
      matches(
        'len("abc") == 3 and lower("ABC") == "abc" and semver("1.0.0") < semver("2.0.0") and date("2024-01-01") < date("2025-01-01")',
      ),
    ).toBe(true);
    expect(matches('date("2024-02-30") == null and semver("nope") == null')).toBe(true);
  });
});
