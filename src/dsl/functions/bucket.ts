/**
 * `bucket(value [, salt])`: the user's position in [0, 100) with a resolution of 0.001.
 *
 * The specification, enough to reproduce it in any language:
 *   1. `value` must be a string or a finite number (otherwise the result is null). A number is turned
 *      into text the way ECMAScript's Number::toString does (`42`, `2.5`, `1e+21`).
 *   2. input = UTF-8 bytes of  salt + ":" + text   (salt defaults to the flag's salt, i.e. its key).
 *   3. h = MurmurHash3_x86_32(input, seed 0), read as an unsigned 32-bit integer.
 *   4. index = floor(h * 100000 / 2^32), an integer in [0, 100000).
 *   5. bucket = index / 1000.
 * Example vectors are in test/fixtures/bucket-vectors.json.
 *
 * The hash is computed straight from the UTF-16 strings without concatenating them or building a byte
 * array, so bucketing allocates nothing on the evaluation hot path.
 */

const C1 = 0xcc9e2d51;
const C2 = 0x1b873593;
const separator = 0x3a; // ':'

function scramble(k: number): number {
  k = Math.imul(k, C1);
  k = (k << 15) | (k >>> 17);
  return Math.imul(k, C2);
}

function mixBlock(h: number, k: number): number {
  h ^= scramble(k);
  h = (h << 13) | (h >>> 19);
  return (Math.imul(h, 5) + 0xe6546b64) | 0;
}

/** UTF-16 code unit `i` of the virtual string salt + ":" + text, without building it. */
function unitAt(salt: string, text: string, i: number): number {
  const saltLength = salt.length;
  return i < saltLength ? salt.charCodeAt(i) : i === saltLength ? separator : text.charCodeAt(i - saltLength - 1);
}

/**
 * MurmurHash3 x86 32-bit (seed 0) of the UTF-8 bytes of `salt + ":" + text`, unsigned.
 * Encodes UTF-8 on the fly into a 4-byte block held in locals: no allocation, no shared state.
 */
export function hashSaltedText(salt: string, text: string): number {
  const length = salt.length + 1 + text.length;
  let h = 0;
  let block = 0;
  let filled = 0; // bytes in `block`
  let total = 0;
  for (let i = 0; i < length; i++) {
    let code = unitAt(salt, text, i);
    if (code < 0x80) {
      // ASCII, the common case (ids, emails): one byte, no encoding work.
      block |= code << (filled << 3);
      if (++filled === 4) {
        h = mixBlock(h, block);
        block = 0;
        filled = 0;
      }
      total++;
      continue;
    }
    let bytes: number; // the UTF-8 encoding, first byte lowest
    let count: number;
    if (code < 0x800) {
      bytes = 0xc0 | (code >> 6) | ((0x80 | (code & 0x3f)) << 8);
      count = 2;
    } else {
      // A surrogate pair (never split across the separator, which is ASCII) is one code point.
      const next = i + 1 < length && i !== salt.length - 1 ? unitAt(salt, text, i + 1) : 0;
      if (code >= 0xd800 && code <= 0xdbff && next >= 0xdc00 && next <= 0xdfff) {
        code = 0x10000 + ((code - 0xd800) << 10) + (next - 0xdc00);
        i++;
        bytes =
          0xf0 |
          (code >> 18) |
          ((0x80 | ((code >> 12) & 0x3f)) << 8) |
          ((0x80 | ((code >> 6) & 0x3f)) << 16) |
          ((0x80 | (code & 0x3f)) << 24);
        count = 4;
      } else {
        if (code >= 0xd800 && code <= 0xdfff) code = 0xfffd; // a lone surrogate becomes U+FFFD, as TextEncoder does
        bytes = 0xe0 | (code >> 12) | ((0x80 | ((code >> 6) & 0x3f)) << 8) | ((0x80 | (code & 0x3f)) << 16);
        count = 3;
      }
    }
    for (let b = 0; b < count; b++) {
      block |= ((bytes >>> (b << 3)) & 0xff) << (filled << 3);
      if (++filled === 4) {
        h = mixBlock(h, block);
        block = 0;
        filled = 0;
      }
    }
    total += count;
  }
  if (filled > 0) h ^= scramble(block);
  h ^= total;
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h >>> 0;
}

/** The text a bucketable value hashes as, or null when the value cannot be bucketed. */
export function bucketText(value: unknown): string | null {
  if (typeof value === 'string') return value;
  if (typeof value === 'number' && Number.isFinite(value)) return String(value);
  return null;
}

/** Integer bucket in [0, 100000), or -1 when the value cannot be bucketed. Used by rollouts. */
export function bucketIndex(salt: string, value: unknown): number {
  const text = bucketText(value);
  if (text === null) return -1;
  return Math.floor((hashSaltedText(salt, text) * 100000) / 4294967296);
}

/** `bucket(value, salt)` as the rule language sees it: a number in [0, 100), or null. */
export function bucket(value: unknown, salt: unknown): number | null {
  if (typeof salt !== 'string') return null;
  const index = bucketIndex(salt, value);
  return index < 0 ? null : index / 1000;
}
