/**
 * Every API key's hash and metadata, held in memory and kept current from the change feed, so that
 * authenticating a request is one map lookup (no database round trip on the evaluation hot path) and
 * a revocation made on any instance reaches every instance.
 */
import { EventEmitter } from 'node:events';
import type { Principal } from '../graphql/principal.js';
import type { ApiKeyRecord, ChangeRecord } from '../store/types.js';
import { hashesEqual, hashSecret } from './api-keys.js';

/** Secrets already verified, so a busy client does not pay an HMAC per request; cleared on every key change. */
const maxCachedSecrets = 10_000;

export class KeyRegistry extends EventEmitter<{ revoked: [keyId: string] }> {
  private byHash = new Map<string, ApiKeyRecord>();
  private readonly verified = new Map<string, Principal>();

  /** Replaces every key (start, resynchronisation); keys that are no longer active are announced as revoked. */
  load(records: readonly ApiKeyRecord[]): void {
    const previous = this.byHash;
    this.byHash = new Map(records.filter((record) => !record.revokedAt).map((record) => [record.secretHash, record]));
    this.verified.clear();
    for (const [hash, record] of previous) if (!this.byHash.has(hash)) this.emit('revoked', record.id);
  }

  /** Applies an apiKey change from the feed; announces revocations so live subscriptions can end. */
  apply(record: ChangeRecord): void {
    if (record.ref.kind !== 'apiKey') return;
    const after = record.after as ApiKeyRecord | null;
    const before = record.before as ApiKeyRecord | null;
    this.verified.clear();
    if (before) this.byHash.delete(before.secretHash);
    if (after && !after.revokedAt) this.byHash.set(after.secretHash, after);
    if (after?.revokedAt || (before && !after)) this.emit('revoked', record.ref.key);
  }

  /** The principal a secret stands for, or null for an unknown or revoked key. */
  authenticate(secret: string): Principal | null {
    const cached = this.verified.get(secret);
    if (cached) return cached;
    const hash = hashSecret(secret);
    const record = this.byHash.get(hash);
    if (!record || !hashesEqual(record.secretHash, hash)) return null;
    const principal: Principal = Object.freeze({
      keyId: record.id,
      name: record.name,
      kind: record.kind,
      environment: record.environment,
    });
    if (this.verified.size >= maxCachedSecrets) this.verified.clear();
    this.verified.set(secret, principal);
    return principal;
  }

  hasAdminKey(): boolean {
    for (const record of this.byHash.values()) if (record.kind === 'admin') return true;
    return false;
  }
}
