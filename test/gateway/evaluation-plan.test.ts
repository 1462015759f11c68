/**
 * The evaluation plan (src/server/evaluation-plan/): queries made only of `evaluate`, `evaluateAll`
 * and `__typename` are answered without graphql execution. A differential test: every case of the
 * corpus goes to HTTP servers over the same gateway — the fast lane with plans and the fast lane
 * without — and must come back byte for byte the same, with the same status and content type, the same
 * error codes counted and the same usage counted; what the plan serves must also be what yoga alone
 * answers.
 */
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import { ArchiveFlagDocument, CreateFlagDocument, ToggleFlagDocument } from '../../src/client/generated/graphql.js';
import { createFastLane } from '../../src/server/fast-lane.js';
import { createHttpServer } from '../../src/server/http.js';
import { runPlan } from '../../src/server/evaluation-plan/run-plan.js';
import { booleanFlag, experimentFlag, newCheckoutInput, PROD } from '../fixtures/gateway/flags.js';
import { authorization, dataOf, standardKeys, startTestGateway, type TestGateway } from '../support/gateway.js';
import { type KeyName, type PlanCase, planCases, randomCase } from './evaluation-plan-cases.js';

vi.mock('../../src/server/evaluation-plan/run-plan.js', async (importOriginal) => {
  const actual = await importOriginal<typeof import('../../src/server/evaluation-plan/run-plan.js')>();
  return { ...actual, runPlan: vi.fn(actual.runPlan) };
});

/** Strings a serialiser could get wrong: quotes, backslashes, line separators, astral and control characters. */
const awkwardValue = {
  text: 'é "quoted" \\ </script> \u2028 \u2029 😀 \u0000 \t',
  big: 1.5e300,
  small: 1e-7,
  int: 42,
  list: [true, null, 'x', { deep: [] }],
  empty: {},
};

interface Lane {
  endpoint: string;
  codes: string[];
  server: Server;
}

interface Answer {
  status: number;
  contentType: string | null;
  body: string;
  codes: string[];
  usage: Record<string, number>;
}

let gw: TestGateway;
let secrets: Record<KeyName, string | null>;
const lanes: Record<'planned' | 'executed' | 'yoga', Lane> = {} as never;

async function startLane(fastLane: 'planned' | 'executed' | null): Promise<Lane> {
  const { yoga, keys, metrics } = gw.gateway;
  const codes: string[] = [];
  const lane =
    fastLane &&
    createFastLane(
      yoga,
      keys,
      (code) => codes.push(code),
      fastLane === 'planned' ? { services: gw.gateway.services } : { evaluationPlan: false },
    );
  const server = createHttpServer({
    yoga,
    ...(lane ? { fastLane: lane } : {}),
    metrics,
    readiness: async () => ({ ready: true }),
    maxBodyBytes: 1024 * 1024,
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { endpoint: `http://127.0.0.1:${(server.address() as AddressInfo).port}/graphql`, codes, server };
}

/** Evaluations counted so far, by environment, flag and variation. */
function usage(): Map<string, number> {
  return new Map(
    gw.gateway.engine.usage
      .totals()
      .map((entry) => [`${entry.environment}/${entry.flagKey}/${entry.variation}`, entry.count]),
  );
}

function usageSince(before: Map<string, number>): Record<string, number> {
  const counted: Record<string, number> = {};
  for (const [id, count] of usage()) if (count !== (before.get(id) ?? 0)) counted[id] = count - (before.get(id) ?? 0);
  return counted;
}

async function ask(lane: Lane, testCase: PlanCase): Promise<Answer> {
  const before = usage();
  lane.codes.length = 0;
  const response = await fetch(lane.endpoint, {
    method: 'POST',
    headers: {
      'content-type': 'application/json',
      accept: testCase.accept ?? 'application/graphql-response+json, application/json',
      ...authorization(secrets[testCase.key]),
    },
    body: JSON.stringify({
      query: testCase.query,
      variables: testCase.variables,
      operationName: testCase.operationName,
    }),
  });
  const body = await response.text();
  return {
    status: response.status,
    contentType: response.headers.get('content-type'),
    body,
    codes: [...lane.codes],
    usage: usageSince(before),
  };
}

/** What the plan did with the request just sent through the planned lane. */
function planOutcome(): PlanCase['expect'] {
  const calls = vi.mocked(runPlan).mock.results;
  if (calls.length === 0) return 'none';
  expect(calls).toHaveLength(1);
  return Buffer.isBuffer(calls[0]!.value) ? 'served' : 'fallback';
}

beforeAll(async () => {
  gw = await startTestGateway({ seed: false });
  const keys = await standardKeys(gw);
  secrets = {
    evalProd: keys.evalProd,
    evalStaging: keys.evalStaging,
    admin: keys.admin,
    readOnly: keys.readOnly,
    none: null,
  };
  for (const input of [
    booleanFlag('checkout-v2'),
    experimentFlag('button-color'),
    booleanFlag('retired'),
    newCheckoutInput(),
  ])
    dataOf(await gw.gql(CreateFlagDocument, { input }));
  dataOf(await gw.gql(ArchiveFlagDocument, { key: 'retired' }));
  const jsonFlag = booleanFlag('json-config', {
    valueType: 'JSON',
    variations: [
      { key: 'on', value: awkwardValue },
      { key: 'off', value: ['plain', 0, -1.25] },
    ],
  });
  dataOf(await gw.gql(CreateFlagDocument, { input: jsonFlag }));
  lanes.planned = await startLane('planned');
  lanes.executed = await startLane('executed');
  lanes.yoga = await startLane(null);
});

afterAll(async () => {
  for (const lane of Object.values(lanes)) await new Promise((resolve) => lane.server.close(resolve));
  await gw?.stop();
});

beforeEach(() => {
  vi.mocked(runPlan).mockClear();
});

describe('an evaluation plan', () => {
  it.each(planCases.map((testCase) => [testCase.expect, testCase.name, testCase] as const))(
    '%s: %s — answered byte for byte as graphql execution answers',
    async (_expect, _name, testCase) => {
      const viaPlan = await ask(lanes.planned, testCase);
      expect(planOutcome()).toBe(testCase.expect);
      const viaExecution = await ask(lanes.executed, testCase);
      expect(vi.mocked(runPlan)).toHaveBeenCalledTimes(testCase.expect === 'none' ? 0 : 1);
      expect(viaPlan).toEqual(viaExecution);
      // And yoga alone answers the same, errors and their codes included.
      const viaYoga = await ask(lanes.yoga, testCase);
      expect({ status: viaPlan.status, body: viaPlan.body, usage: viaPlan.usage }).toEqual({
        status: viaYoga.status,
        body: viaYoga.body,
        usage: viaYoga.usage,
      });
    },
  );

  it('answers a query text envelop accepted before straight from its plan, byte for byte', async () => {
    const served = planCases.filter((entry) => entry.expect === 'served');
    const getEnveloped = vi.spyOn(gw.gateway.yoga, 'getEnveloped');
    try {
      for (const testCase of served) {
        await ask(lanes.planned, testCase); // envelop parses and validates the text once
        getEnveloped.mockClear();
        const again = await ask(lanes.planned, testCase);
        expect(getEnveloped, testCase.name).not.toHaveBeenCalled();
        expect(again, testCase.name).toEqual(await ask(lanes.executed, testCase));
      }
    } finally {
      getEnveloped.mockRestore();
    }
    expect(served.length).toBeGreaterThan(10);
  });

  it('answers random documents as graphql execution and yoga answer', async () => {
    const outcomes = { served: 0, fallback: 0, none: 0 };
    for (let seed = 1; seed <= 300; seed++) {
      const testCase = randomCase(seed);
      vi.mocked(runPlan).mockClear();
      const viaPlan = await ask(lanes.planned, testCase);
      outcomes[planOutcome()]++;
      const label = `${testCase.query} ${JSON.stringify(testCase.variables)} (${testCase.key})`;
      expect(viaPlan, label).toEqual(await ask(lanes.executed, testCase));
      const viaYoga = await ask(lanes.yoga, testCase);
      expect({ status: viaPlan.status, body: viaPlan.body, usage: viaPlan.usage }, label).toEqual({
        status: viaYoga.status,
        body: viaYoga.body,
        usage: viaYoga.usage,
      });
    }
    // The corpus reaches every path often enough to mean something.
    expect(Math.min(outcomes.served, outcomes.fallback, outcomes.none)).toBeGreaterThan(30);
  });

  it('skips only execute hooks that leave an error-free result alone (yoga’s engine and error masking)', () => {
    // A plan answers without envelop's execute, so a plugin hooking execution (tracing, caching, result
    // extensions…) would not see its requests: adding one means teaching the plan about it first.
    // (`getEnveloped` comes bound, without its `_plugins`; yoga keeps the same list as `plugins`.)
    const { plugins } = gw.gateway.yoga as unknown as { plugins: Array<{ onExecute?: unknown }> };
    const hooks = plugins.filter((plugin) => plugin.onExecute);
    expect(hooks).toHaveLength(2);
  });

  it('skips only per-text hooks for texts it knows (parse and validation caches, limits, context)', () => {
    // A known text skips envelop altogether. Today these hooks are yoga's parse/validation caches and
    // its error bookkeeping (invalid documents only), graphql-armor's token limit and validation rules
    // (the same answer for the same text), the engine's own, and our context factory (whose result for
    // an authenticated request the fast lane builds itself). A plugin doing per-request work here (rate
    // limiting, tracing, context the plan would need) means teaching known-plans.ts about it first.
    type Hooks = Partial<Record<'onEnveloped' | 'onParse' | 'onValidate' | 'onContextBuilding', unknown>>;
    const { plugins } = gw.gateway.yoga as unknown as { plugins: Hooks[] };
    const count = (hook: keyof Hooks) => plugins.filter((plugin) => plugin[hook]).length;
    expect({
      onEnveloped: count('onEnveloped'),
      onParse: count('onParse'),
      onValidate: count('onValidate'),
      onContextBuilding: count('onContextBuilding'),
    }).toEqual({
      onEnveloped: 0,
      onParse: 4,
      onValidate: 8,
      onContextBuilding: 1,
    });
  });

  it('evaluates once per root field, counting usage once per evaluation', async () => {
    const testCase = planCases.find((entry) => entry.name === 'every active flag')!;
    const answer = await ask(lanes.planned, testCase);
    const evaluations = (JSON.parse(answer.body) as { data: { evaluateAll: unknown[] } }).data.evaluateAll.length;
    expect(Object.values(answer.usage).reduce((sum, count) => sum + count, 0)).toBe(evaluations);
  });
});

describe('the last answer of a plan, reused when the evaluations come out the same', () => {
  const query = 'query($context: JSON!) { evaluateAll(context: $context) { key value variation reason } }';
  const asking = (context: Record<string, unknown>): PlanCase => ({
    name: 'evaluateAll',
    query,
    variables: { context },
    key: 'evalProd',
    expect: 'served',
  });
  const pro = asking({ targetingKey: 'u1', plan: 'pro' });
  const free = asking({ targetingKey: 'u1', plan: 'free' });

  it('answers contexts asked in turn each with their own evaluations, counted every time', async () => {
    const bodies: string[] = [];
    for (const testCase of [pro, pro, free, free, pro]) {
      const viaPlan = await ask(lanes.planned, testCase);
      expect(planOutcome()).toBe('served');
      vi.mocked(runPlan).mockClear();
      expect(Object.keys(viaPlan.usage).length).toBeGreaterThan(0);
      expect(viaPlan).toEqual(await ask(lanes.executed, testCase));
      bodies.push(viaPlan.body);
    }
    expect(bodies[1]).toBe(bodies[0]);
    expect(bodies[2]).not.toBe(bodies[0]);
    expect(bodies[4]).toBe(bodies[0]);
  });

  it('answers with the change made between two identical requests', async () => {
    const before = await ask(lanes.planned, pro);
    try {
      dataOf(await gw.gql(ToggleFlagDocument, { key: 'checkout-v2', environment: PROD, on: false }));
      const after = await ask(lanes.planned, pro);
      expect(after.body).not.toBe(before.body);
      expect(after).toEqual(await ask(lanes.executed, pro));
    } finally {
      dataOf(await gw.gql(ToggleFlagDocument, { key: 'checkout-v2', environment: PROD, on: true }));
    }
    expect(await ask(lanes.planned, pro)).toEqual(before);
  });
});
