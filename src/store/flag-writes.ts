/**
 * Writes of flags: validation (the model's own, expiry, references against the stored world),
 * version bookkeeping and, for operator actions without a version, retries on conflicts.
 * Environment-scoped writes (toggle, setFlagEnvironment) name their environment in the change record,
 * so the audit log of an environment lists them.
 */
import type { Flag } from '../flags/model.js';
import { checkFlagReferences } from '../flags/references.js';
import { pauseOnKill } from '../flags/rollout-steps.js';
import { validateFlag } from '../flags/validate.js';
import { initialEnvironmentConfig, mergeEnvironmentConfig, mergeEnvironments } from './environment-config.js';
import { dependentsOf, loadFlagWorld } from './references.js';
import { type ChangeAction, type ChangeRecord, VersionConflict, type WriteMeta } from './types.js';
import { requireEnvironment, requireFlag, type WriteContext } from './write-context.js';
import { retryOnConflict } from './write-retry.js';
import { withDefaultExpiry } from './validation/default-expiry.js';
import { checkExpiryExtension, checkExpirySet } from './validation/expiry.js';
import { checkMeta, checkVersion, invalid, isObject, plain, requireObject } from './validation/input.js';

/** Creates a flag; a release or experiment flag without `expiresAt` gets its kind's default expiry. */
export async function createFlag(context: WriteContext, input: unknown, meta: WriteMeta): Promise<Flag> {
  const now = context.now();
  const body = withDefaultExpiry(requireObject(input, 'a flag'), now, context.defaultExpiryDays);
  const flag = validateFlag({ ...body, version: 1, createdAt: now, updatedAt: now }, now);
  checkExpirySet(flag, null, now);
  return writeFlag(context, flag, 0, 'create', meta);
}

/**
 * Replaces a flag's fields (all but key, version and createdAt). `environments`, `salt` and `archived`
 * keep their current values when absent, so an edit of the metadata cannot drop the targeting.
 */
export async function updateFlag(
  context: WriteContext,
  key: string,
  input: unknown,
  expectedVersion: number,
  meta: WriteMeta,
): Promise<Flag> {
  checkVersion(expectedVersion);
  const body = requireObject(input, 'a flag');
  if (body.key !== undefined && body.key !== null && body.key !== key) throw invalid('key', 'cannot be changed');
  const current = await currentAt(context, key, expectedVersion);
  const { version: _version, createdAt: _createdAt, updatedAt: _updatedAt, key: _key, ...fields } = body;
  const now = context.now();
  // Fields not given keep their value; given environments replace only those environments.
  const environments = isObject(fields.environments)
    ? mergeEnvironments(current.environments, fields.environments)
    : current.environments;
  const flag = validateFlag(
    {
      ...current,
      ...fields,
      environments,
      key,
      version: expectedVersion + 1,
      createdAt: current.createdAt,
      updatedAt: now,
    },
    now,
  );
  checkExpirySet(flag, current, now);
  checkExpiryExtension(flag, current, meta?.comment);
  return writeFlag(context, flag, expectedVersion, 'update', meta);
}

/** Replaces one environment's targeting of a flag; `rules` left out keep the current rules. */
export async function setFlagEnvironment(
  context: WriteContext,
  key: string,
  environment: string,
  config: unknown,
  expectedVersion: number,
  meta: WriteMeta,
): Promise<Flag> {
  checkVersion(expectedVersion);
  await requireEnvironment(context.backend, environment, 'environment');
  const current = await currentAt(context, key, expectedVersion);
  const now = context.now();
  const merged = mergeEnvironmentConfig(current.environments[environment], config);
  const flag = validateFlag(
    {
      ...current,
      environments: { ...current.environments, [environment]: merged },
      version: expectedVersion + 1,
      updatedAt: now,
    },
    now,
  );
  return writeFlag(context, flag, expectedVersion, 'update', meta, environment);
}

/**
 * The kill switch. Without `expectedVersion` it is a read-modify-write retried on conflicts. An
 * environment the flag was never configured in gets the unconfigured default (off: the false-like
 * variation; on: the true-like one), recorded like any toggle of that environment.
 */
export async function toggleFlag(
  context: WriteContext,
  key: string,
  environment: string,
  on: boolean,
  expectedVersion: number | undefined,
  meta: WriteMeta,
): Promise<Flag> {
  if (typeof on !== 'boolean') throw invalid('on', 'must be true or false');
  await requireEnvironment(context.backend, environment, 'environment');
  const change = (current: Flag): Flag | null => {
    const config = current.environments[environment];
    if (config && config.on === on) return null;
    return {
      ...current,
      environments: {
        ...current.environments,
        [environment]: config ? pauseOnKill({ ...config, on }, on) : initialEnvironmentConfig(current, on),
      },
    };
  };
  return modifyFlag(context, key, expectedVersion, 'toggle', meta, change, environment);
}

export async function archiveFlag(
  context: WriteContext,
  key: string,
  expectedVersion: number | undefined,
  meta: WriteMeta,
): Promise<Flag> {
  return modifyFlag(context, key, expectedVersion, 'archive', meta, (current) =>
    current.archived ? null : { ...current, archived: true },
  );
}

export async function restoreFlag(
  context: WriteContext,
  key: string,
  expectedVersion: number | undefined,
  meta: WriteMeta,
): Promise<Flag> {
  return modifyFlag(context, key, expectedVersion, 'restore', meta, (current) =>
    current.archived ? { ...current, archived: false } : null,
  );
}

/** Deletes a flag; rejected while another flag uses it as a prerequisite. */
export async function deleteFlag(
  context: WriteContext,
  key: string,
  expectedVersion: number,
  meta: WriteMeta,
): Promise<ChangeRecord> {
  checkVersion(expectedVersion);
  await currentAt(context, key, expectedVersion);
  const dependents = await dependentsOf(context.backend, key);
  if (dependents.length > 0) {
    throw invalid(
      'key',
      `flag '${key}' is a prerequisite of ${dependents.map((dependent) => `'${dependent}'`).join(', ')}; remove those references first`,
    );
  }
  return context.backend.commit({
    ref: { kind: 'flag', key },
    expectedVersion,
    action: 'delete',
    after: null,
    meta: checkMeta(meta),
  });
}

/** The stored flag, which must be at `expectedVersion`. */
export async function currentAt(context: WriteContext, key: string, expectedVersion: number): Promise<Flag> {
  const current = await requireFlag(context.backend, key);
  if (current.version !== expectedVersion)
    throw new VersionConflict({ kind: 'flag', key }, expectedVersion, current.version);
  return current;
}

/** Read-modify-write of a flag: conditional with `expectedVersion`, else retried on conflicts. */
export async function modifyFlag(
  context: WriteContext,
  key: string,
  expectedVersion: number | undefined | null,
  action: ChangeAction,
  meta: WriteMeta,
  change: (current: Flag) => Flag | null,
  environment?: string,
): Promise<Flag> {
  const conditional = expectedVersion !== undefined && expectedVersion !== null;
  if (conditional) checkVersion(expectedVersion);
  const attempt = async () => {
    const current = conditional
      ? await currentAt(context, key, expectedVersion)
      : await requireFlag(context.backend, key);
    const next = change(current);
    if (next === null) return current;
    const now = context.now();
    const flag = validateFlag(
      { ...next, key, version: current.version + 1, createdAt: current.createdAt, updatedAt: now },
      now,
    );
    return writeFlag(context, flag, current.version, action, meta, environment);
  };
  return conditional ? attempt() : retryOnConflict(context.maxRetries, attempt);
}

export async function writeFlag(
  context: WriteContext,
  candidate: Flag,
  expectedVersion: number,
  action: ChangeAction,
  meta: WriteMeta,
  environment?: string,
): Promise<Flag> {
  const cleanMeta = checkMeta(meta);
  const flag = plain(candidate);
  checkFlagReferences(flag, await loadFlagWorld(context.backend, flag));
  await context.backend.commit({
    ref: { kind: 'flag', key: flag.key },
    expectedVersion,
    action,
    after: flag,
    meta: cleanMeta,
    ...(environment === undefined ? {} : { environment }),
  });
  return flag;
}
