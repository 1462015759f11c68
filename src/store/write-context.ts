/** What the write modules share: the backend, the clock, the retry budget, and the reads a write starts with. */
import type { Flag, Segment } from '../flags/model.js';
import { environmentKeyPattern } from '../flags/validate.js';
import { NotFound, type StoreBackend } from './types.js';
import type { DefaultExpiryDays } from './validation/default-expiry.js';
import { invalid } from './validation/input.js';

export interface WriteContext {
  readonly backend: StoreBackend;
  /** Attempts of a read-modify-write before giving up. */
  readonly maxRetries: number;
  /** The current time as ISO-8601 (`createdAt` / `updatedAt`). */
  now(): string;
  /** Days until a new flag of a kind expires when created without `expiresAt`. */
  readonly defaultExpiryDays: DefaultExpiryDays;
}

export async function requireFlag(backend: StoreBackend, key: string): Promise<Flag> {
  const flag = await backend.get({ kind: 'flag', key });
  if (!flag) throw new NotFound({ kind: 'flag', key });
  return flag;
}

export async function requireSegment(backend: StoreBackend, environment: string, key: string): Promise<Segment> {
  const segment = await backend.get({ kind: 'segment', environment, key });
  if (!segment) throw new NotFound({ kind: 'segment', environment, key });
  return segment;
}

export async function requireEnvironment(backend: StoreBackend, environment: string, path: string): Promise<void> {
  if (typeof environment !== 'string' || !environmentKeyPattern.test(environment))
    throw invalid(path, 'is not a valid environment key');
  if (!(await backend.get({ kind: 'environment', key: environment })))
    throw invalid(path, `unknown environment '${environment}'`);
}
