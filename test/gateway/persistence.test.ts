/**
 * Restart persistence on the embedded store: write through the API, stop the gateway, start a new one
 * on the same data directory, and read everything back (flags, segments, environments, API keys,
 * revocations, the audit log, usage statistics).
 */
import { rm } from 'node:fs/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  ApiKeysDocument,
  AuditLogDocument,
  CreateEnvironmentDocument,
  CreateFlagDocument,
  CreateSegmentDocument,
  EnvironmentsDocument,
  EvaluateDocument,
  FlagDocument,
  RevokeApiKeyDocument,
  SegmentsDocument,
  SetFlagEnvironmentDocument,
  ToggleFlagDocument,
} from '../../src/client/generated/graphql.js';
import { openStore } from '../../src/store/open-store.js';
import { booleanFlag, PROD, segmentInput, serveAll } from '../fixtures/gateway/flags.js';
import { codeOf, dataOf, startTestGateway, type TestGateway } from '../support/gateway.js';

let first: TestGateway;
let second: TestGateway;
let evalKey: string;
let revokedKey: string;
let auditBefore: number;
let flagBefore: unknown;

beforeAll(async () => {
  first = await startTestGateway({ config: { usageFlushMs: 3_600_000 } });
  evalKey = (await first.createKey('EVALUATION', PROD, 'persisted-eval')).secret;
  const revoked = await first.createKey('READ_ONLY', undefined, 'persisted-revoked');
  revokedKey = revoked.secret;
  dataOf(await first.gql(RevokeApiKeyDocument, { id: revoked.id }));
  dataOf(await first.gql(CreateEnvironmentDocument, { key: 'persisted-env', name: 'Persisted' }));
  dataOf(await first.gql(CreateSegmentDocument, { input: segmentInput('persisted-seg') }));
  dataOf(await first.gql(CreateFlagDocument, { input: booleanFlag('persisted-flag'), comment: 'before restart' }));
  dataOf(
    await first.gql(SetFlagEnvironmentDocument, {
      key: 'persisted-flag',
      environment: PROD,
      expectedVersion: 1,
      config: serveAll('off', [{ id: 'seg', condition: 'segment("persisted-seg")', serve: { variation: 'on' } }]),
    }),
  );
  dataOf(await first.gql(ToggleFlagDocument, { key: 'persisted-flag', environment: 'staging', on: false }));
  for (let index = 0; index < 7; index++)
    dataOf(await first.gql(EvaluateDocument, { key: 'persisted-flag', context: { targetingKey: 'user-in' } }, evalKey));
  auditBefore = dataOf(await first.gql(AuditLogDocument, { first: 1 })).auditLog.totalCount;
  flagBefore = dataOf(await first.gql(FlagDocument, { key: 'persisted-flag' })).flag;
  await first.stop({ keepDataDir: true });
  second = await startTestGateway({ dataDir: first.dataDir, adminKey: first.adminKey });
});

afterAll(async () => {
  await second?.stop();
});

describe('after a restart on the same data directory', () => {
  it('reads back a flag exactly as it was, version included', async () => {
    expect(dataOf(await second.gql(FlagDocument, { key: 'persisted-flag' })).flag).toEqual(flagBefore);
  });

  it('evaluates the flag as before (its segment reloaded too)', async () => {
    expect(
      dataOf(
        await second.gql(EvaluateDocument, { key: 'persisted-flag', context: { targetingKey: 'user-in' } }, evalKey),
      ).evaluate,
    ).toMatchObject({ value: true, reason: 'TARGETING_MATCH', flagVersion: 3 });
  });

  it('keeps segments and environments', async () => {
    expect(
      dataOf(await second.gql(SegmentsDocument, { environment: PROD })).segments.map((segment) => segment.key),
    ).toContain('persisted-seg');
    expect(dataOf(await second.gql(EnvironmentsDocument)).environments).toContainEqual(
      expect.objectContaining({ key: 'persisted-env', name: 'Persisted' }),
    );
  });

  it('keeps the audit log', async () => {
    expect(dataOf(await second.gql(AuditLogDocument, { first: 1 })).auditLog.totalCount).toBe(auditBefore);
    const history = dataOf(await second.gql(AuditLogDocument, { key: 'persisted-flag' })).auditLog.entries;
    expect(history.map((entry) => entry.action)).toEqual(['toggle', 'update', 'create']);
    expect(history[2]!.comment).toBe('before restart');
  });

  it('keeps API keys working, and revoked keys revoked', async () => {
    expect(
      dataOf(await second.gql(EvaluateDocument, { key: 'persisted-flag', context: { targetingKey: 'u' } }, evalKey))
        .evaluate.reason,
    ).toBe('DEFAULT');
    expect(codeOf(await second.gql(EnvironmentsDocument, undefined, revokedKey))).toBe('UNAUTHENTICATED');
  });

  it('does not seed the example flag again', async () => {
    expect(dataOf(await second.gql(FlagDocument, { key: 'new_checkout' })).flag?.version).toBe(1);
  });

  it('continues the version sequence of a flag', async () => {
    const flag = dataOf(
      await second.gql(ToggleFlagDocument, {
        key: 'persisted-flag',
        environment: 'staging',
        on: true,
        expectedVersion: 3,
      }),
    ).toggleFlag;
    expect(flag.version).toBe(4);
  });
});

describe('a bootstrap key on a store that already has an admin key', () => {
  it('is ignored: the existing admin key stays the only one', async () => {
    const gw = await startTestGateway({ seed: false });
    await gw.stop({ keepDataDir: true });
    const other = await startTestGateway({
      dataDir: gw.dataDir,
      adminKey: 'vxl_admin_another-bootstrap-secret-000000000',
    });
    try {
      expect(
        codeOf(await other.gql(EnvironmentsDocument, undefined, 'vxl_admin_another-bootstrap-secret-000000000')),
      ).toBe('UNAUTHENTICATED');
      expect(dataOf(await other.gql(EnvironmentsDocument, undefined, gw.adminKey)).environments.length).toBeGreaterThan(
        0,
      );
    } finally {
      await other.stop();
    }
  });
});

describe('a bootstrap key that was revoked', () => {
  it('does not stop the gateway from starting again with the same VEXIL_BOOTSTRAP_ADMIN_KEY, and stays revoked', async () => {
    const gw = await startTestGateway({ seed: false });
    const bootstrapId = dataOf(await gw.gql(ApiKeysDocument)).apiKeys.find((key) => key.name === 'bootstrap-admin')!.id;
    dataOf(await gw.gql(RevokeApiKeyDocument, { id: bootstrapId }));
    await gw.stop({ keepDataDir: true });
    try {
      const again = await startTestGateway({ dataDir: gw.dataDir, adminKey: gw.adminKey, seed: false });
      try {
        expect(codeOf(await again.gql(EnvironmentsDocument, undefined, gw.adminKey))).toBe('UNAUTHENTICATED');
      } finally {
        await again.stop();
      }
    } finally {
      await rm(gw.dataDir, { recursive: true, force: true });
    }
  });
});

describe('usage statistics', () => {
  it('are flushed to the store when the gateway closes', async () => {
    const gw = await startTestGateway({ seed: true, config: { usageFlushMs: 3_600_000 } });
    const key = (await gw.createKey('EVALUATION', PROD)).secret;
    for (let index = 0; index < 5; index++)
      dataOf(
        await gw.gql(
          EvaluateDocument,
          { key: 'new_checkout', context: { targetingKey: `s${index}`, email: 'x@company.com' } },
          key,
        ),
      );
    for (let index = 0; index < 3; index++)
      dataOf(await gw.gql(EvaluateDocument, { key: 'new_checkout', context: { targetingKey: `v${index}` } }, key));
    await gw.stop({ keepDataDir: true });
    const store = await openStore({ dataDir: gw.dataDir });
    try {
      const usage = await store.readUsage();
      const count = (variation: string) =>
        usage.find(
          (entry) => entry.environment === PROD && entry.flagKey === 'new_checkout' && entry.variation === variation,
        )?.count;
      expect(count('on')).toBe(5);
      expect(count('off')).toBe(3);
    } finally {
      await store.close();
      await rm(gw.dataDir, { recursive: true, force: true });
    }
  });
});
