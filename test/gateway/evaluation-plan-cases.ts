/**
 * The corpus of the evaluation plan's differential test (evaluation-plan.test.ts): documents, variables
 * and keys, each marked with what the plan should do with it — answer it (`served`), hand it to
 * graphql execution after a failed check or coercion (`fallback`), or not plan it at all (`none`).
 */
import { keyInRollout, keyOutOfRollout, PROD, STAGING } from '../fixtures/gateway/flags.js';

export type KeyName = 'evalProd' | 'evalStaging' | 'admin' | 'readOnly' | 'none';

export interface PlanCase {
  name: string;
  query: string;
  variables?: Record<string, unknown>;
  operationName?: string;
  key: KeyName;
  accept?: string;
  expect: 'served' | 'fallback' | 'none';
}

const allFields = 'key value variation reason ruleId ruleIndex inRollout errorCode errorMessage flagVersion __typename';
const user = { targetingKey: 'u1', userId: 'u1', plan: 'pro' };

/** A context nested `levels` deep, past the JSON scalar's depth limit when over 16. */
export function nested(levels: number): Record<string, unknown> {
  let context: Record<string, unknown> = { leaf: true };
  for (let level = 0; level < levels; level++) context = { nested: context };
  return context;
}

const served: Array<Omit<PlanCase, 'expect'>> = [
  { name: 'the trivial query', query: '{ __typename }', key: 'evalProd' },
  { name: 'the trivial query without a key', query: '{ __typename }', key: 'none' },
  {
    name: 'every Evaluation field of a rule match',
    query: `{ evaluate(key: "checkout-v2", context: { targetingKey: "u1", plan: "pro" }) { ${allFields} } }`,
    key: 'evalProd',
  },
  {
    name: 'a default serve',
    query: `{ evaluate(key: "checkout-v2", context: { targetingKey: "u1", plan: "free" }) { ${allFields} } }`,
    key: 'evalProd',
  },
  {
    name: 'a rule rollout, in and out',
    query: `query($in: JSON!, $out: JSON!) { in: evaluate(key: "new_checkout", context: $in) { ${allFields} } out: evaluate(key: "new_checkout", context: $out) { ${allFields} } }`,
    variables: {
      in: { targetingKey: keyInRollout, plan: 'premium' },
      out: { targetingKey: keyOutOfRollout, plan: 'premium' },
    },
    key: 'evalProd',
  },
  {
    name: 'a 50/50 split, and its bucketing attribute missing',
    query: `{ a: evaluate(key: "button-color", context: { userId: "u7" }) { ${allFields} } b: evaluate(key: "button-color", context: { targetingKey: "u7" }, defaultValue: "red") { ${allFields} } }`,
    key: 'evalProd',
  },
  {
    name: 'aliases, __typename and merged fields',
    query:
      '{ t: __typename a: evaluate(key: "checkout-v2", context: { plan: "pro" }) { k: key v: value __typename kind: __typename } __typename a: evaluate(key: "checkout-v2", context: { plan: "pro" }) { reason k: key } }',
    key: 'evalProd',
  },
  {
    name: 'a missing flag carrying a JSON default',
    query: `{ evaluate(key: "missing", context: {}, defaultValue: { nested: [1, "x", null, { deep: true }], quote: "\\"" }) { ${allFields} } }`,
    key: 'evalProd',
  },
  {
    name: 'a default of the wrong type',
    query: `{ evaluate(key: "checkout-v2", context: {}, defaultValue: "yes") { ${allFields} } }`,
    key: 'evalProd',
  },
  {
    name: 'a context that is not an object',
    query: `{ evaluate(key: "checkout-v2", context: "just a string", defaultValue: false) { ${allFields} } }`,
    key: 'evalProd',
  },
  { name: 'an archived flag', query: `{ evaluate(key: "retired", context: {}) { ${allFields} } }`, key: 'evalProd' },
  {
    name: 'JSON values with escapes and unicode',
    query: `{ evaluate(key: "json-config", context: { targetingKey: "u1", plan: "pro" }) { ${allFields} } other: evaluate(key: "json-config", context: {}) { value } }`,
    key: 'evalProd',
  },
  {
    name: 'every active flag',
    query: `{ evaluateAll(context: { targetingKey: "u1", userId: "u1", plan: "pro" }) { ${allFields} } }`,
    key: 'evalProd',
  },
  {
    name: 'every active flag, some fields',
    query: 'query($context: JSON!) { evaluateAll(context: $context) { key value variation reason } }',
    variables: { context: user },
    key: 'evalProd',
  },
  {
    name: 'given keys, a missing one among them',
    query:
      '{ evaluateAll(context: {}, keys: ["checkout-v2", "missing", "retired"]) { key reason errorCode errorMessage flagVersion } }',
    key: 'evalProd',
  },
  { name: 'no keys at all', query: '{ evaluateAll(context: {}, keys: []) { key } }', key: 'evalProd' },
  {
    name: 'a single key coerced to a list',
    query: 'query($keys: [String!]) { evaluateAll(context: {}, keys: $keys) { key reason } }',
    variables: { keys: 'checkout-v2' },
    key: 'evalProd',
  },
  {
    name: 'keys left out',
    query: 'query($keys: [String!]) { evaluateAll(context: {}, keys: $keys) { key } }',
    key: 'evalProd',
  },
  {
    name: 'variables for every argument',
    query: `query($key: String!, $context: JSON!, $default: JSON, $environment: String, $keys: [String!]) { evaluate(key: $key, context: $context, defaultValue: $default, environment: $environment) { ${allFields} } evaluateAll(context: $context, keys: $keys, environment: $environment) { key value } }`,
    variables: {
      key: 'checkout-v2',
      context: user,
      default: true,
      environment: PROD,
      keys: ['checkout-v2', 'button-color'],
    },
    key: 'evalProd',
  },
  {
    name: 'null variables and arguments',
    query:
      'query($default: JSON, $environment: String) { evaluate(key: "checkout-v2", context: {}, defaultValue: $default, environment: $environment) { value errorCode } b: evaluate(key: "missing", context: {}, defaultValue: null, environment: null) { value } }',
    variables: { default: null, environment: null },
    key: 'evalProd',
  },
  {
    name: 'variable defaults',
    query:
      'query($context: JSON = { targetingKey: "d", plan: "pro" }, $key: String = "checkout-v2", $keys: [String!]! = ["checkout-v2"]) { evaluate(key: $key, context: $context) { key value reason } evaluateAll(context: $context, keys: $keys) { key } }',
    key: 'evalProd',
  },
  {
    name: 'a variable inside a literal context',
    query:
      'query($plan: String) { evaluate(key: "checkout-v2", context: { targetingKey: "u1", plan: $plan, list: [$plan, 1] }) { value reason } }',
    variables: { plan: 'pro' },
    key: 'evalProd',
  },
  {
    name: 'a "__proto__" attribute in a variable',
    query: 'query($context: JSON!) { evaluate(key: "checkout-v2", context: $context) { value reason } }',
    variables: JSON.parse('{"context": {"targetingKey": "u", "__proto__": {"plan": "pro"}}}') as Record<
      string,
      unknown
    >,
    key: 'evalProd',
  },
  {
    name: 'a "__proto__" attribute in a literal',
    query:
      '{ evaluate(key: "checkout-v2", context: { targetingKey: "u", __proto__: { plan: "pro" } }) { value reason } }',
    key: 'evalProd',
  },
  {
    name: 'null for a nullable variable with a default',
    query:
      'query($environment: String = "staging") { evaluate(key: "checkout-v2", context: { plan: "pro" }, environment: $environment) { value reason } }',
    variables: { environment: null },
    key: 'evalProd',
  },
  {
    name: 'a nullable variable left out, for an argument without a default',
    query:
      'query($default: JSON) { evaluate(key: "missing", context: {}, defaultValue: $default) { value errorCode } }',
    key: 'evalProd',
  },
  {
    name: 'a variable left out inside a literal context',
    query:
      'query($plan: String) { evaluate(key: "checkout-v2", context: { plan: $plan, targetingKey: "u" }) { value reason } }',
    key: 'evalProd',
  },
  {
    name: 'a number as the context',
    query: '{ evaluate(key: "checkout-v2", context: 5, defaultValue: true) { value reason errorCode } }',
    key: 'evalProd',
  },
  {
    name: 'an empty and a null list of keys',
    query:
      'query($none: [String!], $empty: [String!]) { a: evaluateAll(context: {}, keys: $none) { key } b: evaluateAll(context: {}, keys: $empty) { key } }',
    variables: { none: null, empty: [] },
    key: 'evalProd',
  },
  {
    name: 'a context just under 32 KiB',
    query: 'query($context: JSON!) { evaluate(key: "checkout-v2", context: $context) { reason } }',
    variables: { context: { targetingKey: 'u', notes: 'x'.repeat(30_000) } },
    key: 'evalProd',
  },
  {
    name: 'the key’s own environment, named',
    query: `{ evaluate(key: "checkout-v2", context: {}, environment: "${PROD}") { value } }`,
    key: 'evalProd',
  },
  {
    name: 'another evaluation key',
    query: '{ evaluateAll(context: { plan: "pro" }) { key value reason } }',
    key: 'evalStaging',
  },
  {
    name: 'an admin key naming an environment',
    query: `{ evaluate(key: "checkout-v2", context: { plan: "pro" }, environment: "${STAGING}") { value reason } all: evaluateAll(context: {}, environment: "development") { key reason value } }`,
    key: 'admin',
  },
  {
    name: 'a read-only key naming an environment',
    query: `{ evaluateAll(context: {}, environment: "${PROD}", keys: ["checkout-v2"]) { key reason } }`,
    key: 'readOnly',
  },
  {
    name: 'an environment that does not exist',
    query:
      '{ evaluate(key: "checkout-v2", context: {}, environment: "moon") { key value reason errorCode errorMessage flagVersion } all: evaluateAll(context: {}, environment: "moon") { key } some: evaluateAll(context: {}, environment: "moon", keys: ["a"]) { key reason errorMessage } }',
    key: 'admin',
  },
  {
    name: 'the named operation of several',
    query: 'query A { __typename } query B { evaluate(key: "checkout-v2", context: {}) { value } }',
    operationName: 'B',
    key: 'evalProd',
  },
  {
    name: 'the legacy JSON media type',
    query: '{ evaluate(key: "checkout-v2", context: {}) { value } }',
    accept: 'application/json',
    key: 'evalProd',
  },
];

const fallback: Array<Omit<PlanCase, 'expect'>> = [
  {
    name: 'another environment than the key’s (FORBIDDEN)',
    query: `{ evaluate(key: "checkout-v2", context: {}, environment: "${STAGING}") { value } }`,
    key: 'evalProd',
  },
  {
    name: 'no environment with an admin key (VALIDATION)',
    query: '{ evaluateAll(context: {}) { key } }',
    key: 'admin',
  },
  { name: 'no key (UNAUTHENTICATED)', query: '{ evaluate(key: "checkout-v2", context: {}) { value } }', key: 'none' },
  {
    name: 'a check failing after another field passed',
    query: `{ a: evaluate(key: "checkout-v2", context: {}) { value } b: evaluateAll(context: {}, environment: "${STAGING}") { key } }`,
    key: 'evalProd',
  },
  {
    name: 'a context over 32 KiB',
    query: 'query($context: JSON!) { evaluate(key: "checkout-v2", context: $context) { reason } }',
    variables: {
      context: Object.fromEntries(Array.from({ length: 40 }, (_, index) => [`attribute${index}`, 'x'.repeat(1000)])),
    },
    key: 'evalProd',
  },
  {
    name: 'a context nested too deep',
    query: 'query($context: JSON!) { evaluateAll(context: $context) { key } }',
    variables: { context: nested(20) },
    key: 'evalProd',
  },
  {
    name: 'a context of too many values',
    query: 'query($context: JSON!) { evaluateAll(context: $context) { key } }',
    variables: { context: { list: Array.from({ length: 10_001 }, () => 1) } },
    key: 'evalProd',
  },
  {
    name: 'a missing required variable',
    query: 'query($context: JSON!) { evaluateAll(context: $context) { key } }',
    key: 'evalProd',
  },
  {
    name: 'null for a required variable',
    query: 'query($context: JSON!) { evaluateAll(context: $context) { key } }',
    variables: { context: null },
    key: 'evalProd',
  },
  {
    name: 'a number for a string',
    query: 'query($key: String!) { evaluate(key: $key, context: {}) { key } }',
    variables: { key: 5 },
    key: 'evalProd',
  },
  {
    name: 'a null in a list of non-null strings',
    query: 'query($keys: [String!]) { evaluateAll(context: {}, keys: $keys) { key } }',
    variables: { keys: ['a', null] },
    key: 'evalProd',
  },
  {
    name: 'a required variable left out, for a nullable argument',
    query:
      'query($environment: String!) { evaluate(key: "checkout-v2", context: {}, environment: $environment) { value } }',
    key: 'evalProd',
  },
  {
    name: 'null for a defaulted variable in a non-null argument',
    query: 'query($key: String = "checkout-v2") { evaluate(key: $key, context: {}) { key } }',
    variables: { key: null },
    key: 'evalProd',
  },
];

const none: Array<Omit<PlanCase, 'expect'>> = [
  {
    name: 'a fragment spread',
    query: '{ evaluate(key: "checkout-v2", context: {}) { ...F } } fragment F on Evaluation { key value }',
    key: 'evalProd',
  },
  {
    name: 'an inline fragment',
    query: '{ evaluate(key: "checkout-v2", context: {}) { ... on Evaluation { key } } }',
    key: 'evalProd',
  },
  {
    name: 'a directive',
    query: '{ evaluate(key: "checkout-v2", context: {}) { key value @include(if: true) reason @skip(if: true) } }',
    key: 'evalProd',
  },
  {
    name: 'another root field',
    query: `{ evaluate(key: "checkout-v2", context: {}, environment: "${PROD}") { key } environments { key } }`,
    key: 'admin',
  },
  { name: 'introspection', query: '{ __type(name: "Evaluation") { name } }', key: 'admin' },
  {
    name: 'a literal context nested too deep (a validation error)',
    query: `{ evaluate(key: "checkout-v2", context: ${JSON.stringify(nested(20)).replace(/"(\w+)":/g, '$1:')}) { key } }`,
    key: 'evalProd',
  },
  {
    name: 'a field that does not exist',
    query: '{ evaluate(key: "checkout-v2", context: {}) { colour } }',
    key: 'evalProd',
  },
  {
    name: 'a variable named "__proto__"',
    query: 'query($__proto__: JSON!) { evaluate(key: "checkout-v2", context: $__proto__) { value reason } }',
    variables: JSON.parse('{"__proto__": {"targetingKey": "u", "plan": "pro"}}') as Record<string, unknown>,
    key: 'evalProd',
  },
  {
    name: 'a nullable variable in a non-null argument (a validation error)',
    query: 'query($key: String) { evaluate(key: $key, context: {}) { key } }',
    key: 'evalProd',
  },
  {
    name: 'several operations without a name',
    query: 'query A { __typename } query B { __typename }',
    key: 'evalProd',
  },
];

export const planCases: PlanCase[] = [
  ...served.map((entry) => ({ ...entry, expect: 'served' as const })),
  ...fallback.map((entry) => ({ ...entry, expect: 'fallback' as const })),
  ...none.map((entry) => ({ ...entry, expect: 'none' as const })),
];

// ----------------------------------------------------------------------------------------------------
// random documents, for the fuzzing half of the differential test

/** How an argument may be written: literals, and the types a variable for it may be declared with. */
const argumentForms: Record<string, { literals: string[]; types: string[]; values: unknown[] }> = {
  key: {
    literals: ['"checkout-v2"', '"missing"', '"button-color"', '"json-config"', '"new_checkout"'],
    types: ['String!', 'String', 'String = "checkout-v2"'],
    values: ['checkout-v2', 'retired', 'json-config', 5, null],
  },
  context: {
    literals: [
      '{ targetingKey: "u1", plan: "pro" }',
      '{}',
      '"text"',
      '5',
      '{ userId: "u7", list: [1, "x", null], __proto__: { plan: "pro" } }',
    ],
    types: ['JSON!', 'JSON', 'JSON = { plan: "pro" }'],
    values: [
      { targetingKey: 'u2', plan: 'pro', userId: 'u2' },
      {},
      'text',
      null,
      nested(18),
      JSON.parse('{"__proto__": {"plan": "pro"}, "targetingKey": "u3"}'),
    ],
  },
  defaultValue: {
    literals: ['true', '"red"', '{ a: [1, 2] }', 'null'],
    types: ['JSON', 'JSON!'],
    values: [false, 'blue', { b: null }, null],
  },
  environment: {
    literals: [`"${PROD}"`, `"${STAGING}"`, '"moon"', 'null'],
    types: ['String', 'String!', `String = "${PROD}"`],
    values: [PROD, STAGING, 'moon', null, 7],
  },
  keys: {
    literals: ['["checkout-v2", "missing"]', '[]', '"checkout-v2"', 'null'],
    types: ['[String!]', '[String!]!', '[String]'],
    values: [['checkout-v2', 'retired'], [], 'json-config', null, ['a', null]],
  },
};

const rootArguments: Record<string, string[]> = {
  evaluate: ['key', 'context', 'defaultValue', 'environment'],
  evaluateAll: ['context', 'keys', 'environment'],
};
const evaluationFieldNames = [
  'key',
  'value',
  'variation',
  'reason',
  'ruleId',
  'ruleIndex',
  'inRollout',
  'errorCode',
  'errorMessage',
  'flagVersion',
  '__typename',
];

/** A pseudo-random document built from a seed: root fields, arguments as literals or variables, and variable values. */
export function randomCase(seed: number): PlanCase {
  let state = seed * 2654435761 + 1;
  const next = (n: number) => {
    state = (state * 1103515245 + 12345) % 2147483648;
    return Math.floor((state / 2147483648) * n);
  };
  const pick = <T>(items: readonly T[]): T => items[next(items.length)]!;
  const definitions: string[] = [];
  const variables: Record<string, unknown> = {};
  const roots: string[] = [];
  for (let index = 0, count = 1 + next(3); index < count; index++) {
    const alias = next(3) === 0 ? `a${index}: ` : '';
    const name = pick(['evaluate', 'evaluateAll', 'evaluateAll', '__typename']);
    if (name === '__typename') {
      roots.push(`${alias}__typename`);
      continue;
    }
    const args: string[] = [];
    for (const argument of rootArguments[name]!) {
      const form = argumentForms[argument]!;
      const choice = next(3);
      if (choice === 0 && argument !== 'key' && argument !== 'context') continue;
      if (choice === 1) {
        args.push(`${argument}: ${pick(form.literals)}`);
        continue;
      }
      const variable = `v${definitions.length}`;
      definitions.push(`$${variable}: ${pick(form.types)}`);
      if (next(4) !== 0) variables[variable] = pick(form.values);
      args.push(`${argument}: $${variable}`);
    }
    const fields = Array.from(
      { length: 1 + next(4) },
      (_, field) => `${next(4) === 0 ? `f${field}: ` : ''}${pick(evaluationFieldNames)}`,
    );
    roots.push(`${alias}${name}(${args.join(', ')}) { ${fields.join(' ')} }`);
  }
  const query = `query${definitions.length > 0 ? `(${definitions.join(', ')})` : ''} { ${roots.join(' ')} }`;
  const key = pick<KeyName>(['evalProd', 'evalProd', 'evalStaging', 'admin', 'readOnly', 'none']);
  return { name: `random #${seed}`, query, variables, key, expect: 'none' };
}
