/**
 * Segments over HTTP: createSegment, segment, segments, updateSegment, deleteSegment, and their effect
 * on the evaluation of flags that use them.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  AuditLogDocument,
  CreateFlagDocument,
  CreateSegmentDocument,
  DeleteSegmentDocument,
  EvaluateDocument,
  SegmentsDocument,
  UpdateSegmentDocument,
} from '../../src/client/generated/graphql.js';
import { booleanFlag, PROD, segmentInput, serveAll, STAGING } from '../fixtures/gateway/flags.js';
import { codeOf, dataOf, errorOf, startTestGateway, type TestGateway } from '../support/gateway.js';

let gw: TestGateway;
let evalProd: string;

beforeAll(async () => {
  gw = await startTestGateway({ seed: false });
  evalProd = (await gw.createKey('EVALUATION', PROD)).secret;
});

afterAll(async () => {
  await gw?.stop();
});

const segmentQuery = `query ($environment: String!, $key: String!) { segment(environment: $environment, key: $key) { key environment name description included excluded condition version } }`;
type SegmentView = {
  key: string;
  environment: string;
  name: string;
  description: string;
  included: string[];
  excluded: string[];
  condition: string | null;
  version: number;
};
const readSegment = async (key: string, environment = PROD) =>
  dataOf(await gw.gql<{ segment: SegmentView | null }, object>(segmentQuery, { environment, key })).segment;

/** A flag serving `on` to the segment in production. */
const flagUsing = (flagKey: string, segmentKey: string) =>
  booleanFlag(flagKey, {
    environments: [
      {
        environment: PROD,
        config: serveAll('off', [{ condition: `segment("${segmentKey}")`, serve: { variation: 'on' } }]),
      },
    ],
  });
const evaluate = async (flagKey: string, context: Record<string, unknown>) =>
  dataOf(await gw.gql(EvaluateDocument, { key: flagKey, context }, evalProd)).evaluate;

describe('createSegment and reading segments', () => {
  it('creates a segment at version 1', async () => {
    const segment = dataOf(
      await gw.gql(CreateSegmentDocument, { input: segmentInput('create-seg'), comment: 'new audience' }),
    ).createSegment;
    expect(segment).toMatchObject({
      key: 'create-seg',
      environment: PROD,
      name: 'Segment create-seg',
      description: 'beta testers',
      included: ['user-in'],
      excluded: ['user-out'],
      condition: 'country == "NL"',
      version: 1,
    });
  });

  it('reads one segment by environment and key, and null for an unknown one', async () => {
    await gw.gql(CreateSegmentDocument, { input: segmentInput('read-seg') });
    expect(await readSegment('read-seg')).toMatchObject({ key: 'read-seg', version: 1 });
    expect(await readSegment('read-seg', STAGING)).toBeNull();
  });

  it('lists the segments of one environment, or of all', async () => {
    dataOf(await gw.gql(CreateSegmentDocument, { input: segmentInput('staging-seg', STAGING) }));
    const staging = dataOf(await gw.gql(SegmentsDocument, { environment: STAGING })).segments;
    expect(staging.map((segment) => segment.key)).toEqual(['staging-seg']);
    const all = dataOf(await gw.gql(SegmentsDocument, {})).segments;
    expect(all.map((segment) => `${segment.environment}/${segment.key}`)).toEqual(
      expect.arrayContaining([`${STAGING}/staging-seg`, `${PROD}/create-seg`]),
    );
  });

  it('rejects a segment in an unknown environment with VALIDATION', async () => {
    expect(
      errorOf(await gw.gql(CreateSegmentDocument, { input: segmentInput('moon-seg', 'moon') })).extensions,
    ).toMatchObject({ code: 'VALIDATION', field: 'environment' });
  });

  it('rejects a condition that does not parse with RULE_SYNTAX and its position', async () => {
    const error = errorOf(
      await gw.gql(CreateSegmentDocument, { input: { ...segmentInput('bad-seg'), condition: 'country ==' } }),
    );
    expect(error.extensions).toMatchObject({
      code: 'RULE_SYNTAX',
      field: 'condition',
      line: 1,
      column: expect.any(Number),
    });
  });

  it('rejects a second segment with the same key in the environment as CONFLICT', async () => {
    dataOf(await gw.gql(CreateSegmentDocument, { input: segmentInput('twice-seg') }));
    expect(errorOf(await gw.gql(CreateSegmentDocument, { input: segmentInput('twice-seg') })).extensions).toMatchObject(
      { code: 'CONFLICT', currentVersion: 1 },
    );
  });
});

describe('segments in flag rules', () => {
  beforeAll(async () => {
    dataOf(await gw.gql(CreateSegmentDocument, { input: segmentInput('audience') }));
    dataOf(await gw.gql(CreateFlagDocument, { input: flagUsing('audience-flag', 'audience') }));
  });

  it('includes the listed targeting keys', async () => {
    expect(await evaluate('audience-flag', { targetingKey: 'user-in', country: 'US' })).toMatchObject({
      value: true,
      reason: 'TARGETING_MATCH',
    });
  });

  it('excludes the excluded keys even when the condition matches', async () => {
    expect(await evaluate('audience-flag', { targetingKey: 'user-out', country: 'NL' })).toMatchObject({
      value: false,
      reason: 'DEFAULT',
    });
  });

  it('includes everyone else matching the condition', async () => {
    expect(await evaluate('audience-flag', { targetingKey: 'someone', country: 'NL' })).toMatchObject({ value: true });
    expect(await evaluate('audience-flag', { targetingKey: 'someone', country: 'US' })).toMatchObject({ value: false });
  });

  it('rejects a flag rule naming a segment that does not exist in that environment', async () => {
    const error = errorOf(await gw.gql(CreateFlagDocument, { input: flagUsing('ghost-flag', 'ghost') }));
    expect(error.extensions?.code).toBe('VALIDATION');
    expect(error.message).toMatch(/ghost/);
  });
});

describe('updateSegment', () => {
  it('changes the fields given, keeps the others, and takes effect on evaluation at once', async () => {
    dataOf(await gw.gql(CreateSegmentDocument, { input: segmentInput('update-seg') }));
    dataOf(await gw.gql(CreateFlagDocument, { input: flagUsing('update-seg-flag', 'update-seg') }));
    expect(await evaluate('update-seg-flag', { targetingKey: 'new-user', country: 'US' })).toMatchObject({
      value: false,
    });
    const segment = dataOf(
      await gw.gql(UpdateSegmentDocument, {
        environment: PROD,
        key: 'update-seg',
        expectedVersion: 1,
        input: { included: ['new-user'] },
        comment: 'add new-user',
      }),
    ).updateSegment;
    expect(segment).toMatchObject({
      version: 2,
      included: ['new-user'],
      excluded: ['user-out'],
      condition: 'country == "NL"',
      name: 'Segment update-seg',
    });
    expect(await evaluate('update-seg-flag', { targetingKey: 'new-user', country: 'US' })).toMatchObject({
      value: true,
    });
  });

  it('rejects a stale expectedVersion with CONFLICT carrying the current version', async () => {
    dataOf(await gw.gql(CreateSegmentDocument, { input: segmentInput('stale-seg') }));
    dataOf(
      await gw.gql(UpdateSegmentDocument, {
        environment: PROD,
        key: 'stale-seg',
        expectedVersion: 1,
        input: { name: 'first' },
      }),
    );
    expect(
      errorOf(
        await gw.gql(UpdateSegmentDocument, {
          environment: PROD,
          key: 'stale-seg',
          expectedVersion: 1,
          input: { name: 'second' },
        }),
      ).extensions,
    ).toMatchObject({ code: 'CONFLICT', currentVersion: 2 });
    expect((await readSegment('stale-seg'))!.name).toBe('first');
  });

  it('answers NOT_FOUND for a segment that does not exist', async () => {
    expect(
      codeOf(
        await gw.gql(UpdateSegmentDocument, {
          environment: PROD,
          key: 'no-such-seg',
          expectedVersion: 1,
          input: { name: 'x' },
        }),
      ),
    ).toBe('NOT_FOUND');
  });
});

describe('deleteSegment', () => {
  it('deletes an unused segment and records it in the audit log', async () => {
    dataOf(await gw.gql(CreateSegmentDocument, { input: segmentInput('delete-seg') }));
    expect(
      dataOf(
        await gw.gql(DeleteSegmentDocument, {
          environment: PROD,
          key: 'delete-seg',
          expectedVersion: 1,
          comment: 'gone',
        }),
      ).deleteSegment,
    ).toBe(true);
    expect(await readSegment('delete-seg')).toBeNull();
    const entries = dataOf(await gw.gql(AuditLogDocument, { key: 'delete-seg', kind: 'segment' })).auditLog.entries;
    expect(entries.map((entry) => [entry.action, entry.environment])).toEqual([
      ['delete', PROD],
      ['create', PROD],
    ]);
  });

  it('refuses to delete a segment a flag rule uses', async () => {
    dataOf(await gw.gql(CreateSegmentDocument, { input: segmentInput('used-seg') }));
    dataOf(await gw.gql(CreateFlagDocument, { input: flagUsing('used-seg-flag', 'used-seg') }));
    const error = errorOf(
      await gw.gql(DeleteSegmentDocument, { environment: PROD, key: 'used-seg', expectedVersion: 1 }),
    );
    expect(error.extensions?.code).toBe('VALIDATION');
    expect(error.message).toMatch(/used-seg-flag/);
    expect(await readSegment('used-seg')).not.toBeNull();
  });

  it('rejects a stale expectedVersion with CONFLICT', async () => {
    dataOf(await gw.gql(CreateSegmentDocument, { input: segmentInput('delete-stale-seg') }));
    expect(
      errorOf(await gw.gql(DeleteSegmentDocument, { environment: PROD, key: 'delete-stale-seg', expectedVersion: 3 }))
        .extensions,
    ).toMatchObject({ code: 'CONFLICT', currentVersion: 1 });
  });

  it('answers NOT_FOUND for a segment that does not exist', async () => {
    expect(
      codeOf(await gw.gql(DeleteSegmentDocument, { environment: PROD, key: 'no-such-seg', expectedVersion: 1 })),
    ).toBe('NOT_FOUND');
  });
});
