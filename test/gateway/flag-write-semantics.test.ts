/**
 * What flag writes mean when parts of their input are left out, and what they record: an omitted
 * `rules` list keeps the rules (an explicit [] clears them), every environment-scoped change names
 * its environment in the audit log, and an expiry in the past is refused when it is set.
 */
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import {
  AuditLogDocument,
  CreateEnvironmentDocument,
  CreateFlagDocument,
  CreateSegmentDocument,
  FlagDocument,
  SetFlagEnvironmentDocument,
  ToggleFlagDocument,
  UpdateFlagDocument,
} from '../../src/client/generated/graphql.js';
import { booleanFlag, FUTURE, PROD, segmentInput, STAGING } from '../fixtures/gateway/flags.js';
import { dataOf, errorOf, startTestGateway, type TestGateway } from '../support/gateway.js';

vi.mock('graphql', async () => (await import('node:module')).createRequire(import.meta.url)('graphql'));

let gw: TestGateway;

beforeAll(async () => {
  gw = await startTestGateway();
});
afterAll(async () => {
  await gw?.stop();
});

async function read(key: string) {
  return dataOf(await gw.gql(FlagDocument, { key })).flag!;
}

const rulesIn = (flag: Awaited<ReturnType<typeof read>>, environment: string) =>
  flag.environments.find((config) => config.environment === environment)?.rules.map((rule) => rule.condition);

describe('setFlagEnvironment without rules', () => {
  it('keeps the rules of the seed flag new_checkout and changes only what was given', async () => {
    const before = await read('new_checkout');
    expect(rulesIn(before, PROD)!.length).toBeGreaterThan(0);
    const config = { on: false, offVariation: 'off', defaultServe: { variation: 'off' } };
    const after = dataOf(
      await gw.gql(SetFlagEnvironmentDocument, {
        key: 'new_checkout',
        environment: PROD,
        config,
        expectedVersion: before.version,
      }),
    ).setFlagEnvironment;
    expect(rulesIn(after, PROD)).toEqual(rulesIn(before, PROD));
    expect(after.environments.find((entry) => entry.environment === PROD)).toMatchObject({ on: false });
  });

  it('clears the rules with an explicit empty list', async () => {
    dataOf(await gw.gql(CreateFlagDocument, { input: booleanFlag('clear-rules') }));
    const config = { on: true, offVariation: 'off', rules: [], defaultServe: { variation: 'off' } };
    const after = dataOf(
      await gw.gql(SetFlagEnvironmentDocument, { key: 'clear-rules', environment: PROD, config, expectedVersion: 1 }),
    ).setFlagEnvironment;
    expect(rulesIn(after, PROD)).toEqual([]);
  });

  it('keeps the rules of an environment given to updateFlag without rules', async () => {
    dataOf(await gw.gql(CreateFlagDocument, { input: booleanFlag('update-keeps-rules') }));
    const environments = [
      { environment: PROD, config: { on: false, offVariation: 'off', defaultServe: { variation: 'off' } } },
    ];
    const after = dataOf(
      await gw.gql(UpdateFlagDocument, { key: 'update-keeps-rules', input: { environments }, expectedVersion: 1 }),
    ).updateFlag;
    expect(rulesIn(after, PROD)).toEqual(['plan == "pro"']);
  });
});

describe('environment-scoped changes in the audit log', () => {
  it('toggling an environment the flag was never configured in configures it and audits it with that environment', async () => {
    dataOf(await gw.gql(CreateEnvironmentDocument, { key: 'qa' }));
    const flag = dataOf(
      await gw.gql(ToggleFlagDocument, { key: 'new_checkout', environment: 'qa', on: true }),
    ).toggleFlag;
    expect(flag.environments.find((config) => config.environment === 'qa')).toMatchObject({
      on: true,
      rules: [],
      defaultServe: { variation: 'on' },
    });
    const entries = dataOf(await gw.gql(AuditLogDocument, { environment: 'qa' })).auditLog.entries;
    expect(entries.map((entry) => [entry.kind, entry.key, entry.action, entry.environment])).toEqual([
      ['flag', 'new_checkout', 'toggle', 'qa'],
    ]);
  });

  it('auditLog(environment: "production") lists kill-switch flips, setFlagEnvironment and segment writes there', async () => {
    dataOf(await gw.gql(CreateFlagDocument, { input: booleanFlag('audited-env') }));
    dataOf(await gw.gql(ToggleFlagDocument, { key: 'audited-env', environment: PROD, on: false }));
    dataOf(await gw.gql(ToggleFlagDocument, { key: 'audited-env', environment: STAGING, on: false }));
    const config = { on: true, offVariation: 'off', defaultServe: { variation: 'on' } };
    dataOf(
      await gw.gql(SetFlagEnvironmentDocument, { key: 'audited-env', environment: PROD, config, expectedVersion: 3 }),
    );
    dataOf(await gw.gql(CreateSegmentDocument, { input: segmentInput('audited-seg') }));
    const entries = dataOf(await gw.gql(AuditLogDocument, { environment: PROD, first: 3 })).auditLog.entries;
    expect(entries.map((entry) => [entry.kind, entry.key, entry.action, entry.environment])).toEqual([
      ['segment', 'audited-seg', 'create', PROD],
      ['flag', 'audited-env', 'update', PROD],
      ['flag', 'audited-env', 'toggle', PROD],
    ]);
  });
});

describe('expiresAt in the past', () => {
  const past = '2020-01-01T00:00:00.000Z';

  it('is refused at creation with VALIDATION on field expiresAt', async () => {
    const error = errorOf(
      await gw.gql(CreateFlagDocument, { input: booleanFlag('born-stale', { kind: 'RELEASE', expiresAt: past }) }),
    );
    expect(error.extensions).toMatchObject({ code: 'VALIDATION', field: 'expiresAt' });
    expect(error.message).toMatch(/future/);
    expect(dataOf(await gw.gql(FlagDocument, { key: 'born-stale' })).flag).toBeNull();
  });

  it('is refused when updateFlag sets it, and the flag is left as it was', async () => {
    dataOf(
      await gw.gql(CreateFlagDocument, { input: booleanFlag('expiring', { kind: 'RELEASE', expiresAt: FUTURE }) }),
    );
    const error = errorOf(
      await gw.gql(UpdateFlagDocument, { key: 'expiring', input: { expiresAt: past }, expectedVersion: 1 }),
    );
    expect(error.extensions).toMatchObject({ code: 'VALIDATION', field: 'expiresAt' });
    expect(await read('expiring')).toMatchObject({ version: 1, expiresAt: FUTURE });
  });

  it('is accepted in the future, at creation and in an update', async () => {
    const created = dataOf(
      await gw.gql(CreateFlagDocument, { input: booleanFlag('later', { kind: 'RELEASE', expiresAt: FUTURE }) }),
    ).createFlag;
    expect(created).toMatchObject({ expiresAt: FUTURE, stale: false });
    const later = '2100-06-01T00:00:00.000Z';
    expect(
      dataOf(
        await gw.gql(UpdateFlagDocument, {
          key: 'later',
          input: { expiresAt: later },
          expectedVersion: 1,
          comment: 'an extension needs a reason',
        }),
      ).updateFlag.expiresAt,
    ).toBe(later);
  });
});
