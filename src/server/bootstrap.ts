/** Start-up duties on a store: issuing API keys, the first admin key, and the example flag. */
import { randomBytes } from 'node:crypto';
import { seedFlag } from '../flags/seed.js';
import type { FlagStore } from '../store/store.js';
import type { ApiKeyKind, ApiKeyRecord } from '../store/types.js';
import { generateSecret, hashSecret, visiblePrefix } from './api-keys.js';
import type { KeyRegistry } from './key-registry.js';
import type { Logger } from './logger.js';

/** Creates an API key: a fresh secret (returned once) whose hash alone is stored. */
export async function issueApiKey(
  store: FlagStore,
  input: { name: string; kind: ApiKeyKind; environment: string | null; secret?: string },
  actor: string,
): Promise<{ secret: string; record: ApiKeyRecord }> {
  const secret = input.secret ?? generateSecret(input.kind);
  const record = await store.createApiKey(
    {
      id: `key_${randomBytes(9).toString('base64url')}`,
      name: input.name,
      kind: input.kind,
      environment: input.environment,
      secretHash: hashSecret(secret),
      prefix: visiblePrefix(secret),
    },
    { actor },
  );
  return { secret, record };
}

/** The first admin key: VEXIL_BOOTSTRAP_ADMIN_KEY if given, else a generated one printed once. */
export async function bootstrapAdminKey(
  store: FlagStore,
  keys: KeyRegistry,
  bootstrapSecret: string | undefined,
  logger: Logger,
): Promise<void> {
  const existing = await store.listApiKeys();
  if (existing.some((key) => key.kind === 'admin' && !key.revokedAt)) return;
  if (bootstrapSecret) {
    // A bootstrap key that was revoked stays revoked: issuing it again would undo the revocation.
    if (existing.some((key) => key.secretHash === hashSecret(bootstrapSecret))) {
      logger.warn(
        'VEXIL_BOOTSTRAP_ADMIN_KEY was revoked and is not used again; create an admin key with `vexil keys create`',
      );
      return;
    }
    const { record } = await issueApiKey(
      store,
      { name: 'bootstrap-admin', kind: 'admin', environment: null, secret: bootstrapSecret },
      'system',
    );
    keys.load([...existing, record]);
    logger.info({ keyId: record.id }, 'created the bootstrap admin key from VEXIL_BOOTSTRAP_ADMIN_KEY');
    return;
  }
  const { secret, record } = await issueApiKey(
    store,
    { name: 'initial-admin', kind: 'admin', environment: null },
    'system',
  );
  keys.load([...existing, record]);
  // Printed once, to stdout and outside the JSON log stream, so log collectors do not keep it by accident.
  process.stdout.write(
    `\nVexil created the first admin key. It is shown only now, so keep it (e.g. in a password manager);\n` +
      `the README's examples read it from ADMIN_KEY:\n\n  export ADMIN_KEY=${secret}\n\n`,
  );
}

/** On the very first start of an empty store, creates the example flag `new_checkout`. */
export async function seedExampleFlag(store: FlagStore, logger: Logger): Promise<void> {
  const flags = await store.listFlags({}, { first: 1 });
  if (flags.totalCount > 0 || (await store.auditLog({ ref: { kind: 'flag' } }, { first: 1 })).totalCount > 0) return;
  await store.createFlag(seedFlag(), { actor: 'system', comment: 'example flag created on first start' });
  logger.info('created the example flag new_checkout');
}
