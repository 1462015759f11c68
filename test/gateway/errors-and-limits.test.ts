/**
 * The API's error codes (extensions.code with their extra fields), masking of unexpected errors, and the
 * abuse limits: body size, depth, aliases, tokens, directives, batch size, context size and depth.
 */
import { request as httpRequest } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  CreateFlagDocument,
  EnvironmentsDocument,
  EvaluateDocument,
  SetFlagEnvironmentDocument,
  ToggleFlagDocument,
  ValidateRuleDocument,
} from '../../src/client/generated/graphql.js';
import { booleanFlag, PROD, serveAll } from '../fixtures/gateway/flags.js';
import { codeOf, dataOf, errorOf, parseResponse, startTestGateway, type TestGateway } from '../support/gateway.js';

let gw: TestGateway;
let readOnly: string;
let evalProd: string;

beforeAll(async () => {
  gw = await startTestGateway();
  readOnly = (await gw.createKey('READ_ONLY')).secret;
  evalProd = (await gw.createKey('EVALUATION', PROD)).secret;
  dataOf(await gw.gql(CreateFlagDocument, { input: booleanFlag('errors-flag') }));
});

afterAll(async () => {
  await gw?.stop();
});

const post = (body: string, headers: Record<string, string> = {}) =>
  gw.request({
    key: gw.adminKey,
    headers: { 'content-type': 'application/json', accept: 'application/graphql-response+json', ...headers },
    body,
  });
const postQuery = async (query: string, variables?: Record<string, unknown>) =>
  parseResponse<Record<string, unknown>>(await post(JSON.stringify({ query, variables })));

describe('error codes', () => {
  it('UNAUTHENTICATED: a protected field without a key', async () => {
    expect(errorOf(await gw.gql(EnvironmentsDocument, undefined, null)).extensions).toMatchObject({
      code: 'UNAUTHENTICATED',
    });
  });

  it('UNAUTHENTICATED with HTTP 401: an unknown key', async () => {
    const result = await gw.gql(EnvironmentsDocument, undefined, 'vxl_ro_unknown');
    expect(result.status).toBe(401);
    expect(codeOf(result)).toBe('UNAUTHENTICATED');
  });

  it('FORBIDDEN: a key outside its scope', async () => {
    expect(
      codeOf(await gw.gql(ToggleFlagDocument, { key: 'errors-flag', environment: PROD, on: false }, readOnly)),
    ).toBe('FORBIDDEN');
  });

  it('NOT_FOUND: a document that does not exist', async () => {
    const error = errorOf(await gw.gql(ToggleFlagDocument, { key: 'missing-flag', environment: PROD, on: false }));
    expect(error.extensions?.code).toBe('NOT_FOUND');
    expect(error.path).toEqual(['toggleFlag']);
  });

  it('CONFLICT: a stale expectedVersion, with currentVersion', async () => {
    const error = errorOf(
      await gw.gql(SetFlagEnvironmentDocument, {
        key: 'errors-flag',
        environment: PROD,
        expectedVersion: 9,
        config: serveAll('on'),
      }),
    );
    expect(error.extensions).toMatchObject({ code: 'CONFLICT', currentVersion: 1, expectedVersion: 9 });
  });

  it('VALIDATION: an invalid input, with the field path', async () => {
    const config = {
      on: true,
      offVariation: 'off',
      defaultServe: {
        rollout: {
          weights: [
            { variation: 'on', weight: 60_000 },
            { variation: 'off', weight: 30_000 },
          ],
        },
      },
    };
    const error = errorOf(
      await gw.gql(SetFlagEnvironmentDocument, { key: 'errors-flag', environment: PROD, expectedVersion: 1, config }),
    );
    expect(error.extensions).toMatchObject({
      code: 'VALIDATION',
      field: `environments.${PROD}.defaultServe.rollout.weights`,
    });
    expect(error.message).toMatch(/100000/);
  });

  it('RULE_SYNTAX: a rule that does not parse, with line, column and ruleIndex', async () => {
    const rules = [
      { id: 'fine', condition: 'plan == "pro"', serve: { variation: 'on' } },
      { id: 'broken', condition: 'country == "NL" and\n  age >', serve: { variation: 'on' } },
    ];
    const error = errorOf(
      await gw.gql(SetFlagEnvironmentDocument, {
        key: 'errors-flag',
        environment: PROD,
        expectedVersion: 1,
        config: serveAll('off', rules),
      }),
    );
    expect(error.extensions).toMatchObject({
      code: 'RULE_SYNTAX',
      line: 2,
      column: expect.any(Number),
      ruleIndex: 1,
      field: `environments.${PROD}.rules[1].condition`,
    });
    expect(error.extensions!.column as number).toBeGreaterThanOrEqual(3);
  });

  it('GRAPHQL_PARSE_FAILED: a document that is not GraphQL', async () => {
    const result = await postQuery('{ environments { key }');
    expect(result.status).toBe(400);
    expect(codeOf(result)).toBe('GRAPHQL_PARSE_FAILED');
  });

  it('GRAPHQL_VALIDATION_FAILED: a field that does not exist, without suggesting names', async () => {
    const result = await postQuery('{ flagz { totalCount } }');
    expect(result.status).toBe(400);
    expect(codeOf(result)).toBe('GRAPHQL_VALIDATION_FAILED');
    expect(result.text).not.toMatch(/Did you mean/);
  });
});

describe('unexpected errors', () => {
  it('are masked: a generic message, no internals, no stack', async () => {
    const store = gw.gateway.store;
    const original = store.listEnvironments;
    store.listEnvironments = async () => {
      throw new Error('disk on fire at /var/lib/vexil/internal.mdb');
    };
    try {
      const result = await gw.gql(EnvironmentsDocument);
      const error = errorOf(result);
      expect(error.message).toBe('Unexpected error.');
      expect(error.extensions?.code).toBe('INTERNAL_SERVER_ERROR');
      expect(result.text).not.toMatch(/disk on fire|internal\.mdb|stack|at .*\.ts:/);
    } finally {
      store.listEnvironments = original;
    }
  });
});

describe('request body size', () => {
  it('refuses a body over the limit (1 MiB by default) with 413', async () => {
    const body = JSON.stringify({ query: '{ __typename }', variables: { padding: 'x'.repeat(1_100_000) } });
    const response = await post(body);
    expect(response.status).toBe(413);
    expect(
      ((await response.json()) as { errors: Array<{ extensions: { code: string } }> }).errors[0]!.extensions.code,
    ).toBe('PAYLOAD_TOO_LARGE');
  });

  it('accepts a body just under the limit', async () => {
    const response = await post(JSON.stringify({ query: `{ __typename ${' '.repeat(1_000_000)}}` }));
    expect(response.status).toBe(200);
  });

  it('takes its limit from VEXIL_MAX_BODY_BYTES', async () => {
    const small = await startTestGateway({ seed: false, env: { VEXIL_MAX_BODY_BYTES: '2048' } });
    try {
      const send = (size: number) =>
        small.request({
          key: small.adminKey,
          headers: { 'content-type': 'application/json', accept: 'application/json' },
          body: JSON.stringify({ query: `{ __typename ${' '.repeat(size)}}` }),
        });
      expect((await send(1500)).status).toBe(200);
      expect((await send(2500)).status).toBe(413);
    } finally {
      await small.stop();
    }
  });

  it('does not read a chunked body of unknown length without a limit', async () => {
    const status = await new Promise<number>((resolve, reject) => {
      const req = httpRequest(
        `${gw.endpoint}`,
        {
          method: 'POST',
          headers: {
            'content-type': 'application/json',
            'transfer-encoding': 'chunked',
            authorization: `Bearer ${gw.adminKey}`,
          },
        },
        (res) => {
          res.resume();
          resolve(res.statusCode ?? 0);
        },
      );
      req.on('error', reject);
      req.write(JSON.stringify({ query: '{ __typename }', variables: { padding: 'x'.repeat(600_000) } }).slice(0, -1));
      req.end(`${'y'.repeat(600_000)}}`);
    });
    expect([411, 413]).toContain(status);
  });
});

describe('document limits', () => {
  it('refuses a document nested deeper than 12 levels', async () => {
    const deep = `{ ${'a { '.repeat(14)}b${' }'.repeat(14)} }`;
    const result = await postQuery(deep);
    expect(result.errors?.map((error) => error.message).join('\n')).toMatch(/depth limit of 12/i);
  });

  it('refuses more than 30 aliases, and accepts 30', async () => {
    // __typename aliases are allowed without limit; aliases of real fields are what the limit counts.
    const aliases = (count: number) =>
      `{ ${Array.from({ length: count }, (_, index) => `a${index}: validateRule(source: "true") { ok }`).join(' ')} }`;
    expect((await postQuery(aliases(30))).errors).toBeUndefined();
    const result = await postQuery(aliases(31));
    expect(result.errors?.map((error) => error.message).join('\n')).toMatch(/aliases limit of 30/i);
    expect(result.data ?? null).toBeNull();
  });

  it('refuses a document of more than 5000 tokens', async () => {
    const result = await postQuery(`{ ${'__typename '.repeat(5001)}}`);
    expect(result.errors?.map((error) => error.message).join('\n')).toMatch(/token limit of 5000/i);
    expect(result.data ?? null).toBeNull();
  });

  it('refuses more than 20 directives', async () => {
    const result = await postQuery(`{ __typename ${'@include(if: true) '.repeat(21)}}`);
    expect(result.errors?.map((error) => error.message).join('\n')).toMatch(/directives limit of 20/i);
  });

  it('refuses a document whose estimated cost is over 20000', async () => {
    const result = await postQuery('{ flags(first: 100000) { nodes { key environments { rules { condition } } } } }');
    expect(result.errors?.map((error) => error.message).join('\n')).toMatch(/cost limit of 20000/i);
    expect(result.data ?? null).toBeNull();
  });

  it('refuses a rule source longer than 64 KiB with VALIDATION on field source', async () => {
    const error = errorOf(await gw.gql(ValidateRuleDocument, { source: `plan == "${'x'.repeat(70_000)}"` }, null));
    expect(error.extensions).toMatchObject({ code: 'VALIDATION', field: 'source' });
  });
});

describe('batching', () => {
  const batch = (count: number) =>
    JSON.stringify(Array.from({ length: count }, (_, index) => ({ query: `{ n${index}: __typename }` })));

  it('runs a batch of up to 10 operations', async () => {
    const response = await post(batch(10), { accept: 'application/json' });
    expect(response.status).toBe(200);
    const results = (await response.json()) as Array<{ data: Record<string, string> }>;
    expect(results).toHaveLength(10);
    expect(results[9]).toEqual({ data: { n9: 'Query' } });
  });

  it('refuses a batch of 11 operations without running any', async () => {
    const response = await post(batch(11), { accept: 'application/json' });
    const text = await response.text();
    expect(response.status).toBeGreaterThanOrEqual(400);
    expect(text).toMatch(/batch/i);
    expect(text).not.toContain('"n0":"Query"');
  });
});

describe('evaluation context limits', () => {
  const evaluate = (context: unknown) => gw.gql(EvaluateDocument, { key: 'errors-flag', context }, evalProd);

  it('refuses a context over 32 KiB with VALIDATION on field context', async () => {
    const context = Object.fromEntries(
      Array.from({ length: 40 }, (_, index) => [`attribute${index}`, 'x'.repeat(1000)]),
    );
    expect(errorOf(await evaluate(context)).extensions).toMatchObject({ code: 'VALIDATION', field: 'context' });
  });

  it('accepts a context just under 32 KiB', async () => {
    const context = { targetingKey: 'u', notes: 'x'.repeat(30_000) };
    expect(dataOf(await evaluate(context)).evaluate.reason).toBe('DEFAULT');
  });

  it('refuses a context nested deeper than 16 levels', async () => {
    let context: Record<string, unknown> = { leaf: true };
    for (let level = 0; level < 20; level++) context = { nested: context };
    const result = await evaluate(context);
    expect(result.data ?? null).toBeNull();
    expect(errorOf(result).message).toMatch(/nested deeper than 16/);
  });

  it('refuses a context of more than 10000 values', async () => {
    const result = await evaluate({ targetingKey: 'u', list: Array.from({ length: 10_001 }, () => 1) });
    expect(result.data ?? null).toBeNull();
    expect(errorOf(result).message).toMatch(/more than 10000 values/);
  });

  it('reports context limits with the VALIDATION code', async () => {
    let context: Record<string, unknown> = { leaf: true };
    for (let level = 0; level < 20; level++) context = { nested: context };
    expect(codeOf(await evaluate(context))).toBe('VALIDATION');
  });

  it('treats a "__proto__" attribute as plain data', async () => {
    const result = await gw.gql<{ evaluate: { value: unknown; reason: string } }, object>(
      `{ evaluate(key: "errors-flag", context: { targetingKey: "u", __proto__: { plan: "pro" } }) { value reason } }`,
      undefined,
      evalProd,
    );
    expect(dataOf(result).evaluate).toEqual({ value: false, reason: 'DEFAULT' });
  });
});
