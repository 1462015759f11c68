/**
 * API keys over HTTP: createApiKey, apiKeys, revokeApiKey, the Bearer header, secret prefixes, and that
 * only hashes of secrets are stored or shown.
 */
import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  ApiKeysDocument,
  CreateApiKeyDocument,
  EnvironmentsDocument,
  EvaluateDocument,
  RevokeApiKeyDocument,
  ViewerDocument,
} from '../../src/client/generated/graphql.js';
import { PROD } from '../fixtures/gateway/flags.js';
import { codeOf, dataOf, errorOf, gqlAt, startTestGateway, type TestGateway } from '../support/gateway.js';

let gw: TestGateway;

beforeAll(async () => {
  gw = await startTestGateway();
});

afterAll(async () => {
  await gw?.stop();
});

const create = async (kind: 'ADMIN' | 'READ_ONLY' | 'EVALUATION', environment?: string, name = `${kind}-key`) =>
  dataOf(await gw.gql(CreateApiKeyDocument, { name, kind, ...(environment ? { environment } : {}) })).createApiKey;

describe('createApiKey', () => {
  it('issues evaluation secrets prefixed vxl_eval_ and bound to their environment', async () => {
    const created = await create('EVALUATION', PROD, 'web-frontend');
    expect(created.secret).toMatch(/^vxl_eval_[A-Za-z0-9_-]{40,}$/);
    expect(created.apiKey).toMatchObject({
      name: 'web-frontend',
      kind: 'EVALUATION',
      environment: PROD,
      revokedAt: null,
    });
    expect(created.secret.startsWith(created.apiKey.prefix)).toBe(true);
    expect(created.apiKey.prefix.length).toBeLessThan(created.secret.length / 2);
  });

  it('issues admin secrets prefixed vxl_admin_ and read-only secrets prefixed vxl_ro_', async () => {
    expect((await create('ADMIN')).secret).toMatch(/^vxl_admin_/);
    expect((await create('READ_ONLY')).secret).toMatch(/^vxl_ro_/);
  });

  it('issues a different secret every time', async () => {
    const secrets = new Set([
      (await create('READ_ONLY')).secret,
      (await create('READ_ONLY')).secret,
      (await create('READ_ONLY')).secret,
    ]);
    expect(secrets.size).toBe(3);
  });

  it('makes the new secret usable at once', async () => {
    const { secret } = await create('READ_ONLY');
    expect(dataOf(await gw.gql(EnvironmentsDocument, undefined, secret)).environments.length).toBeGreaterThan(0);
  });

  it('requires an environment for evaluation keys (VALIDATION on field environment)', async () => {
    expect(errorOf(await gw.gql(CreateApiKeyDocument, { name: 'x', kind: 'EVALUATION' })).extensions).toMatchObject({
      code: 'VALIDATION',
      field: 'environment',
    });
  });

  it('refuses an environment for admin and read-only keys', async () => {
    expect(
      errorOf(await gw.gql(CreateApiKeyDocument, { name: 'x', kind: 'ADMIN', environment: PROD })).extensions,
    ).toMatchObject({ code: 'VALIDATION', field: 'environment' });
    expect(
      errorOf(await gw.gql(CreateApiKeyDocument, { name: 'x', kind: 'READ_ONLY', environment: PROD })).extensions,
    ).toMatchObject({ code: 'VALIDATION', field: 'environment' });
  });

  it('refuses an evaluation key for an environment that does not exist', async () => {
    expect(
      errorOf(await gw.gql(CreateApiKeyDocument, { name: 'x', kind: 'EVALUATION', environment: 'moon' })).extensions,
    ).toMatchObject({ code: 'VALIDATION', field: 'environment' });
  });
});

describe('apiKeys', () => {
  it('lists every key’s metadata, the bootstrap admin key included', async () => {
    const created = await create('EVALUATION', PROD, 'listed-key');
    const keys = dataOf(await gw.gql(ApiKeysDocument)).apiKeys;
    expect(keys.find((key) => key.id === created.apiKey.id)).toEqual(created.apiKey);
    expect(keys.find((key) => key.name === 'bootstrap-admin')).toMatchObject({ kind: 'ADMIN', environment: null });
  });

  it('never shows a secret or its hash', async () => {
    const created = await create('ADMIN', undefined, 'hidden-key');
    const result = await gw.gql('{ apiKeys { id name kind environment prefix createdAt revokedAt } }');
    expect(result.text).not.toContain(created.secret);
    expect(result.text).not.toContain(gw.adminKey);
    const record = await gw.gateway.store.getApiKey(created.apiKey.id);
    expect(result.text).not.toContain(record!.secretHash);
  });
});

describe('stored secrets', () => {
  it('are kept only as hashes in the store', async () => {
    const created = await create('EVALUATION', PROD, 'hashed-key');
    const record = (await gw.gateway.store.getApiKey(created.apiKey.id))!;
    expect(record.secretHash).toMatch(/^[0-9a-f]{64}$/);
    expect(JSON.stringify(record)).not.toContain(created.secret);
  });

  it('appear nowhere in the data directory’s files', async () => {
    const created = await create('ADMIN', undefined, 'on-disk-key');
    const secretBody = created.secret.slice('vxl_admin_'.length);
    const files = await readdir(gw.dataDir, { recursive: true, withFileTypes: true });
    let scanned = 0;
    for (const file of files) {
      if (!file.isFile()) continue;
      const bytes = await readFile(join(file.parentPath, file.name));
      scanned += bytes.length;
      expect(bytes.includes(secretBody), `${file.name} contains the secret`).toBe(false);
      expect(bytes.includes(gw.adminKey), `${file.name} contains the bootstrap secret`).toBe(false);
    }
    expect(scanned).toBeGreaterThan(0);
  });
});

describe('the Authorization header', () => {
  it('accepts the Bearer scheme case-insensitively', async () => {
    const result = await gqlAt(gw.endpoint, EnvironmentsDocument, undefined, null, {
      authorization: `bearer ${gw.adminKey}`,
    });
    expect(dataOf(result).environments.length).toBeGreaterThan(0);
  });

  it('answers an unknown secret with HTTP 401 and UNAUTHENTICATED', async () => {
    const result = await gw.gql(EnvironmentsDocument, undefined, 'vxl_admin_not-a-real-secret');
    expect(result.status).toBe(401);
    expect(codeOf(result)).toBe('UNAUTHENTICATED');
  });

  it('answers another scheme with UNAUTHENTICATED', async () => {
    const result = await gqlAt(gw.endpoint, EnvironmentsDocument, undefined, null, {
      authorization: `Basic ${Buffer.from(`x:${gw.adminKey}`).toString('base64')}`,
    });
    expect(codeOf(result)).toBe('UNAUTHENTICATED');
  });

  it('answers a protected field without any key with UNAUTHENTICATED', async () => {
    expect(codeOf(await gw.gql(EnvironmentsDocument, undefined, null))).toBe('UNAUTHENTICATED');
  });

  it('does not echo the secret in the error', async () => {
    const wrong = 'vxl_admin_wrong-secret-value-1234567890';
    const result = await gw.gql(EnvironmentsDocument, undefined, wrong);
    expect(result.text).not.toContain(wrong);
  });
});

describe('revokeApiKey', () => {
  it('revokes a key: its next request is UNAUTHENTICATED', async () => {
    const created = await create('EVALUATION', PROD, 'to-revoke');
    dataOf(await gw.gql(EvaluateDocument, { key: 'new_checkout', context: { targetingKey: 'u' } }, created.secret));
    const revoked = dataOf(await gw.gql(RevokeApiKeyDocument, { id: created.apiKey.id })).revokeApiKey;
    expect(revoked).toMatchObject({ id: created.apiKey.id, revokedAt: expect.any(String) });
    const result = await gw.gql(
      EvaluateDocument,
      { key: 'new_checkout', context: { targetingKey: 'u' } },
      created.secret,
    );
    expect(result.status).toBe(401);
    expect(codeOf(result)).toBe('UNAUTHENTICATED');
  });

  it('keeps a revoked key listed with its revocation time', async () => {
    const created = await create('READ_ONLY', undefined, 'revoked-listed');
    const revoked = dataOf(await gw.gql(RevokeApiKeyDocument, { id: created.apiKey.id })).revokeApiKey;
    const listed = dataOf(await gw.gql(ApiKeysDocument)).apiKeys.find((key) => key.id === created.apiKey.id);
    expect(listed?.revokedAt).toBe(revoked.revokedAt);
  });

  it('is idempotent', async () => {
    const created = await create('READ_ONLY', undefined, 'revoke-twice');
    const first = dataOf(await gw.gql(RevokeApiKeyDocument, { id: created.apiKey.id })).revokeApiKey;
    const second = dataOf(await gw.gql(RevokeApiKeyDocument, { id: created.apiKey.id })).revokeApiKey;
    expect(second.revokedAt).toBe(first.revokedAt);
  });

  it('answers NOT_FOUND for an unknown id', async () => {
    expect(codeOf(await gw.gql(RevokeApiKeyDocument, { id: 'key_doesnotexist' }))).toBe('NOT_FOUND');
  });

  it('lets an admin revoke its own key, after which it no longer works', async () => {
    const other = await create('ADMIN', undefined, 'self-revoking');
    dataOf(await gw.gql(RevokeApiKeyDocument, { id: other.apiKey.id }, other.secret));
    expect(codeOf(await gw.gql(EnvironmentsDocument, undefined, other.secret))).toBe('UNAUTHENTICATED');
  });
});

describe('viewer', () => {
  it('tells admin and read-only callers the kind and name of their own key, and refuses the others', async () => {
    expect(dataOf(await gw.gql(ViewerDocument, {})).viewer.kind).toBe('ADMIN');
    const readOnly = await create('READ_ONLY', undefined, 'console-viewer');
    expect(dataOf(await gw.gql(ViewerDocument, {}, readOnly.secret)).viewer).toEqual({
      kind: 'READ_ONLY',
      name: 'console-viewer',
    });
    const evaluation = await create('EVALUATION', PROD, 'viewer-eval');
    expect(codeOf(await gw.gql(ViewerDocument, {}, evaluation.secret))).toBe('FORBIDDEN');
    expect(codeOf(await gw.gql(ViewerDocument, {}, null))).toBe('UNAUTHENTICATED');
  });
});
