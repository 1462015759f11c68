/** Validation of `createApiKey` input: only the known fields are kept (a secret passed along is dropped). */
import { ValidationError, type ValidationIssue } from '../../flags/errors.js';
import { type ApiKeyKind, type ApiKeyRecord, isEnvironmentBound } from '../types.js';
import { requireObject } from './input.js';

/** Input of `createApiKey`: the stored record minus what the store fills in. Never the secret itself. */
export type ApiKeyInput = Omit<ApiKeyRecord, 'version' | 'createdAt' | 'revokedAt'>;

const apiKeyKinds: readonly ApiKeyKind[] = ['evaluation', 'admin', 'read-only', 'server'];
const apiKeyIdPattern = /^[A-Za-z0-9._-]{1,128}$/;

/** The checked input, or a ValidationError listing every wrong field. */
export function validateApiKeyInput(record: unknown): ApiKeyInput {
  const body = requireObject(record, 'an API key');
  const issues: ValidationIssue[] = [];
  const add = (path: string, message: string) => issues.push({ path, message, code: 'VALIDATION' });
  const { id, name, kind, secretHash, prefix } = body;
  const environment = body.environment ?? null;
  if (typeof id !== 'string' || !apiKeyIdPattern.test(id))
    add('id', 'must be 1-128 letters, digits, dots, dashes or underscores');
  if (typeof name !== 'string' || name.trim() === '' || name.length > 200)
    add('name', 'must be a non-empty string of at most 200 characters');
  if (!apiKeyKinds.includes(kind as ApiKeyKind)) add('kind', `must be one of ${apiKeyKinds.join(', ')}`);
  if (typeof secretHash !== 'string' || secretHash.length < 16 || secretHash.length > 512)
    add('secretHash', 'must be the hash of the secret (16 to 512 characters)');
  if (typeof prefix !== 'string' || prefix.length > 32)
    add('prefix', 'must be a string of at most 32 characters (the first characters of the secret)');
  if (environment !== null && typeof environment !== 'string') add('environment', 'must be an environment key or null');
  if (apiKeyKinds.includes(kind as ApiKeyKind) && isEnvironmentBound(kind as ApiKeyKind) && environment === null)
    add('environment', `is required for ${kind as string} keys`);
  if (issues.length > 0) throw new ValidationError(issues);
  return {
    id: id as string,
    name: name as string,
    kind: kind as ApiKeyKind,
    environment: environment as string | null,
    secretHash: secretHash as string,
    prefix: prefix as string,
  };
}
