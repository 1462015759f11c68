/** Writes of API key records: metadata and the secret's hash, never the secret. */
import { type ApiKeyRecord, NotFound, type WriteMeta } from './types.js';
import { requireEnvironment, type WriteContext } from './write-context.js';
import { retryOnConflict } from './write-retry.js';
import { validateApiKeyInput } from './validation/api-key-input.js';
import { checkMeta, invalid } from './validation/input.js';

/** Stores an API key's metadata and secret hash; only the known fields are kept (a secret passed along is dropped). */
export async function createApiKey(context: WriteContext, record: unknown, meta: WriteMeta): Promise<ApiKeyRecord> {
  const input = validateApiKeyInput(record);
  if (input.environment !== null) await requireEnvironment(context.backend, input.environment, 'environment');
  if (await context.backend.findApiKeyByHash(input.secretHash))
    throw invalid('secretHash', 'another API key has the same secret hash');
  const stored: ApiKeyRecord = { ...input, createdAt: context.now(), revokedAt: null, version: 1 };
  await context.backend.commit({
    ref: { kind: 'apiKey', key: stored.id },
    expectedVersion: 0,
    action: 'create',
    after: stored,
    meta: checkMeta(meta),
  });
  return stored;
}

/** Revokes a key (idempotent: an already revoked key is returned as it is). */
export async function revokeApiKey(context: WriteContext, id: string, meta: WriteMeta): Promise<ApiKeyRecord> {
  const cleanMeta = checkMeta(meta);
  return retryOnConflict(context.maxRetries, async () => {
    const current = await context.backend.get({ kind: 'apiKey', key: id });
    if (!current) throw new NotFound({ kind: 'apiKey', key: id });
    if (current.revokedAt !== null) return current;
    const next: ApiKeyRecord = { ...current, revokedAt: context.now(), version: current.version + 1 };
    await context.backend.commit({
      ref: { kind: 'apiKey', key: id },
      expectedVersion: current.version,
      action: 'revoke',
      after: next,
      meta: cleanMeta,
    });
    return next;
  });
}
