/**
 * Flag queries and mutations over HTTP with an admin key: createFlag, flag, flags, updateFlag,
 * setFlagEnvironment, toggleFlag, archiveFlag, restoreFlag, deleteFlag, and what each leaves in the audit log.
 */
import { parse } from 'graphql';
import type { TypedDocumentNode } from '@graphql-typed-document-node/core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  ArchiveFlagDocument,
  AuditLogDocument,
  CreateFlagDocument,
  DeleteFlagDocument,
  FlagDocument,
  FlagsDocument,
  RestoreFlagDocument,
  SetFlagEnvironmentDocument,
  ToggleFlagDocument,
  UpdateFlagDocument,
} from '../../src/client/generated/graphql.js';
import { FlagStore } from '../../src/store/store.js';
import { booleanFlag, experimentFlag, FUTURE, PROD, serveAll, STAGING } from '../fixtures/gateway/flags.js';
import { codeOf, dataOf, errorOf, startTestGateway, type TestGateway } from '../support/gateway.js';

let gw: TestGateway;

beforeAll(async () => {
  gw = await startTestGateway({ seed: false });
});

afterAll(async () => {
  await gw?.stop();
});

const create = async (input = booleanFlag('f')) =>
  dataOf(await gw.gql(CreateFlagDocument, { input, comment: `create ${input.key}` })).createFlag;
const read = async (key: string) => dataOf(await gw.gql(FlagDocument, { key })).flag;
const lastAudit = async (key: string) => dataOf(await gw.gql(AuditLogDocument, { key, first: 1 })).auditLog.entries[0]!;

describe('createFlag', () => {
  it('creates a flag at version 1 with every field given', async () => {
    const flag = await create(booleanFlag('create-basic'));
    expect(flag).toMatchObject({
      key: 'create-basic',
      name: 'Flag create-basic',
      description: 'test flag create-basic',
      kind: 'OPS',
      valueType: 'BOOLEAN',
      tags: ['test'],
      owner: 'team-gateway-tests',
      version: 1,
      archived: false,
      salt: 'create-basic',
      stale: false,
      expiresAt: null,
    });
    expect(flag.variations).toEqual([
      { key: 'on', value: true, name: 'On', description: null },
      { key: 'off', value: false, name: 'Off', description: null },
    ]);
    expect(flag.environments.find((environment) => environment.environment === PROD)).toMatchObject({
      on: true,
      offVariation: 'off',
      rules: [
        { id: 'pro', description: 'pro plan', condition: 'plan == "pro"', serve: { variation: 'on', rollout: null } },
      ],
      defaultServe: { variation: 'off', rollout: null },
    });
  });

  it('records the creation in the audit log with the key’s name as actor and the comment', async () => {
    await create(booleanFlag('create-audited'));
    expect(await lastAudit('create-audited')).toMatchObject({
      kind: 'flag',
      key: 'create-audited',
      action: 'create',
      version: 1,
      comment: 'create create-audited',
      before: null,
      after: { key: 'create-audited' },
    });
    expect((await lastAudit('create-audited')).actor).toMatch(/^bootstrap-admin \(key_/);
  });

  it('stores a rollout serve with its weights and bucketing attribute', async () => {
    const flag = await create(experimentFlag('create-rollout'));
    expect(flag.environments[0]!.defaultServe.rollout).toEqual({
      bucketBy: 'userId',
      weights: [
        { variation: 'control', weight: 50_000 },
        { variation: 'treatment', weight: 50_000 },
      ],
    });
  });

  it('rejects a second flag with the same key as CONFLICT', async () => {
    await create(booleanFlag('create-twice'));
    const error = errorOf(await gw.gql(CreateFlagDocument, { input: booleanFlag('create-twice') }));
    expect(error.extensions).toMatchObject({ code: 'CONFLICT', currentVersion: 1 });
  });

  it('rejects an invalid flag with VALIDATION naming the field', async () => {
    const error = errorOf(
      await gw.gql(CreateFlagDocument, {
        input: booleanFlag('create-bad', { kind: 'RELEASE', expiresAt: 'next tuesday' }),
      }),
    );
    expect(error.extensions).toMatchObject({ code: 'VALIDATION', field: 'expiresAt' });
  });

  it('rejects targeting in an unknown environment', async () => {
    const error = errorOf(
      await gw.gql(CreateFlagDocument, {
        input: booleanFlag('create-moon', { environments: [{ environment: 'moon', config: serveAll('on') }] }),
      }),
    );
    expect(error.extensions?.code).toBe('VALIDATION');
    expect(String(error.extensions?.field)).toMatch(/moon/);
  });
});

describe('flag and flags', () => {
  beforeAll(async () => {
    await create(
      booleanFlag('list-a', { tags: ['alpha', 'shared'], owner: 'team-a', description: 'Searchable needle' }),
    );
    await create(booleanFlag('list-b', { tags: ['beta', 'shared'], owner: 'team-b' }));
    await create({ ...experimentFlag('list-c'), tags: ['shared'], owner: 'team-a' });
    await create(booleanFlag('list-d', { tags: ['shared'] }));
    dataOf(await gw.gql(ArchiveFlagDocument, { key: 'list-d' }));
  });

  it('reads one flag by key', async () => {
    expect(await read('list-a')).toMatchObject({ key: 'list-a', owner: 'team-a', tags: ['alpha', 'shared'] });
  });

  it('answers null for a flag that does not exist', async () => {
    expect(dataOf(await gw.gql(FlagDocument, { key: 'no-such-flag' })).flag).toBeNull();
  });

  it('lists flags sorted by key with a total count', async () => {
    const page = dataOf(await gw.gql(FlagsDocument, { tag: 'shared' })).flags;
    expect(page.nodes.map((flag) => flag.key)).toEqual(['list-a', 'list-b', 'list-c', 'list-d']);
    expect(page.totalCount).toBe(4);
    expect(page.pageInfo.hasNextPage).toBe(false);
  });

  it('pages with first and after without skipping or repeating', async () => {
    const first = dataOf(await gw.gql(FlagsDocument, { tag: 'shared', first: 3 })).flags;
    expect(first.nodes.map((flag) => flag.key)).toEqual(['list-a', 'list-b', 'list-c']);
    expect(first.pageInfo).toMatchObject({ hasNextPage: true, endCursor: expect.any(String) });
    const second = dataOf(
      await gw.gql(FlagsDocument, { tag: 'shared', first: 3, after: first.pageInfo.endCursor }),
    ).flags;
    expect(second.nodes.map((flag) => flag.key)).toEqual(['list-d']);
    expect(second.pageInfo.hasNextPage).toBe(false);
  });

  it('accepts any edge cursor as after: the next page starts after that flag', async () => {
    const edgesQuery = parse(
      'query Edges($after: String) { flags(tag: "shared", first: 2, after: $after) { edges { cursor node { key } } } }',
    );
    type Edges = { flags: { edges: Array<{ cursor: string; node: { key: string } }> } };
    const first = dataOf(await gw.gql(edgesQuery as TypedDocumentNode<Edges, { after?: string }>, {})).flags.edges;
    expect(first.map((edge) => edge.node.key)).toEqual(['list-a', 'list-b']);
    const afterFirstEdge = dataOf(
      await gw.gql(edgesQuery as TypedDocumentNode<Edges, { after?: string }>, { after: first[0]!.cursor }),
    ).flags.edges;
    expect(afterFirstEdge.map((edge) => edge.node.key)).toEqual(['list-b', 'list-c']);
  });

  it('filters by kind, owner, archived state and search text', async () => {
    const keys = async (variables: Parameters<typeof gw.gql<unknown, object>>[1]) =>
      dataOf(await gw.gql(FlagsDocument, { tag: 'shared', ...variables })).flags.nodes.map((flag) => flag.key);
    expect(await keys({ kind: 'EXPERIMENT' })).toEqual(['list-c']);
    expect(await keys({ owner: 'team-a' })).toEqual(['list-a', 'list-c']);
    expect(await keys({ archived: true })).toEqual(['list-d']);
    expect(await keys({ archived: false })).toEqual(['list-a', 'list-b', 'list-c']);
    expect(await keys({ search: 'NEEDLE' })).toEqual(['list-a']);
  });

  it('exposes the edges and per-environment selection of the connection', async () => {
    const result = dataOf(
      await gw.gql<
        {
          flags: {
            edges: Array<{ cursor: string; node: { key: string; environments: Array<{ environment: string }> } }>;
          };
        },
        object
      >(
        `{ flags(tag: "alpha") { edges { cursor node { key environments(environment: "${STAGING}") { environment } } } } }`,
      ),
    );
    expect(result.flags.edges).toEqual([
      { cursor: expect.any(String), node: { key: 'list-a', environments: [{ environment: STAGING }] } },
    ]);
  });
});

describe('updateFlag', () => {
  it('changes the descriptive fields given and keeps the rest (UpdateFlagInput: absent fields keep their value)', async () => {
    await create(booleanFlag('update-name'));
    const result = await gw.gql(UpdateFlagDocument, {
      key: 'update-name',
      expectedVersion: 1,
      input: { name: 'Renamed', tags: ['renamed'] },
    });
    const flag = dataOf(result).updateFlag;
    expect(flag).toMatchObject({
      key: 'update-name',
      name: 'Renamed',
      tags: ['renamed'],
      version: 2,
      kind: 'OPS',
      valueType: 'BOOLEAN',
      owner: 'team-gateway-tests',
    });
    expect(flag.variations.map((variation) => variation.key)).toEqual(['on', 'off']);
    expect(flag.environments.map((environment) => environment.environment).sort()).toEqual([PROD, STAGING]);
  });

  it('succeeds when every field of UpdateFlagInput is given', async () => {
    await create(booleanFlag('update-full'));
    const result = await gw.gql(UpdateFlagDocument, {
      key: 'update-full',
      expectedVersion: 1,
      input: {
        name: 'Full',
        description: 'd',
        kind: 'RELEASE',
        expiresAt: FUTURE,
        owner: 'o',
        tags: [],
        variations: [
          { key: 'on', value: true },
          { key: 'off', value: false },
        ],
        environments: [{ environment: PROD, config: serveAll('on') }],
      },
    });
    expect(dataOf(result).updateFlag).toMatchObject({ name: 'Full', kind: 'RELEASE', version: 2 });
  });

  it('rejects a stale expectedVersion with CONFLICT carrying the current version', async () => {
    await create(booleanFlag('update-stale'));
    dataOf(await gw.gql(ToggleFlagDocument, { key: 'update-stale', environment: PROD, on: false }));
    const error = errorOf(
      await gw.gql(UpdateFlagDocument, { key: 'update-stale', expectedVersion: 1, input: { name: 'late' } }),
    );
    expect(error.extensions).toMatchObject({ code: 'CONFLICT', currentVersion: 2, expectedVersion: 1 });
    expect((await read('update-stale'))!.name).toBe('Flag update-stale');
  });

  it('answers NOT_FOUND for a flag that does not exist', async () => {
    expect(
      codeOf(await gw.gql(UpdateFlagDocument, { key: 'no-such-flag', expectedVersion: 1, input: { name: 'x' } })),
    ).toBe('NOT_FOUND');
  });
});

describe('setFlagEnvironment', () => {
  it('replaces one environment’s targeting and bumps the version', async () => {
    await create(booleanFlag('env-set'));
    const flag = dataOf(
      await gw.gql(SetFlagEnvironmentDocument, {
        key: 'env-set',
        environment: STAGING,
        expectedVersion: 1,
        config: serveAll('off', [{ id: 'eu', condition: 'country in ["NL","DE"]', serve: { variation: 'on' } }]),
        comment: 'EU first',
      }),
    ).setFlagEnvironment;
    expect(flag.version).toBe(2);
    expect(flag.environments.find((environment) => environment.environment === STAGING)).toMatchObject({
      defaultServe: { variation: 'off' },
      rules: [{ id: 'eu', condition: 'country in ["NL","DE"]' }],
    });
    expect(flag.environments.find((environment) => environment.environment === PROD)!.rules[0]!.id).toBe('pro');
    expect(await lastAudit('env-set')).toMatchObject({ action: 'update', version: 2, comment: 'EU first' });
  });

  it('configures an environment the flag had no targeting in', async () => {
    await create(booleanFlag('env-new'));
    const flag = dataOf(
      await gw.gql(SetFlagEnvironmentDocument, {
        key: 'env-new',
        environment: 'development',
        expectedVersion: 1,
        config: serveAll('on'),
      }),
    ).setFlagEnvironment;
    expect(flag.environments.map((environment) => environment.environment).sort()).toEqual([
      'development',
      PROD,
      STAGING,
    ]);
  });

  it('rejects an unknown environment with VALIDATION on field environment', async () => {
    await create(booleanFlag('env-moon'));
    expect(
      errorOf(
        await gw.gql(SetFlagEnvironmentDocument, {
          key: 'env-moon',
          environment: 'moon',
          expectedVersion: 1,
          config: serveAll('on'),
        }),
      ).extensions,
    ).toMatchObject({ code: 'VALIDATION', field: 'environment' });
  });

  it('rejects a serve naming an unknown variation with VALIDATION and the field path', async () => {
    await create(booleanFlag('env-badserve'));
    const error = errorOf(
      await gw.gql(SetFlagEnvironmentDocument, {
        key: 'env-badserve',
        environment: PROD,
        expectedVersion: 1,
        config: serveAll('maybe'),
      }),
    );
    expect(error.extensions).toMatchObject({
      code: 'VALIDATION',
      field: `environments.${PROD}.defaultServe.variation`,
    });
  });
});

describe('toggleFlag', () => {
  it('switches a flag off and on in one environment', async () => {
    await create(booleanFlag('toggle-basic'));
    const off = dataOf(
      await gw.gql(ToggleFlagDocument, { key: 'toggle-basic', environment: PROD, on: false, comment: 'incident' }),
    ).toggleFlag;
    expect(off.environments.find((environment) => environment.environment === PROD)!.on).toBe(false);
    expect(off.environments.find((environment) => environment.environment === STAGING)!.on).toBe(true);
    expect(await lastAudit('toggle-basic')).toMatchObject({ action: 'toggle', comment: 'incident' });
    const on = dataOf(
      await gw.gql(ToggleFlagDocument, { key: 'toggle-basic', environment: PROD, on: true, expectedVersion: 2 }),
    ).toggleFlag;
    expect(on).toMatchObject({ version: 3 });
  });

  it('is a no-op (same version) when the flag is already in that state', async () => {
    await create(booleanFlag('toggle-noop'));
    expect(
      dataOf(await gw.gql(ToggleFlagDocument, { key: 'toggle-noop', environment: PROD, on: true })).toggleFlag.version,
    ).toBe(1);
  });

  it('honours expectedVersion when given (CONFLICT when stale)', async () => {
    await create(booleanFlag('toggle-stale'));
    dataOf(await gw.gql(ToggleFlagDocument, { key: 'toggle-stale', environment: PROD, on: false }));
    expect(
      errorOf(
        await gw.gql(ToggleFlagDocument, { key: 'toggle-stale', environment: STAGING, on: false, expectedVersion: 1 }),
      ).extensions,
    ).toMatchObject({ code: 'CONFLICT', currentVersion: 2 });
  });

  it('gives an unconfigured environment the true-like variation when switched on', async () => {
    await create(booleanFlag('toggle-unconfigured'));
    const flag = dataOf(
      await gw.gql(ToggleFlagDocument, { key: 'toggle-unconfigured', environment: 'development', on: true }),
    ).toggleFlag;
    expect(flag.environments.find((environment) => environment.environment === 'development')).toMatchObject({
      on: true,
      defaultServe: { variation: 'on' },
    });
  });

  it('answers NOT_FOUND for a flag that does not exist', async () => {
    expect(codeOf(await gw.gql(ToggleFlagDocument, { key: 'no-such-flag', environment: PROD, on: true }))).toBe(
      'NOT_FOUND',
    );
  });
});

describe('archiveFlag and restoreFlag', () => {
  it('archives a flag, keeping it readable, and restores it', async () => {
    await create(booleanFlag('archive-me'));
    expect(dataOf(await gw.gql(ArchiveFlagDocument, { key: 'archive-me', comment: 'done' })).archiveFlag).toEqual({
      key: 'archive-me',
      version: 2,
      archived: true,
    });
    expect((await read('archive-me'))!.archived).toBe(true);
    expect(await lastAudit('archive-me')).toMatchObject({ action: 'archive', comment: 'done' });
    expect(dataOf(await gw.gql(RestoreFlagDocument, { key: 'archive-me', expectedVersion: 2 })).restoreFlag).toEqual({
      key: 'archive-me',
      version: 3,
      archived: false,
    });
    expect(await lastAudit('archive-me')).toMatchObject({ action: 'restore', version: 3 });
  });

  it('rejects a stale expectedVersion with CONFLICT', async () => {
    await create(booleanFlag('archive-stale'));
    expect(
      errorOf(await gw.gql(ArchiveFlagDocument, { key: 'archive-stale', expectedVersion: 5 })).extensions,
    ).toMatchObject({ code: 'CONFLICT', currentVersion: 1 });
  });
});

describe('deleteFlag', () => {
  it('deletes a flag for good but keeps its audit history', async () => {
    await create(booleanFlag('delete-me'));
    expect(
      dataOf(await gw.gql(DeleteFlagDocument, { key: 'delete-me', expectedVersion: 1, comment: 'cleanup' })).deleteFlag,
    ).toBe(true);
    expect(await read('delete-me')).toBeNull();
    const history = dataOf(await gw.gql(AuditLogDocument, { key: 'delete-me' })).auditLog;
    expect(history.entries.map((entry) => entry.action)).toEqual(['delete', 'create']);
    expect(history.entries[0]).toMatchObject({ version: 2, comment: 'cleanup', after: null });
  });

  it('rejects a stale expectedVersion with CONFLICT and deletes nothing', async () => {
    await create(booleanFlag('delete-stale'));
    expect(
      errorOf(await gw.gql(DeleteFlagDocument, { key: 'delete-stale', expectedVersion: 2 })).extensions,
    ).toMatchObject({ code: 'CONFLICT', currentVersion: 1 });
    expect(await read('delete-stale')).not.toBeNull();
  });

  it('refuses to delete a prerequisite of another flag', async () => {
    await create(booleanFlag('delete-prereq'));
    await create(
      booleanFlag('delete-dependent', {
        environments: [
          {
            environment: PROD,
            config: serveAll('off', [{ condition: 'flag("delete-prereq") == true', serve: { variation: 'on' } }]),
          },
        ],
      }),
    );
    const error = errorOf(await gw.gql(DeleteFlagDocument, { key: 'delete-prereq', expectedVersion: 1 }));
    expect(error.extensions?.code).toBe('VALIDATION');
    expect(error.message).toMatch(/delete-dependent/);
    expect(await read('delete-prereq')).not.toBeNull();
  });

  it('answers NOT_FOUND for a flag that does not exist', async () => {
    expect(codeOf(await gw.gql(DeleteFlagDocument, { key: 'no-such-flag', expectedVersion: 1 }))).toBe('NOT_FOUND');
  });
});

describe('staleness', () => {
  it('marks a flag whose expiresAt has passed as stale', async () => {
    // A past expiry is refused when it is set, so the flag is written as of 2019, when 2020 lay ahead.
    const then = new FlagStore(gw.gateway.store.backend, { now: () => new Date('2019-06-01T00:00:00.000Z') });
    const variations = [
      { key: 'on', value: true },
      { key: 'off', value: false },
    ];
    await then.createFlag(
      { key: 'stale-flag', kind: 'release', valueType: 'boolean', variations, expiresAt: '2020-01-01T00:00:00.000Z' },
      { actor: 'test' },
    );
    expect(await read('stale-flag')).toMatchObject({ stale: true, expiresAt: '2020-01-01T00:00:00.000Z' });
  });
});
