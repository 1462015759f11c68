/**
 * API key secrets: generation, recognisable prefixes, and hashing.
 *
 * Secrets carry 32 random bytes (256 bits), so a slow password hash (bcrypt, scrypt) buys nothing:
 * brute force is out of reach either way, while a slow hash would cost milliseconds on every request.
 * We store HMAC-SHA256(pepper, secret): fast, and useless to someone holding only the database.
 * The pepper comes from VEXIL_KEY_PEPPER when set (keep it out of the database), else a fixed
 * application constant, which still gives domain separation from plain SHA-256 tables.
 */
import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import type { ApiKeyKind } from '../store/types.js';

const prefixes: Record<ApiKeyKind, string> = {
  evaluation: 'vxl_eval_',
  admin: 'vxl_admin_',
  'read-only': 'vxl_ro_',
  server: 'vxl_srv_',
};
const defaultPepper = 'vexil/api-key/v1';

export function generateSecret(kind: ApiKeyKind): string {
  return prefixes[kind] + randomBytes(32).toString('base64url');
}

export function hashSecret(secret: string, pepper = process.env.VEXIL_KEY_PEPPER || defaultPepper): string {
  return createHmac('sha256', pepper).update(secret, 'utf8').digest('hex');
}

/** Constant-time comparison of two hex hashes of equal length. */
export function hashesEqual(a: string, b: string): boolean {
  const left = Buffer.from(a, 'hex');
  const right = Buffer.from(b, 'hex');
  return left.length === right.length && timingSafeEqual(left, right);
}

/** What lists show of a key: enough to recognise it, far too little to use it. */
export function visiblePrefix(secret: string): string {
  const kindPrefix = Object.values(prefixes).find((prefix) => secret.startsWith(prefix)) ?? '';
  return secret.slice(0, kindPrefix.length + 4);
}

export function kindOfSecret(secret: string): ApiKeyKind | null {
  for (const [kind, prefix] of Object.entries(prefixes)) if (secret.startsWith(prefix)) return kind as ApiKeyKind;
  return null;
}
