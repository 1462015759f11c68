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
  SetFlagEnvironmentDocument,
  ToggleFlagDocument,
} from '../../src/client/generated/graphql.js';
import { booleanFlag, PROD, segmentInput, STAGING } from '../fixtures/gateway/flags.js';
import { dataOf, startTestGateway, type TestGateway } from '../support/gateway.js';

vi.mock('graphql', async () => (await import('node:module')).createRequire(import.meta.url)('graphql'));

let gw: TestGateway;

beforeAll(async () => {
  gw = await startTestGateway();
});
afterAll(async () => {
  await gw?.stop();
});

describe('environment-scoped changes in the audit log', () => {
  it('toggling an environment the flag was never configured in configures it and audits it with that environment', async () => {
    dataOf(await gw.gql(CreateEnvironmentDocument, { key: 'qa' }));
    const flag = dataOf(await gw.gql(ToggleFlagDocument, { key: 'new_checkout', environment: 'qa', on: true })).toggleFlag;
    expect(flag.environments.find((config) => config.environment === 'qa')).toMatchObject({ on: true, rules: [], defaultServe: { variation: 'on' } });
    const entries = dataOf(await gw.gql(AuditLogDocument, { environment: 'qa' })).auditLog.entries;
    expect(entries.map((entry) => [entry.kind, entry.key, entry.action, entry.environment])).toEqual([['flag', 'new_checkout', 'toggle', 'qa']]);
  });

  it('auditLog(environment: "production") lists kill-switch flips, setFlagEnvironment and segment writes there', async () => {
    dataOf(await gw.gql(CreateFlagDocument, { input: booleanFlag('audited-env') }));
    dataOf(await gw.gql(ToggleFlagDocument, { key: 'audited-env', environment: PROD, on: false }));
    dataOf(await gw.gql(ToggleFlagDocument, { key: 'audited-env', environment: STAGING, on: false }));
    const config = { on: true, offVariation: 'off', defaultServe: { variation: 'on' } };
    dataOf(await gw.gql(SetFlagEnvironmentDocument, { key: 'audited-env', environment: PROD, config, expectedVersion: 3 }));
    dataOf(await gw.gql(CreateSegmentDocument, { input: segmentInput('audited-seg') }));
    const entries = dataOf(await gw.gql(AuditLogDocument, { environment: PROD, first: 3 })).auditLog.entries;
    expect(entries.map((entry) => [entry.kind, entry.key, entry.action, entry.environment])).toEqual([
      ['segment', 'audited-seg', 'create', PROD],
      ['flag', 'audited-env', 'update', PROD],
      ['flag', 'audited-env', 'toggle', PROD],
    ]);
  });
});
