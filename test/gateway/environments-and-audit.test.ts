/** Environments (environments, createEnvironment) and the audit log (auditLog) over HTTP. */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  AuditLogDocument,
  CreateEnvironmentDocument,
  CreateFlagDocument,
  EnvironmentsDocument,
  EvaluateDocument,
  ToggleFlagDocument,
} from '../../src/client/generated/graphql.js';
import { booleanFlag, defaultEnvironments, serveAll } from '../fixtures/gateway/flags.js';
import { dataOf, errorOf, startTestGateway, type TestGateway } from '../support/gateway.js';

let gw: TestGateway;

beforeAll(async () => {
  gw = await startTestGateway({ seed: false });
});

afterAll(async () => {
  await gw?.stop();
});

describe('environments', () => {
  it('starts with development, staging and production', async () => {
    const environments = dataOf(await gw.gql(EnvironmentsDocument)).environments;
    expect(environments.map((environment) => environment.key).sort()).toEqual([...defaultEnvironments].sort());
    expect(environments[0]).toMatchObject({ name: expect.any(String), createdAt: expect.any(String) });
  });

  it('creates an environment that flags can then target and evaluation keys can be bound to', async () => {
    expect(
      dataOf(await gw.gql(CreateEnvironmentDocument, { key: 'qa', name: 'Quality assurance' })).createEnvironment,
    ).toMatchObject({ key: 'qa', name: 'Quality assurance' });
    expect(dataOf(await gw.gql(EnvironmentsDocument)).environments.map((environment) => environment.key)).toContain(
      'qa',
    );
    dataOf(
      await gw.gql(CreateFlagDocument, {
        input: booleanFlag('qa-flag', { environments: [{ environment: 'qa', config: serveAll('on') }] }),
      }),
    );
    const qaKey = (await gw.createKey('EVALUATION', 'qa')).secret;
    expect(
      dataOf(await gw.gql(EvaluateDocument, { key: 'qa-flag', context: { targetingKey: 'u' } }, qaKey)).evaluate,
    ).toMatchObject({ value: true, reason: 'DEFAULT' });
  });

  it('names an environment after its key when no name is given', async () => {
    expect(dataOf(await gw.gql(CreateEnvironmentDocument, { key: 'sandbox' })).createEnvironment.name).toBe('sandbox');
  });

  it('rejects an invalid key with VALIDATION on field key', async () => {
    expect(errorOf(await gw.gql(CreateEnvironmentDocument, { key: 'Not Valid' })).extensions).toMatchObject({
      code: 'VALIDATION',
      field: 'key',
    });
  });

  it('rejects an existing key with CONFLICT', async () => {
    expect(errorOf(await gw.gql(CreateEnvironmentDocument, { key: 'production' })).extensions).toMatchObject({
      code: 'CONFLICT',
    });
  });
});

describe('auditLog', () => {
  beforeAll(async () => {
    dataOf(await gw.gql(CreateFlagDocument, { input: booleanFlag('audited'), comment: 'first' }));
    for (const on of [false, true, false])
      dataOf(await gw.gql(ToggleFlagDocument, { key: 'audited', environment: 'production', on, comment: `on=${on}` }));
  });

  it('lists a document’s changes newest first with actor, time, comment, before and after', async () => {
    const log = dataOf(await gw.gql(AuditLogDocument, { key: 'audited' })).auditLog;
    expect(log.totalCount).toBe(4);
    expect(log.entries.map((entry) => [entry.action, entry.version, entry.comment])).toEqual([
      ['toggle', 4, 'on=false'],
      ['toggle', 3, 'on=true'],
      ['toggle', 2, 'on=false'],
      ['create', 1, 'first'],
    ]);
    const latest = log.entries[0]!;
    expect(latest).toMatchObject({
      kind: 'flag',
      key: 'audited',
      environment: 'production',
      actor: expect.stringContaining('bootstrap-admin'),
    });
    expect(Date.parse(latest.at)).not.toBeNaN();
    expect((latest.before as { version: number }).version).toBe(3);
    expect((latest.after as { version: number }).version).toBe(4);
    const positions = log.entries.map((entry) => entry.position);
    expect(positions).toEqual([...positions].sort((a, b) => b - a));
  });

  it('pages with first and after', async () => {
    const first = dataOf(await gw.gql(AuditLogDocument, { key: 'audited', first: 3 })).auditLog;
    expect(first).toMatchObject({ hasNextPage: true, totalCount: 4 });
    expect(first.entries).toHaveLength(3);
    const second = dataOf(
      await gw.gql(AuditLogDocument, { key: 'audited', first: 3, after: first.endCursor }),
    ).auditLog;
    expect(second.hasNextPage).toBe(false);
    expect(second.entries.map((entry) => entry.action)).toEqual(['create']);
  });

  it('filters by kind', async () => {
    const environments = dataOf(await gw.gql(AuditLogDocument, { kind: 'environment' })).auditLog;
    expect(environments.entries.length).toBeGreaterThan(0);
    expect(new Set(environments.entries.map((entry) => entry.kind))).toEqual(new Set(['environment']));
  });

  it('records API key changes without their secret or its hash', async () => {
    const { secret, id } = await gw.createKey('READ_ONLY', undefined, 'audited-key');
    const result = await gw.gql(AuditLogDocument, { key: id });
    const entry = dataOf(result).auditLog.entries[0]!;
    expect(entry).toMatchObject({
      kind: 'apiKey',
      action: 'create',
      after: { id, name: 'audited-key', kind: 'read-only' },
    });
    expect(entry.after).not.toHaveProperty('secretHash');
    expect(result.text).not.toContain(secret);
    const stored = await gw.gateway.store.getApiKey(id);
    expect(result.text).not.toContain(stored!.secretHash);
  });
});
