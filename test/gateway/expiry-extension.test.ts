/**
 * Extending a flag's expiry is an audited `updateFlag` with a comment, on both stores: a later
 * `expiresAt` (or none where there was one) without a non-empty comment is VALIDATION on `comment`
 * and changes nothing; with one, the comment is on the audit entry. Shortening needs none.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AuditLogDocument, CreateFlagDocument, UpdateFlagDocument } from '../../src/client/generated/graphql.js';
import { booleanFlag } from '../fixtures/gateway/flags.js';
import { codeOf, dataOf, errorOf, startTestGateway, type TestGateway } from '../support/gateway.js';
import { startMongoTestServer, type MongoTestServer } from '../support/mongo-java-server.js';

const IN_30_DAYS = new Date(Date.now() + 30 * 86_400_000).toISOString();
const IN_60_DAYS = new Date(Date.now() + 60 * 86_400_000).toISOString();
const IN_10_DAYS = new Date(Date.now() + 10 * 86_400_000).toISOString();

let mongo: MongoTestServer;
const gateways: Record<string, TestGateway> = {};

beforeAll(async () => {
  gateways.embedded = await startTestGateway({ seed: false });
  mongo = await startMongoTestServer();
  const mongodbUri = `${mongo.uri.replace(/\/?$/, '')}/expiry_${process.pid}`;
  gateways.mongodb = await startTestGateway({ seed: false, config: { mongodbUri } });
}, 240_000);

afterAll(async () => {
  await Promise.allSettled(Object.values(gateways).map((gw) => gw.stop()));
  await mongo?.close();
});

describe.each(['embedded', 'mongodb'])('extending an expiry on the %s store', { timeout: 60_000 }, (store) => {
  const gw = () => gateways[store]!;

  async function releaseFlag(key: string): Promise<void> {
    dataOf(await gw().gql(CreateFlagDocument, { input: booleanFlag(key, { kind: 'RELEASE', expiresAt: IN_30_DAYS }) }));
  }

  it('refuses a later expiresAt without a comment, naming the field', async () => {
    await releaseFlag(`extend_bare_${store}`);
    for (const comment of [undefined, '', '   ']) {
      const result = await gw().gql(UpdateFlagDocument, {
        key: `extend_bare_${store}`,
        expectedVersion: 1,
        input: { expiresAt: IN_60_DAYS },
        ...(comment === undefined ? {} : { comment }),
      });
      expect(codeOf(result)).toBe('VALIDATION');
      expect(errorOf(result).extensions?.field).toBe('comment');
      expect(errorOf(result).message).toContain('needs a comment');
    }
    const log = dataOf(await gw().gql(AuditLogDocument, { key: `extend_bare_${store}` })).auditLog;
    expect(log.entries.map((entry) => entry.action)).toEqual(['create']);
  });

  it('extends with a comment, recorded on the audit entry; shortens without one', async () => {
    const key = `extend_ok_${store}`;
    await releaseFlag(key);
    const extended = dataOf(
      await gw().gql(UpdateFlagDocument, {
        key,
        expectedVersion: 1,
        input: { expiresAt: IN_60_DAYS },
        comment: 'waiting for the mobile release',
      }),
    ).updateFlag;
    expect(extended.expiresAt).toBe(IN_60_DAYS);
    const shortened = dataOf(
      await gw().gql(UpdateFlagDocument, { key, expectedVersion: 2, input: { expiresAt: IN_10_DAYS } }),
    ).updateFlag;
    expect(shortened.expiresAt).toBe(IN_10_DAYS);
    const log = dataOf(await gw().gql(AuditLogDocument, { key })).auditLog;
    expect(log.entries.map((entry) => [entry.action, entry.comment])).toEqual([
      ['update', null],
      ['update', 'waiting for the mobile release'],
      ['create', null],
    ]);
  });
});
