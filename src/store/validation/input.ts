/** Checks every store write shares: the input is an object, the version is one a client read, the write's meta. */
import { ValidationError, type ValidationIssue } from '../../flags/errors.js';
import type { WriteMeta } from '../types.js';

export type Body = Record<string, unknown>;

export function invalid(path: string, message: string): ValidationError {
  return new ValidationError([{ path, message, code: 'VALIDATION' }]);
}

export function isObject(value: unknown): value is Body {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

export function requireObject(input: unknown, what: string): Body {
  if (!isObject(input)) throw invalid('', `${what} must be an object`);
  return input;
}

export function checkVersion(version: unknown, path = 'expectedVersion'): asserts version is number {
  if (typeof version !== 'number' || !Number.isSafeInteger(version) || version < 1)
    throw invalid(path, 'must be a positive integer (the version you read)');
}

export function checkMeta(meta: WriteMeta): WriteMeta {
  const issues: ValidationIssue[] = [];
  if (typeof meta?.actor !== 'string' || meta.actor.trim() === '' || meta.actor.length > 200)
    issues.push({ path: 'actor', message: 'must be a non-empty string of at most 200 characters', code: 'VALIDATION' });
  const comment = meta?.comment;
  if (comment !== undefined && comment !== null && (typeof comment !== 'string' || comment.length > 2000))
    issues.push({ path: 'comment', message: 'must be a string of at most 2000 characters', code: 'VALIDATION' });
  if (issues.length > 0) throw new ValidationError(issues);
  return comment === undefined || comment === null || comment === ''
    ? { actor: meta.actor }
    : { actor: meta.actor, comment };
}

/** Plain JSON: no undefined members, no class instances. Both backends then store the same document. */
export function plain<T>(document: T): T {
  return JSON.parse(JSON.stringify(document)) as T;
}
