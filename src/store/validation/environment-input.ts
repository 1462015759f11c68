/** Validation of `createEnvironment` input. */
import { ValidationError, type ValidationIssue } from '../../flags/errors.js';
import type { Environment } from '../../flags/model.js';
import { environmentKeyPattern } from '../../flags/validate.js';
import { requireObject } from './input.js';

/** Input of `createEnvironment`. */
export interface EnvironmentInput {
  key: string;
  name?: string;
}

/** The environment to store (its name defaults to its key), or a ValidationError. */
export function validateEnvironmentInput(input: unknown, createdAt: string): Environment {
  const body = requireObject(input, 'an environment');
  const issues: ValidationIssue[] = [];
  const key = body.key;
  if (typeof key !== 'string' || !environmentKeyPattern.test(key))
    issues.push({ path: 'key', message: 'must match ^[a-z0-9][a-z0-9_-]{0,63}$', code: 'VALIDATION' });
  const name = body.name === undefined || body.name === null || body.name === '' ? key : body.name;
  if (typeof name !== 'string' || name.length > 200)
    issues.push({ path: 'name', message: 'must be a string of at most 200 characters', code: 'VALIDATION' });
  if (issues.length > 0) throw new ValidationError(issues);
  return { key: key as string, name: name as string, createdAt };
}
