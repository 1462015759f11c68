/** Writes of segments. A segment belongs to one environment, which its change records name (in `ref`). */
import type { Segment } from '../flags/model.js';
import { validateSegment } from '../flags/validate.js';
import { segmentUsers } from './references.js';
import { type ChangeAction, type ChangeRecord, VersionConflict, type WriteMeta } from './types.js';
import { requireEnvironment, requireSegment, type WriteContext } from './write-context.js';
import { checkMeta, checkVersion, invalid, plain, requireObject } from './validation/input.js';

export async function createSegment(context: WriteContext, input: unknown, meta: WriteMeta): Promise<Segment> {
  const body = requireObject(input, 'a segment');
  const now = context.now();
  const segment = validateSegment({ ...body, version: 1, createdAt: now, updatedAt: now }, now);
  await requireEnvironment(context.backend, segment.environment, 'environment');
  return writeSegment(context, segment, 0, 'create', meta);
}

export async function updateSegment(
  context: WriteContext,
  environment: string,
  key: string,
  input: unknown,
  expectedVersion: number,
  meta: WriteMeta,
): Promise<Segment> {
  checkVersion(expectedVersion);
  const body = requireObject(input, 'a segment');
  if (body.key !== undefined && body.key !== null && body.key !== key) throw invalid('key', 'cannot be changed');
  if (body.environment !== undefined && body.environment !== null && body.environment !== environment)
    throw invalid('environment', 'cannot be changed');
  const current = await segmentAt(context, environment, key, expectedVersion);
  const { version: _version, createdAt: _createdAt, updatedAt: _updatedAt, ...fields } = body;
  const now = context.now();
  // Fields not given keep their value (an empty condition clears it).
  const segment = validateSegment(
    {
      ...current,
      ...fields,
      key,
      environment,
      version: expectedVersion + 1,
      createdAt: current.createdAt,
      updatedAt: now,
    },
    now,
  );
  return writeSegment(context, segment, expectedVersion, 'update', meta);
}

/** Deletes a segment; rejected while a flag's rule in that environment uses it. */
export async function deleteSegment(
  context: WriteContext,
  environment: string,
  key: string,
  expectedVersion: number,
  meta: WriteMeta,
): Promise<ChangeRecord> {
  checkVersion(expectedVersion);
  await segmentAt(context, environment, key, expectedVersion);
  const users = await segmentUsers(context.backend, environment, key);
  if (users.length > 0) {
    throw invalid(
      'key',
      `segment '${key}' is used by ${users.map((user) => `'${user}'`).join(', ')} in environment '${environment}'; remove those rules first`,
    );
  }
  return context.backend.commit({
    ref: { kind: 'segment', environment, key },
    expectedVersion,
    action: 'delete',
    after: null,
    meta: checkMeta(meta),
  });
}

async function segmentAt(
  context: WriteContext,
  environment: string,
  key: string,
  expectedVersion: number,
): Promise<Segment> {
  const current = await requireSegment(context.backend, environment, key);
  if (current.version !== expectedVersion)
    throw new VersionConflict({ kind: 'segment', environment, key }, expectedVersion, current.version);
  return current;
}

async function writeSegment(
  context: WriteContext,
  candidate: Segment,
  expectedVersion: number,
  action: ChangeAction,
  meta: WriteMeta,
): Promise<Segment> {
  const cleanMeta = checkMeta(meta);
  const segment = plain(candidate);
  await context.backend.commit({
    ref: { kind: 'segment', environment: segment.environment, key: segment.key },
    expectedVersion,
    action,
    after: segment,
    meta: cleanMeta,
  });
  return segment;
}
