/**
 * The whole schema, walked by introspection with an evaluation key: every Query and Mutation field is
 * called with dummy arguments built from the introspected types, and the key must reach nothing but
 * evaluation in its own environment (and the open validateRule). No rule, segment, audit entry, key or
 * other environment is reachable, and no mutation runs (the store is unchanged afterwards).
 */
import {
  buildClientSchema,
  getIntrospectionQuery,
  getNamedType,
  type GraphQLField,
  type GraphQLInputType,
  type GraphQLNamedType,
  type GraphQLObjectType,
  type GraphQLOutputType,
  type GraphQLSchema,
  type IntrospectionQuery,
  isEnumType,
  isInputObjectType,
  isInterfaceType,
  isLeafType,
  isListType,
  isNonNullType,
  isObjectType,
  isScalarType,
  isUnionType,
} from 'graphql';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CreateFlagDocument, CreateSegmentDocument } from '../../src/client/generated/graphql.js';
import { booleanFlag, newCheckoutInput, PROD, STAGING, serveAll } from '../fixtures/gateway/flags.js';
import { dataOf, type GqlResult, startTestGateway, type TestGateway } from '../support/gateway.js';

/** Query fields an evaluation key may use (in its own environment; validateRule without environment). */
const evaluationFields = new Set(['evaluate', 'evaluateAll', 'validateRule']);
/** Types that hold what evaluation keys must never see. */
const privateTypes = [
  'Flag',
  'FlagEnvironment',
  'Rule',
  'Segment',
  'AuditEntry',
  'AuditPage',
  'ApiKey',
  'CreatedApiKey',
  'Environment',
  'Explanation',
  'RuleTrace',
];
/** Distinctive strings planted in the store: none may appear in any response to the evaluation key. */
const hiddenCondition = 'email endsWith "@hidden-corp.example"';
const hiddenSegment = 'hidden-audience';

let gw: TestGateway;
let evalKey: string;
let schema: GraphQLSchema;
let introspectionText: string;

// ----------------------------------------------------------------------------------------------------
// building operations from the introspected types

/** A value of an input type with every required part filled; `environment` arguments get another environment. */
function dummyValue(type: GraphQLInputType, name: string, all: boolean): unknown {
  if (isNonNullType(type)) return dummyValue(type.ofType, name, all);
  if (isListType(type)) return [dummyValue(type.ofType, name, all)];
  if (isEnumType(type)) return type.getValues()[0]!.name;
  if (isInputObjectType(type)) {
    const value: Record<string, unknown> = {};
    for (const field of Object.values(type.getFields())) {
      if (all || isNonNullType(field.type)) value[field.name] = dummyValue(field.type, field.name, all);
    }
    return value;
  }
  if (isScalarType(type)) {
    if (name === 'environment') return STAGING;
    switch (type.name) {
      case 'Int':
        return 1;
      case 'Float':
        return 1.5;
      case 'Boolean':
        return true;
      case 'JSON':
        return { targetingKey: 'dummy-user', email: 'someone@hidden-corp.example', plan: 'premium' };
      default:
        return name === 'source' ? 'plan == "x"' : 'dummy';
    }
  }
  throw new Error(`no dummy value for ${String(type)}`);
}

/** A selection of every field reachable without required arguments, to `depth` levels. */
function selectionOf(type: GraphQLOutputType, depth: number): string {
  const named = getNamedType(type);
  if (isLeafType(named)) return '';
  if (depth === 0) return '{ __typename }';
  if (isUnionType(named) || isInterfaceType(named)) return '{ __typename }';
  const fields = Object.values((named as GraphQLObjectType).getFields())
    .filter((field) => field.args.every((arg) => !isNonNullType(arg.type)))
    .map((field) => `${field.name} ${selectionOf(field.type, depth - 1)}`.trim());
  return `{ __typename ${fields.join(' ')} }`;
}

/** An operation calling one root field with variables for its arguments (required ones, or all). */
function operationFor(
  kind: 'query' | 'mutation',
  field: GraphQLField<unknown, unknown>,
  all: boolean,
): { query: string; variables: Record<string, unknown> } {
  const args = field.args.filter((arg) => all || isNonNullType(arg.type));
  const definitions = args.map((arg) => `$${arg.name}: ${String(arg.type)}`).join(', ');
  const call = args.map((arg) => `${arg.name}: $${arg.name}`).join(', ');
  const query = `${kind} Walk${definitions ? `(${definitions})` : ''} { ${field.name}${call ? `(${call})` : ''} ${selectionOf(field.type, 4)} }`;
  return { query, variables: Object.fromEntries(args.map((arg) => [arg.name, dummyValue(arg.type, arg.name, all)])) };
}

/** Every named type reachable from a type through output fields. */
function reachableTypes(start: GraphQLOutputType): Set<string> {
  const seen = new Set<string>();
  const pending: GraphQLNamedType[] = [getNamedType(start)];
  while (pending.length > 0) {
    const type = pending.pop()!;
    if (seen.has(type.name)) continue;
    seen.add(type.name);
    if (isObjectType(type) || isInterfaceType(type))
      for (const field of Object.values(type.getFields())) pending.push(getNamedType(field.type));
    if (isUnionType(type)) pending.push(...type.getTypes());
  }
  return seen;
}

// ----------------------------------------------------------------------------------------------------

async function run(
  operation: { query: string; variables: Record<string, unknown> },
  key: string | null = evalKey,
): Promise<GqlResult<Record<string, unknown>>> {
  return gw.gql<Record<string, unknown>, Record<string, unknown>>(operation.query, operation.variables, key);
}

/** What any write could change, read with the admin key. */
async function storeState(): Promise<Record<string, unknown>> {
  const read = async (query: string) => dataOf(await gw.gql<Record<string, unknown>, object>(query));
  return {
    flags: await read('{ flags(first: 500) { totalCount nodes { key version archived } } }'),
    segments: await read('{ segments { environment key version } }'),
    environments: await read('{ environments { key } }'),
    apiKeys: await read('{ apiKeys { id revokedAt } }'),
    audit: await read('{ auditLog(first: 1) { totalCount entries { position } } }'),
  };
}

const rootFields = (type: GraphQLObjectType | null | undefined) => Object.values(type?.getFields() ?? {});

beforeAll(async () => {
  gw = await startTestGateway();
  evalKey = (await gw.createKey('EVALUATION', PROD, 'walker')).secret;
  await gw.createKey('READ_ONLY', undefined, 'someone-else');
  dataOf(
    await gw.gql(CreateSegmentDocument, {
      input: { key: hiddenSegment, environment: PROD, included: ['vip-1'], condition: 'country == "NL"' },
    }),
  );
  dataOf(
    await gw.gql(CreateFlagDocument, {
      input: booleanFlag('walked-flag', {
        environments: [
          {
            environment: PROD,
            config: serveAll('off', [
              { id: 'r1', condition: hiddenCondition, serve: { variation: 'on' } },
              { id: 'r2', condition: `segment("${hiddenSegment}")`, serve: { variation: 'on' } },
            ]),
          },
          { environment: STAGING, config: serveAll('on') },
        ],
      }),
    }),
  );
  dataOf(await gw.gql(CreateFlagDocument, { input: newCheckoutInput('walked-checkout') }));
  const result = await gw.gql<IntrospectionQuery, object>(getIntrospectionQuery(), undefined, evalKey);
  introspectionText = result.text;
  schema = buildClientSchema(dataOf(result));
});

afterAll(async () => {
  await gw?.stop();
});

describe('introspection with an evaluation key', () => {
  it('describes a schema with queries and mutations to walk', () => {
    expect(rootFields(schema.getQueryType()).length).toBeGreaterThanOrEqual(10);
    expect(rootFields(schema.getMutationType()).length).toBeGreaterThanOrEqual(10);
  });

  it('reveals no stored data, only types', () => {
    expect(introspectionText).not.toContain(hiddenCondition);
    expect(introspectionText).not.toContain(hiddenSegment);
  });

  it('shows that evaluation results cannot lead to flags, rules, segments, audit entries, keys or environments', () => {
    for (const name of evaluationFields) {
      const field = schema.getQueryType()!.getFields()[name]!;
      const reachable = reachableTypes(field.type);
      for (const type of privateTypes) expect(reachable.has(type), `${name} reaches ${type}`).toBe(false);
    }
  });
});

describe('every query field, with an evaluation key and only the required arguments', () => {
  it('covers every query field of the schema', () => {
    expect(rootFields(schema.getQueryType()).map((field) => field.name)).toEqual(
      expect.arrayContaining([...evaluationFields, 'flag', 'flags', 'segments', 'auditLog', 'apiKeys', 'environments']),
    );
  });

  it('is FORBIDDEN for every field but evaluate, evaluateAll and validateRule, which answer', async () => {
    const outcomes: Record<string, string> = {};
    for (const field of rootFields(schema.getQueryType())) {
      const result = await run(operationFor('query', field, false));
      outcomes[field.name] = result.errors?.length
        ? result.errors.map((error) => error.extensions?.code).join(',')
        : 'ok';
      if (!evaluationFields.has(field.name)) expect(result.data?.[field.name] ?? null, field.name).toBeNull();
    }
    const expected = Object.fromEntries(
      rootFields(schema.getQueryType()).map((field) => [
        field.name,
        evaluationFields.has(field.name) ? 'ok' : 'FORBIDDEN',
      ]),
    );
    expect(outcomes).toEqual(expected);
  });
});

describe('every query field, with an evaluation key and every argument given (environment: another one)', () => {
  it('is FORBIDDEN for every field, evaluate, evaluateAll and validateRule included', async () => {
    const outcomes: Record<string, string> = {};
    for (const field of rootFields(schema.getQueryType())) {
      const result = await run(operationFor('query', field, true));
      outcomes[field.name] = result.errors?.length
        ? result.errors.map((error) => error.extensions?.code).join(',')
        : 'ok';
      expect(result.data?.[field.name] ?? null, field.name).toBeNull();
    }
    expect(outcomes).toEqual(
      Object.fromEntries(rootFields(schema.getQueryType()).map((field) => [field.name, 'FORBIDDEN'])),
    );
  });
});

describe('every mutation field, with an evaluation key', () => {
  let before: Record<string, unknown>;
  const outcomes: Record<string, string> = {};
  const texts: string[] = [];

  beforeAll(async () => {
    before = await storeState();
    for (const field of rootFields(schema.getMutationType())) {
      for (const all of [false, true]) {
        const result = await run(operationFor('mutation', field, all));
        outcomes[`${field.name}${all ? ' (all arguments)' : ''}`] = result.errors?.length
          ? result.errors.map((error) => error.extensions?.code).join(',')
          : 'ok';
        texts.push(result.text);
        if (result.data) texts.push(`data for ${field.name}: ${JSON.stringify(result.data)}`);
      }
    }
  });

  it('is FORBIDDEN for every mutation', () => {
    expect(Object.keys(outcomes).length).toBe(rootFields(schema.getMutationType()).length * 2);
    expect(new Set(Object.values(outcomes))).toEqual(new Set(['FORBIDDEN']));
  });

  it('returns no data from any mutation', () => {
    expect(texts.filter((text) => text.startsWith('data for '))).toEqual([]);
  });

  it('leaves the store unchanged: audit log, flag and segment versions, environments and keys', async () => {
    expect(await storeState()).toEqual(before);
  });
});

describe('evaluation results for the evaluation key', () => {
  it('contain no condition text, segment or other environment, whatever the context', async () => {
    const contexts = [
      { targetingKey: 'vip-1' },
      { targetingKey: 'x', email: 'boss@hidden-corp.example' },
      { targetingKey: 'x', email: 'a@company.com', plan: 'premium', userId: 'user_123', country: 'NL' },
      {},
      'not an object',
    ];
    for (const context of contexts) {
      for (const field of ['evaluate', 'evaluateAll'] as const) {
        const operation = operationFor('query', schema.getQueryType()!.getFields()[field]!, false);
        if (field === 'evaluate') operation.variables.key = 'walked-flag';
        operation.variables.context = context;
        const result = await run(operation);
        expect(result.errors, result.text).toBeUndefined();
        expect(result.text).not.toContain('hidden-corp');
        expect(result.text).not.toContain(hiddenSegment);
        expect(result.text).not.toContain('endsWith');
        expect(result.text).not.toMatch(/staging|development/);
      }
    }
  });

  it('let the key evaluate in its own environment', async () => {
    const operation = operationFor('query', schema.getQueryType()!.getFields().evaluate!, false);
    const result = await run({
      query: operation.query,
      variables: { key: 'walked-flag', context: { targetingKey: 'vip-1' } },
    });
    expect(dataOf(result).evaluate).toMatchObject({
      key: 'walked-flag',
      value: true,
      reason: 'TARGETING_MATCH',
      ruleIndex: 1,
    });
  });
});
