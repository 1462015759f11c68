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
 * The hash is computed straight from the UTF-16 string without building a byte array, so bucketing
 * allocates nothing on the evaluation hot path.
 */

const C1 = 0xcc9e2d51;
const C2 = 0x1b873593;

// Streaming state, reset by every call; evaluation is single-threaded and never re-entrant here.
let hash = 0;
let block = 0;
let blockBytes = 0;
let totalBytes = 0;

function mixBlock(k: number): void {
  k = Math.imul(k, C1);
  k = (k << 15) | (k >>> 17);
  k = Math.imul(k, C2);
  hash ^= k;
  hash = (hash << 13) | (hash >>> 19);
  hash = (Math.imul(hash, 5) + 0xe6546b64) | 0;
}

function pushByte(byte: number): void {
  block |= byte << (blockBytes * 8);
  totalBytes++;
  if (++blockBytes === 4) {
    mixBlock(block);
    block = 0;
    blockBytes = 0;
  }
}

function pushUtf8(text: string): void {
  for (let i = 0; i < text.length; i++) {
    let code = text.charCodeAt(i);
    if (code < 0x80) {
      pushByte(code);
      continue;
    }
    if (code < 0x800) {
      pushByte(0xc0 | (code >> 6));
      pushByte(0x80 | (code & 0x3f));
      continue;
    }
    if (code >= 0xd800 && code <= 0xdbff && i + 1 < text.length) {
      const low = text.charCodeAt(i + 1);
      if (low >= 0xdc00 && low <= 0xdfff) {
        code = 0x10000 + ((code - 0xd800) << 10) + (low - 0xdc00);
        i++;
        pushByte(0xf0 | (code >> 18));
        pushByte(0x80 | ((code >> 12) & 0x3f));
        pushByte(0x80 | ((code >> 6) & 0x3f));
        pushByte(0x80 | (code & 0x3f));
        continue;
      }
    }
    // A lone surrogate is encoded as U+FFFD, as TextEncoder does.
    if (code >= 0xd800 && code <= 0xdfff) code = 0xfffd;
    pushByte(0xe0 | (code >> 12));
    pushByte(0x80 | ((code >> 6) & 0x3f));
    pushByte(0x80 | (code & 0x3f));
  }
}

/** MurmurHash3 x86 32-bit (seed 0) of the UTF-8 bytes of `salt + ":" + text`, unsigned. */
export function hashSaltedText(salt: string, text: string): number {
  hash = 0;
  block = 0;
  blockBytes = 0;
  totalBytes = 0;
  pushUtf8(salt);
  pushByte(0x3a /* ':' */);
  pushUtf8(text);
  if (blockBytes > 0) {
    let k = Math.imul(block, C1);
    k = (k << 15) | (k >>> 17);
    k = Math.imul(k, C2);
    hash ^= k;
  }
  let h = hash ^ totalBytes;
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
