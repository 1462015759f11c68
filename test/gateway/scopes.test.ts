/**
 * Every scope rule, field by field: for each query and mutation, what a caller without a key, an
 * evaluation key, a read-only key and an admin key get. Refused writes must leave the store unchanged.
 */
import type { TypedDocumentNode } from '@graphql-typed-document-node/core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  ApiKeysDocument,
  ArchiveFlagDocument,
  AuditLogDocument,
  CreateApiKeyDocument,
  CreateEnvironmentDocument,
  CreateFlagDocument,
  CreateSegmentDocument,
  DeleteFlagDocument,
  DeleteSegmentDocument,
  EnvironmentsDocument,
  EvaluateAllDocument,
  EvaluateDocument,
  ExplainEvaluationDocument,
  FlagDocument,
  FlagsDocument,
  RestoreFlagDocument,
  RevokeApiKeyDocument,
  SegmentsDocument,
  SetFlagEnvironmentDocument,
  ToggleFlagDocument,
  UpdateFlagDocument,
  UpdateSegmentDocument,
  ValidateRuleDocument,
} from '../../src/client/generated/graphql.js';
import { booleanFlag, PROD, segmentInput, serveAll } from '../fixtures/gateway/flags.js';
import { dataOf, type GqlResult, standardKeys, startTestGateway, type TestGateway } from '../support/gateway.js';

type Caller = 'anonymous' | 'evaluation' | 'read-only' | 'admin';
type Outcome = 'ok' | 'UNAUTHENTICATED' | 'FORBIDDEN';

interface Case {
  field: string;
  document: TypedDocumentNode<any, any> | string;
  /** Variables for one attempt; `attempt` makes names unique where a successful run creates something. */
  variables: (attempt: string) => Record<string, unknown>;
  expected: Record<Caller, Outcome>;
}

const readerOnly: Record<Caller, Outcome> = {
  anonymous: 'UNAUTHENTICATED',
  evaluation: 'FORBIDDEN',
  'read-only': 'ok',
  admin: 'ok',
};
const adminOnly: Record<Caller, Outcome> = {
  anonymous: 'UNAUTHENTICATED',
  evaluation: 'FORBIDDEN',
  'read-only': 'FORBIDDEN',
  admin: 'ok',
};
const anyKey: Record<Caller, Outcome> = {
  anonymous: 'UNAUTHENTICATED',
  evaluation: 'ok',
  'read-only': 'ok',
  admin: 'ok',
};
const anyone: Record<Caller, Outcome> = { anonymous: 'ok', evaluation: 'ok', 'read-only': 'ok', admin: 'ok' };

let gw: TestGateway;
let secrets: Record<Caller, string | null>;
/** Mutations that act on an existing flag: each caller's attempt gets its own flag `<field, lower case>-<caller>`. */
const flagTargets = ['updateFlag', 'setFlagEnvironment', 'toggleFlag', 'archiveFlag', 'deleteFlag'];

const queryCases: Case[] = [
  {
    field: 'evaluate',
    document: EvaluateDocument,
    variables: () => ({ key: 'scoped', context: { targetingKey: 'u' }, environment: PROD }),
    expected: anyKey,
  },
  {
    field: 'evaluateAll',
    document: EvaluateAllDocument,
    variables: () => ({ context: { targetingKey: 'u' }, environment: PROD }),
    expected: anyKey,
  },
  {
    field: 'validateRule',
    document: ValidateRuleDocument,
    variables: () => ({ source: 'plan == "pro"', context: { plan: 'pro' } }),
    expected: anyone,
  },
  {
    field: 'validateRule (with environment)',
    document: ValidateRuleDocument,
    variables: () => ({ source: 'segment("scoped-seg")', context: { targetingKey: 'user-in' }, environment: PROD }),
    expected: readerOnly,
  },
  {
    field: 'explainEvaluation',
    document: ExplainEvaluationDocument,
    variables: () => ({ key: 'scoped', context: { targetingKey: 'u' }, environment: PROD }),
    expected: readerOnly,
  },
  { field: 'flag', document: FlagDocument, variables: () => ({ key: 'scoped' }), expected: readerOnly },
  { field: 'flags', document: FlagsDocument, variables: () => ({}), expected: readerOnly },
  {
    field: 'segment',
    document: `query { segment(environment: "${PROD}", key: "scoped-seg") { key condition } }`,
    variables: () => ({}),
    expected: readerOnly,
  },
  { field: 'segments', document: SegmentsDocument, variables: () => ({ environment: PROD }), expected: readerOnly },
  { field: 'environments', document: EnvironmentsDocument, variables: () => ({}), expected: readerOnly },
  { field: 'apiKeys', document: ApiKeysDocument, variables: () => ({}), expected: readerOnly },
  { field: 'auditLog', document: AuditLogDocument, variables: () => ({ first: 5 }), expected: readerOnly },
];

const mutationCases: Case[] = [
  {
    field: 'createFlag',
    document: CreateFlagDocument,
    variables: (attempt) => ({ input: booleanFlag(`created-${attempt}`) }),
    expected: adminOnly,
  },
  {
    field: 'updateFlag',
    document: UpdateFlagDocument,
    variables: (attempt) => ({ key: `updateflag-${attempt}`, expectedVersion: 1, input: { name: 'changed' } }),
    expected: adminOnly,
  },
  {
    field: 'setFlagEnvironment',
    document: SetFlagEnvironmentDocument,
    variables: (attempt) => ({
      key: `setflagenvironment-${attempt}`,
      environment: PROD,
      expectedVersion: 1,
      config: serveAll('on'),
    }),
    expected: adminOnly,
  },
  {
    field: 'toggleFlag',
    document: ToggleFlagDocument,
    variables: (attempt) => ({ key: `toggleflag-${attempt}`, environment: PROD, on: false }),
    expected: adminOnly,
  },
  {
    field: 'archiveFlag',
    document: ArchiveFlagDocument,
    variables: (attempt) => ({ key: `archiveflag-${attempt}` }),
    expected: adminOnly,
  },
  {
    field: 'restoreFlag',
    document: RestoreFlagDocument,
    variables: () => ({ key: 'archived-target' }),
    expected: adminOnly,
  },
  {
    field: 'deleteFlag',
    document: DeleteFlagDocument,
    variables: (attempt) => ({ key: `deleteflag-${attempt}`, expectedVersion: 1 }),
    expected: adminOnly,
  },
  {
    field: 'createSegment',
    document: CreateSegmentDocument,
    variables: (attempt) => ({ input: segmentInput(`seg-${attempt}`) }),
    expected: adminOnly,
  },
  {
    field: 'updateSegment',
    document: UpdateSegmentDocument,
    variables: () => ({ environment: PROD, key: 'scoped-seg', expectedVersion: 1, input: { name: 'renamed' } }),
    expected: adminOnly,
  },
  {
    field: 'deleteSegment',
    document: DeleteSegmentDocument,
    variables: () => ({ environment: PROD, key: 'doomed-seg', expectedVersion: 1 }),
    expected: adminOnly,
  },
  {
    field: 'createEnvironment',
    document: CreateEnvironmentDocument,
    variables: (attempt) => ({ key: `env-${attempt}` }),
    expected: adminOnly,
  },
  {
    field: 'createApiKey',
    document: CreateApiKeyDocument,
    variables: (attempt) => ({ name: `key-${attempt}`, kind: 'ADMIN' }),
    expected: adminOnly,
  },
  {
    field: 'revokeApiKey',
    document: RevokeApiKeyDocument,
    variables: () => ({ id: revokeTarget }),
    expected: adminOnly,
  },
];

let revokeTarget = '';
const callers: Caller[] = ['anonymous', 'evaluation', 'read-only', 'admin'];

/** Everything a write could change, read with the admin key in one request. */
async function storeState(): Promise<string> {
  const state = await gw.gql(`{
    flags(first: 500) { totalCount nodes { key version archived } }
    segments { environment key version }
    environments { key }
    apiKeys { id revokedAt }
    auditLog(first: 1) { totalCount }
  }`);
  return JSON.stringify(dataOf(state));
}

beforeAll(async () => {
  gw = await startTestGateway({ seed: false });
  const keys = await standardKeys(gw);
  secrets = { anonymous: null, evaluation: keys.evalProd, 'read-only': keys.readOnly, admin: keys.admin };
  dataOf(await gw.gql(CreateFlagDocument, { input: booleanFlag('scoped') }));
  dataOf(await gw.gql(CreateSegmentDocument, { input: segmentInput('scoped-seg') }));
  dataOf(await gw.gql(CreateSegmentDocument, { input: segmentInput('doomed-seg') }));
  dataOf(await gw.gql(CreateFlagDocument, { input: booleanFlag('archived-target') }));
  dataOf(await gw.gql(ArchiveFlagDocument, { key: 'archived-target' }));
  revokeTarget = (await gw.createKey('READ_ONLY', undefined, 'revoke-target')).id;
  for (const field of flagTargets)
    for (const caller of callers)
      dataOf(await gw.gql(CreateFlagDocument, { input: booleanFlag(`${field.toLowerCase()}-${caller}`) }));
});

afterAll(async () => {
  await gw?.stop();
});

function outcomeOf(result: GqlResult<unknown>): string {
  if (!result.errors?.length) return 'ok';
  return result.errors.map((error) => error.extensions?.code ?? error.message).join(',');
}

describe.each(queryCases)('query $field', ({ document, variables, expected }) => {
  it.each(callers)('with %s: as the scope rules say', async (caller) => {
    const result = await gw.gql(document, variables(caller), secrets[caller]);
    expect(outcomeOf(result)).toBe(expected[caller]);
    if (expected[caller] !== 'ok') expect(result.text).not.toMatch(/plan ==|"condition"|"secret"/);
  });
});

describe.each(mutationCases)('mutation $field', ({ document, variables, expected }) => {
  it.each(callers.filter((caller) => expected[caller] !== 'ok'))(
    'with %s: is refused and changes nothing',
    async (caller) => {
      const before = await storeState();
      const result = await gw.gql(document, variables(caller), secrets[caller]);
      expect(outcomeOf(result)).toBe(expected[caller]);
      expect(result.data ?? null).toBeNull();
      expect(await storeState()).toBe(before);
    },
  );

  it('with admin: runs', async () => {
    const result = await gw.gql(document, variables('admin'), secrets.admin);
    expect(outcomeOf(result), result.text).toBe('ok');
  });
});

describe('evaluation keys and other environments', () => {
  it('cannot evaluate in another environment', async () => {
    expect(
      outcomeOf(
        await gw.gql(
          EvaluateDocument,
          { key: 'scoped', context: { targetingKey: 'u' }, environment: 'staging' },
          secrets.evaluation,
        ),
      ),
    ).toBe('FORBIDDEN');
  });

  it('cannot evaluate all flags of another environment', async () => {
    expect(
      outcomeOf(
        await gw.gql(
          EvaluateAllDocument,
          { context: { targetingKey: 'u' }, environment: 'development' },
          secrets.evaluation,
        ),
      ),
    ).toBe('FORBIDDEN');
  });
});
