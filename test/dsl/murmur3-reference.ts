/**
 * A textbook MurmurHash3_x86_32 over a byte array (Austin Appleby's reference algorithm, blocks then
 * tail then fmix32), written for the tests so that `bucket()` is checked against an implementation that
 * shares nothing with src/dsl/functions/bucket.ts (which streams UTF-16 without building bytes).
 */

const C1 = 0xcc9e2d51;
const C2 = 0x1b873593;

function rotl32(x: number, r: number): number {
  return (x << r) | (x >>> (32 - r));
}

export function murmur3x86_32(bytes: Uint8Array, seed = 0): number {
  let h = seed | 0;
  const length = bytes.length;
  const blockEnd = length - (length % 4);
  for (let i = 0; i < blockEnd; i += 4) {
    let k = bytes[i]! | (bytes[i + 1]! << 8) | (bytes[i + 2]! << 16) | (bytes[i + 3]! << 24);
    k = Math.imul(k, C1);
    k = rotl32(k, 15);
    k = Math.imul(k, C2);
    h ^= k;
    h = rotl32(h, 13);
    h = (Math.imul(h, 5) + 0xe6546b64) | 0;
  }
  const tail = length & 3;
  if (tail > 0) {
    let k1 = 0;
    if (tail === 3) k1 ^= bytes[blockEnd + 2]! << 16;
    if (tail >= 2) k1 ^= bytes[blockEnd + 1]! << 8;
    k1 ^= bytes[blockEnd]!;
    k1 = Math.imul(k1, C1);
    k1 = rotl32(k1, 15);
    k1 = Math.imul(k1, C2);
    h ^= k1;
  }
  h ^= length;
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h >>> 0;
}

const encoder = new TextEncoder();

/** The documented bucketing input: UTF-8 of `salt + ":" + text` (TextEncoder turns lone surrogates into U+FFFD). */
export function referenceSaltedHash(salt: string, text: string): number {
  return murmur3x86_32(encoder.encode(`${salt}:${text}`));
}

/** The documented formula: floor(h * 100000 / 2^32) / 1000. */
export function referenceBucketFromHash(hash: number): number {
  return Math.floor((hash * 100000) / 2 ** 32) / 1000;
}

/** Text a bucketable value hashes as (ECMAScript Number::toString for numbers), or null. */
export function referenceBucketText(value: unknown): string | null {
  if (typeof value === 'string') return value;
  if (typeof value === 'number' && Number.isFinite(value)) return String(value);
  return null;
}

export function referenceBucket(value: unknown, salt: unknown): number | null {
  const text = referenceBucketText(value);
  if (text === null || typeof salt !== 'string') return null;
  return referenceBucketFromHash(referenceSaltedHash(salt, text));
}
