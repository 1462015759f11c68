/**
 * bucket(value [, salt]) — the documented formula (src/dsl/functions/bucket.ts):
 *   h = MurmurHash3_x86_32(UTF-8(salt + ":" + text), seed 0);  bucket = floor(h * 100000 / 2^32) / 1000
 *
 * test/fixtures/bucket-vectors.json was generated with Python's `mmh3` package (an independent C
 * implementation); here each vector is also recomputed with the byte-array reference implementation in
 * murmur3-reference.ts, so the fixture, the reference and src/dsl must all agree.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { bucket, bucketIndex, compileRule, hashSaltedText } from '../../src/index.js';
import {
  murmur3x86_32,
  referenceBucketFromHash,
  referenceBucketText,
  referenceSaltedHash,
} from './murmur3-reference.js';

interface Vector {
  salt: string;
  value: string | number;
  text: string;
  hash: number;
  bucket: number;
  note?: string;
}

const vectors: Vector[] = JSON.parse(readFileSync(new URL('../fixtures/bucket-vectors.json', import.meta.url), 'utf8'));

describe('the reference MurmurHash3 implementation', () => {
  it.each([
    // Published MurmurHash3_x86_32 test vectors.
    ['', 0, 0],
    ['', 1, 0x514e28b7],
    ['', 0xffffffff, 0x81f16f39],
    ['\u0000\u0000\u0000\u0000', 0, 0x2362f9de],
    ['aaaa', 0x9747b28c, 0x5a97808a],
    ['abc', 0, 0xb3dd93fa],
    ['Hello, world!', 0x9747b28c, 0x24884cba],
    ['The quick brown fox jumps over the lazy dog', 0x9747b28c, 0x2fa826cd],
  ])('hashes %j with seed %i to %i', (text, seed, expected) => {
    expect(murmur3x86_32(new TextEncoder().encode(text), seed)).toBe(expected);
  });
});

describe('bucket vectors', () => {
  it('has at least 20 vectors, covering empty strings, non-ASCII, surrogate pairs and numbers', () => {
    expect(vectors.length).toBeGreaterThanOrEqual(20);
    expect(vectors.some((v) => v.salt === '')).toBe(true);
    expect(vectors.some((v) => v.value === '')).toBe(true);
    expect(vectors.some((v) => typeof v.value === 'string' && /[^\x00-\x7f]/.test(v.value))).toBe(true);
    expect(vectors.some((v) => typeof v.value === 'string' && /[\ud800-\udbff][\udc00-\udfff]/.test(v.value))).toBe(
      true,
    );
    expect(vectors.filter((v) => typeof v.value === 'number').length).toBeGreaterThanOrEqual(5);
  });

  it.each(vectors)('$salt : $value — the vector matches the reference hash and the documented formula', (vector) => {
    expect(referenceBucketText(vector.value)).toBe(vector.text);
    expect(referenceSaltedHash(vector.salt, vector.text)).toBe(vector.hash);
    expect(referenceBucketFromHash(vector.hash)).toBe(vector.bucket);
    expect(Math.floor((vector.hash * 100000) / 2 ** 32) / 1000).toBe(vector.bucket);
  });

  it.each(vectors)('$salt : $value — src/dsl computes the same hash and bucket', (vector) => {
    expect(hashSaltedText(vector.salt, vector.text)).toBe(vector.hash);
    expect(bucket(vector.value, vector.salt)).toBe(vector.bucket);
    expect(bucketIndex(vector.salt, vector.value)).toBe(Math.round(vector.bucket * 1000));
  });

  it.each(vectors)('$salt : $value — a compiled rule computes the same bucket', (vector) => {
    const context = { id: vector.value };
    expect(compileRule('bucket(id)', { salt: vector.salt }).explain(context).tree.value).toBe(vector.bucket);
    expect(compileRule(`bucket(id, ${JSON.stringify(vector.salt)}) == ${vector.bucket}`).evaluate(context)).toBe(true);
    expect(
      compileRule(`bucket(${JSON.stringify(vector.value)}) == ${vector.bucket}`, { salt: vector.salt }).evaluate({}),
    ).toBe(true);
  });
});

// 100,000 keys, shared by the statistical tests below (deterministic: the same keys every run).
const KEYS = Array.from({ length: 100_000 }, (_, i) => `user-${i}`);

/** Pearson's chi-square statistic of observed counts against equal expected counts. */
function chiSquareUniform(counts: number[]): number {
  const expected = counts.reduce((a, b) => a + b, 0) / counts.length;
  return counts.reduce((sum, observed) => sum + (observed - expected) ** 2 / expected, 0);
}

describe('bucket distribution', () => {
  it('spreads 100,000 keys uniformly over 100 buckets (chi-square, p > 0.001)', () => {
    const counts = new Array<number>(100).fill(0);
    for (const key of KEYS) counts[Math.floor(bucket(key, 'uniformity')!)]!++;
    // Critical value of chi-square with 99 degrees of freedom at p = 0.001 is 148.23.
    expect(chiSquareUniform(counts)).toBeLessThan(148.2);
    expect(Math.min(...counts)).toBeGreaterThan(0);
  });

  it('spreads sequential numbers uniformly too', () => {
    const counts = new Array<number>(100).fill(0);
    for (let i = 0; i < 100_000; i++) counts[Math.floor(bucket(i, 'numbers')!)]!++;
    expect(chiSquareUniform(counts)).toBeLessThan(148.2);
  });

  it('uses the whole range [0, 100)', () => {
    const values = KEYS.slice(0, 20_000).map((key) => bucket(key, 'range')!);
    expect(Math.min(...values)).toBeLessThan(0.1);
    expect(Math.max(...values)).toBeGreaterThan(99.9);
  });

  it('assigns independent buckets under two salts (chi-square test of independence on deciles, p > 0.001)', () => {
    const table = Array.from({ length: 10 }, () => new Array<number>(10).fill(0));
    for (const key of KEYS) table[Math.floor(bucket(key, 'salt-a')! / 10)]![Math.floor(bucket(key, 'salt-b')! / 10)]!++;
    const rows = table.map((row) => row.reduce((a, b) => a + b, 0));
    const columns = table[0]!.map((_, j) => table.reduce((sum, row) => sum + row[j]!, 0));
    let statistic = 0;
    for (let i = 0; i < 10; i++) {
      for (let j = 0; j < 10; j++) {
        const expected = (rows[i]! * columns[j]!) / KEYS.length;
        statistic += (table[i]![j]! - expected) ** 2 / expected;
      }
    }
    // (10 - 1) * (10 - 1) = 81 degrees of freedom; the critical value at p = 0.001 is 126.08.
    expect(statistic).toBeLessThan(126.08);
  });

  it('has no linear correlation between two salts', () => {
    const a = KEYS.map((key) => bucket(key, 'salt-a')!);
    const b = KEYS.map((key) => bucket(key, 'salt-b')!);
    const mean = (xs: number[]) => xs.reduce((s, x) => s + x, 0) / xs.length;
    const [ma, mb] = [mean(a), mean(b)];
    let cov = 0;
    let va = 0;
    let vb = 0;
    for (let i = 0; i < a.length; i++) {
      cov += (a[i]! - ma) * (b[i]! - mb);
      va += (a[i]! - ma) ** 2;
      vb += (b[i]! - mb) ** 2;
    }
    const r = cov / Math.sqrt(va * vb);
    // Under independence r is approximately normal with standard deviation 1/sqrt(n) ≈ 0.00316 for
    // n = 100,000; 0.0129 is 4.1 standard deviations (two-sided p ≈ 0.00004).
    expect(Math.abs(r)).toBeLessThan(0.0129);
  });

  it('moves most keys to another bucket when the salt changes', () => {
    const moved = KEYS.slice(0, 10_000).filter(
      (key) => Math.floor(bucket(key, 'salt-a')!) !== Math.floor(bucket(key, 'salt-b')!),
    ).length;
    // Independent buckets coincide with probability 1/100.
    expect(moved).toBeGreaterThan(9_800);
  });
});

describe('bucket values', () => {
  it('is deterministic across calls and compiled rules', () => {
    const rule = compileRule('bucket(id)', { salt: 'flag' });
    for (const key of KEYS.slice(0, 200)) {
      const value = bucket(key, 'flag');
      expect(bucket(key, 'flag')).toBe(value);
      expect(rule.explain({ id: key }).tree.value).toBe(value);
      expect(compileRule('bucket(id, "flag")').explain({ id: key }).tree.value).toBe(value);
    }
  });

  it('has a resolution of 0.001 and stays in [0, 100)', () => {
    for (const key of KEYS) {
      const value = bucket(key, 'resolution')!;
      expect(value >= 0 && value < 100).toBe(true);
      const thousandths = Math.round(value * 1000);
      if (thousandths / 1000 !== value || Math.abs(value * 1000 - thousandths) > 1e-6)
        throw new Error(`${key}: ${value} is not a multiple of 0.001`);
    }
  });

  it('equals bucketIndex / 1000, and bucketIndex is an integer in [0, 100000)', () => {
    for (const key of KEYS.slice(0, 5_000)) {
      const index = bucketIndex('idx', key);
      expect(Number.isInteger(index) && index >= 0 && index < 100_000).toBe(true);
      expect(bucket(key, 'idx')).toBe(index / 1000);
    }
  });

  it('buckets a number like its ECMAScript text', () => {
    for (const [number, text] of [
      [42, '42'],
      [-3, '-3'],
      [2.5, '2.5'],
      [1e21, '1e+21'],
      [-0, '0'],
      [0.1, '0.1'],
    ] as const) {
      expect(bucket(number, 's')).toBe(bucket(text, 's'));
    }
  });

  it.each([
    ['null', null],
    ['undefined', undefined],
    ['true', true],
    ['false', false],
    ['an object', { id: 'user-1' }],
    ['a list', ['user-1']],
    ['NaN', Number.NaN],
    ['Infinity', Number.POSITIVE_INFINITY],
  ])('gives null for %s', (_, value) => {
    expect(bucket(value, 'salt')).toBeNull();
    expect(bucketIndex('salt', value)).toBe(-1);
  });

  it('gives null in rules for values from the context that cannot be bucketed', () => {
    const rule = compileRule('bucket(id) == null');
    for (const id of [null, true, false, { a: 1 }, [1]]) expect(rule.evaluate({ id })).toBe(true);
    expect(rule.evaluate({})).toBe(true);
    expect(rule.evaluate({ id: 'user-1' })).toBe(false);
  });

  it('gives null for a salt that is not a string', () => {
    expect(bucket('user-1', 5)).toBeNull();
    expect(compileRule('bucket(id, salt) == null').evaluate({ id: 'user-1', salt: null })).toBe(true);
  });

  it('hashes a lone surrogate as U+FFFD, like TextEncoder', () => {
    expect(hashSaltedText('s', '\ud800')).toBe(hashSaltedText('s', '\ufffd'));
    expect(hashSaltedText('s', 'a\udc00b')).toBe(referenceSaltedHash('s', 'a\udc00b'));
    expect(hashSaltedText('s', '\ud83d')).toBe(referenceSaltedHash('s', '\ud83d'));
  });

  it('agrees with the reference hash on random strings of every UTF-16 code unit class', () => {
    const units = [0x41, 0x7f, 0x80, 0x7ff, 0x800, 0xd7ff, 0xd800, 0xdbff, 0xdc00, 0xdfff, 0xe000, 0xfffd, 0xffff];
    let seed = 12345;
    const next = () => (seed = (Math.imul(seed, 1103515245) + 12345) >>> 0);
    for (let i = 0; i < 2_000; i++) {
      const length = next() % 12;
      const text = String.fromCharCode(
        ...Array.from({ length }, () => units[next() % units.length]! + (next() % 3) - 1),
      );
      const salt = String.fromCharCode(...Array.from({ length: next() % 5 }, () => units[next() % units.length]!));
      expect(hashSaltedText(salt, text)).toBe(referenceSaltedHash(salt, text));
    }
  });
});
