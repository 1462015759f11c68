/**
 * Flag hygiene over HTTP, on a real gateway: default expiry at creation (configured by environment
 * variable), `Flag.usage` filled by the gateway's own usage flushes, code-reference reports,
 * `ARCHIVED_BUT_CALLED` counted from real FLAG_NOT_FOUND requests, and `staleFlags` with the
 * report's `now` and thresholds given as arguments. Who may read and write what is checked too.
 */
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import {
  ArchiveFlagDocument,
  CreateFlagDocument,
  EvaluateDocument,
  FlagHygieneDocument,
  ReportCodeReferencesDocument,
  StaleFlagsDocument,
} from '../../src/client/generated/graphql.js';
import { booleanFlag, PROD } from '../fixtures/gateway/flags.js';
import { codeOf, dataOf, errorOf, startTestGateway, type TestGateway } from '../support/gateway.js';

vi.mock('graphql', async () => (await import('node:module')).createRequire(import.meta.url)('graphql'));

const day = 24 * 3600 * 1000;
let gw: TestGateway;
let evaluationKey: string;
let readOnlyKey: string;

beforeAll(async () => {
  gw = await startTestGateway({
    seed: false,
    config: { usageFlushMs: 50 },
    env: { VEXIL_DEFAULT_EXPIRY_RELEASE: '10' },
  });
  evaluationKey = (await gw.createKey('EVALUATION', PROD)).secret;
  readOnlyKey = (await gw.createKey('READ_ONLY')).secret;
});
afterAll(async () => {
  await gw?.stop();
});

const hygiene = async (key: string, variables: { window?: number; now?: string } = {}) =>
  dataOf(await gw.gql(FlagHygieneDocument, { key, environment: PROD, ...variables }, readOnlyKey)).flag!;
const evaluate = (key: string, context: Record<string, unknown> = { targetingKey: 'u1' }) =>
  gw.gql(EvaluateDocument, { key, context }, evaluationKey);

describe('expiry at creation', () => {
  it('gives a release flag created without expiresAt the configured default (VEXIL_DEFAULT_EXPIRY_RELEASE days)', async () => {
    const before = Date.now();
    const created = dataOf(
      await gw.gql(CreateFlagDocument, { input: booleanFlag('temp-release', { kind: 'RELEASE' }) }),
    ).createFlag;
    const expires = Date.parse(created.expiresAt!);
    expect(expires).toBeGreaterThanOrEqual(before + 10 * day - 1000);
    expect(expires).toBeLessThanOrEqual(Date.now() + 10 * day);
    expect(
      dataOf(await gw.gql(CreateFlagDocument, { input: booleanFlag('permanent-ops') })).createFlag.expiresAt,
    ).toBeNull();
  });
});

describe('Flag.usage', () => {
  it('shows the evaluations the gateway flushed: total, per variation, last evaluation and an hourly series of the window', async () => {
    dataOf(await gw.gql(CreateFlagDocument, { input: booleanFlag('counted') }));
    for (const plan of ['pro', 'free', 'free']) dataOf(await evaluate('counted', { targetingKey: 'u1', plan }));
    await vi.waitFor(async () => expect((await hygiene('counted')).usage.total).toBe(3), {
      timeout: 10_000,
      interval: 50,
    });
    const { usage } = await hygiene('counted');
    expect(usage).toMatchObject({
      environment: PROD,
      windowDays: 30,
      allTimeTotal: 3,
      notFound: 0,
      variations: [
        { variation: 'off', count: 2 },
        { variation: 'on', count: 1 },
      ],
    });
    expect(Date.now() - Date.parse(usage.lastEvaluatedAt!)).toBeLessThan(60_000);
    expect(usage.series).toHaveLength(720);
    expect(usage.series.at(-1)!.count + (usage.series.at(-2)?.count ?? 0)).toBe(3);
    expect((await hygiene('counted', { window: 1 })).usage.series).toHaveLength(24);
    expect(errorOf(await gw.gql(FlagHygieneDocument, { key: 'counted', environment: PROD, window: 31 }))).toMatchObject(
      { extensions: { code: 'VALIDATION', field: 'window' } },
    );
  });
});

describe('code references', () => {
  const flags = [{ key: 'counted', count: 2, locations: ['src/cart.ts:12', 'src/cart.ts:40'] }];

  it('stores a report with an admin key and shows it on Flag.codeReferences', async () => {
    const stored = dataOf(
      await gw.gql(ReportCodeReferencesDocument, {
        repository: 'github.com/acme/shop',
        scannedAt: '2026-03-01T10:00:00Z',
        flags,
      }),
    ).reportCodeReferences;
    expect(stored).toEqual({
      repository: 'github.com/acme/shop',
      scannedAt: '2026-03-01T10:00:00.000Z',
      flagCount: 1,
      stored: true,
    });
    expect((await hygiene('counted')).codeReferences).toEqual([
      {
        repository: 'github.com/acme/shop',
        scannedAt: '2026-03-01T10:00:00.000Z',
        count: 2,
        locations: flags[0]!.locations,
      },
    ]);
    const older = dataOf(
      await gw.gql(ReportCodeReferencesDocument, {
        repository: 'github.com/acme/shop',
        scannedAt: '2026-02-01T10:00:00Z',
        flags: [],
      }),
    ).reportCodeReferences;
    expect(older.stored).toBe(false);
  });

  it('refuses a report from a read-only key, and a malformed one with the field at fault', async () => {
    expect(
      codeOf(
        await gw.gql(
          ReportCodeReferencesDocument,
          { repository: 'r', scannedAt: '2026-03-01T10:00:00Z', flags },
          readOnlyKey,
        ),
      ),
    ).toBe('FORBIDDEN');
    const bad = errorOf(
      await gw.gql(ReportCodeReferencesDocument, {
        repository: 'r',
        scannedAt: '2026-03-01T10:00:00Z',
        flags: [{ key: 'x', count: 1, locations: ['cart.ts'] }],
      }),
    );
    expect(bad.extensions).toMatchObject({ code: 'VALIDATION', field: 'flags[0].locations[0]' });
  });
});

describe('staleFlags', () => {
  it('reports an archived flag that is still requested (ARCHIVED_BUT_CALLED), counted from FLAG_NOT_FOUND answers', async () => {
    dataOf(await gw.gql(CreateFlagDocument, { input: booleanFlag('retired') }));
    dataOf(await gw.gql(ArchiveFlagDocument, { key: 'retired' }));
    await vi.waitFor(async () => expect(dataOf(await evaluate('retired')).evaluate.errorCode).toBe('FLAG_NOT_FOUND'), {
      timeout: 5_000,
    });
    dataOf(await evaluate('retired'));
    await vi.waitFor(
      async () => {
        const entry = dataOf(await gw.gql(StaleFlagsDocument, { environment: PROD }, readOnlyKey)).staleFlags.find(
          (flag) => flag.key === 'retired',
        );
        expect(entry).toMatchObject({
          stale: true,
          deleted: false,
          flag: { archived: true },
          reasons: [{ code: 'ARCHIVED_BUT_CALLED', severity: 'STALE' }],
        });
        expect(entry!.reasons[0]!.evidence.count).toBeGreaterThanOrEqual(2);
      },
      { timeout: 10_000, interval: 50 },
    );
  });

  it('takes now and thresholds as arguments: the release flag is EXPIRED 11 days from now, EXPIRING_SOON 5 days from now', async () => {
    const report = async (offsetDays: number) => {
      const now = new Date(Date.now() + offsetDays * day).toISOString();
      const entries = dataOf(
        await gw.gql(StaleFlagsDocument, { environment: PROD, now, unusedDays: 365 }, readOnlyKey),
      ).staleFlags;
      return (
        entries
          .find((entry) => entry.key === 'temp-release')
          ?.reasons.map((reason) => `${reason.code}/${reason.severity}`) ?? []
      );
    };
    expect(await report(0)).toEqual([]);
    expect(await report(5)).toEqual(['EXPIRING_SOON/WARNING']);
    // No NO_CODE_REFERENCES: the only scan reported ran before the flag was created.
    expect(await report(11)).toEqual(['EXPIRED/STALE']);
    const reasons = (await hygiene('temp-release', { now: new Date(Date.now() + 11 * day).toISOString() }))
      .staleReasons;
    expect(reasons[0]).toMatchObject({
      code: 'EXPIRED',
      evidence: { expiresAt: expect.any(String) },
      suggestedAction: expect.stringContaining('updateFlag'),
    });
  });

  it('is for admin and read-only keys; bad arguments are VALIDATION errors naming them', async () => {
    expect(codeOf(await gw.gql(StaleFlagsDocument, {}, evaluationKey))).toBe('FORBIDDEN');
    expect(errorOf(await gw.gql(StaleFlagsDocument, { unusedDays: -1 })).extensions).toMatchObject({
      code: 'VALIDATION',
      field: 'unusedDays',
    });
    expect(errorOf(await gw.gql(StaleFlagsDocument, { now: 'tomorrow' })).extensions).toMatchObject({
      code: 'VALIDATION',
      field: 'now',
    });
  });
});
