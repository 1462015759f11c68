/** Validation of flag and segment documents: every rule of the model yields an issue naming its field. */
import { describe, expect, it } from 'vitest';
import { ValidationError, validateFlag, validateSegment } from '../../src/index.js';
import {
  config,
  documentOf,
  EXPIRES,
  flag,
  issuesOf,
  NOW,
  percentOn,
  rule,
  segment,
  serve,
  split,
  typedFlag,
} from '../fixtures/flags/flags.js';

const prod = 'environments.production';
const valid = flag('valid-flag', {
  config: {
    rules: [rule('plan == "premium"', 'on', 'r1'), rule('segment("beta")', percentOn(10), 'r2')],
    defaultServe: percentOn(50),
  },
});

type Edit = (doc: any) => void;
const flagCases: Array<[string, Edit, string]> = [
  ['a missing key', (d) => delete d.key, 'key'],
  ['a key with upper case', (d) => (d.key = 'NewCheckout'), 'key'],
  ['a key starting with a dash', (d) => (d.key = '-checkout'), 'key'],
  ['a key with a space', (d) => (d.key = 'new checkout'), 'key'],
  ['a key of 129 characters', (d) => (d.key = 'k'.repeat(129)), 'key'],
  ['a key that is a number', (d) => (d.key = 42), 'key'],
  ['a name that is not a string', (d) => (d.name = 42), 'name'],
  ['a description that is not a string', (d) => (d.description = ['x']), 'description'],
  ['an unknown kind', (d) => (d.kind = 'feature'), 'kind'],
  ['a missing kind', (d) => delete d.kind, 'kind'],
  ['an unknown value type', (d) => (d.valueType = 'integer'), 'valueType'],
  ['missing variations', (d) => delete d.variations, 'variations'],
  ['one variation for a boolean flag', (d) => (d.variations = [{ key: 'on', value: true }]), 'variations'],
  ['no variations for a boolean flag', (d) => (d.variations = []), 'variations'],
  [
    'one variation for an experiment',
    (d) => {
      d.kind = 'experiment';
      d.valueType = 'string';
      d.variations = [{ key: 'on', value: 'x' }];
      d.environments = {};
    },
    'variations',
  ],
  [
    'a duplicate variation key',
    (d) =>
      (d.variations = [
        { key: 'on', value: true },
        { key: 'on', value: false },
      ]),
    'variations[1].key',
  ],
  ['a variation without a key', (d) => delete d.variations[1].key, 'variations[1].key'],
  ['a variation without a value', (d) => delete d.variations[0].value, 'variations[0].value'],
  ['a variation that is not an object', (d) => (d.variations[1] = 'off'), 'variations[1]'],
  ['a string value in a boolean flag', (d) => (d.variations[0].value = 'true'), 'variations[0].value'],
  ['a number value in a boolean flag', (d) => (d.variations[1].value = 0), 'variations[1].value'],
  [
    'a string value in a number flag',
    (d) =>
      Object.assign(d, {
        valueType: 'number',
        variations: [
          { key: 'on', value: 1 },
          { key: 'off', value: '0' },
        ],
      }),
    'variations[1].value',
  ],
  [
    'a number value in a string flag',
    (d) =>
      Object.assign(d, {
        valueType: 'string',
        variations: [
          { key: 'on', value: 'a' },
          { key: 'off', value: 2 },
        ],
      }),
    'variations[1].value',
  ],
  ['tags that are not strings', (d) => (d.tags = ['ok', 3]), 'tags'],
  ['tags that are not a list', (d) => (d.tags = 'checkout'), 'tags'],
  ['an owner that is not a string', (d) => (d.owner = { team: 'x' }), 'owner'],
  ['a createdAt that is not a date', (d) => (d.createdAt = 'yesterday'), 'createdAt'],
  ['an updatedAt that is not a date', (d) => (d.updatedAt = 12), 'updatedAt'],
  ['a missing expiresAt on a release flag', (d) => delete d.expiresAt, 'expiresAt'],
  ['a null expiresAt on a release flag', (d) => (d.expiresAt = null), 'expiresAt'],
  [
    'a missing expiresAt on an experiment',
    (d) => Object.assign(d, { kind: 'experiment', expiresAt: null }),
    'expiresAt',
  ],
  ['an expiresAt that is not a date', (d) => (d.expiresAt = 'soon'), 'expiresAt'],
  [
    'an expiresAt in free text, not ISO-8601 ("next tuesday 2025")',
    (d) => (d.expiresAt = 'next tuesday 2025'),
    'expiresAt',
  ],
  ['an expiresAt on a day that does not exist (2026-02-30)', (d) => (d.expiresAt = '2026-02-30'), 'expiresAt'],
  ['a createdAt of "1" (not ISO-8601)', (d) => (d.createdAt = '1'), 'createdAt'],
  ['a version of 0', (d) => (d.version = 0), 'version'],
  ['a fractional version', (d) => (d.version = 1.5), 'version'],
  ['a salt that is not a string', (d) => (d.salt = 7), 'salt'],
  ['archived that is not a boolean', (d) => (d.archived = 'yes'), 'archived'],
  ['environments that are not an object', (d) => (d.environments = ['production']), 'environments'],
  ['an invalid environment key', (d) => (d.environments['Prod!'] = d.environments.production), 'environments.Prod!'],
  ['an environment that is not an object', (d) => (d.environments.production = true), prod],
  ['a kill switch that is not a boolean', (d) => (d.environments.production.on = 'true'), `${prod}.on`],
  ['a missing offVariation', (d) => delete d.environments.production.offVariation, `${prod}.offVariation`],
  ['an unknown offVariation', (d) => (d.environments.production.offVariation = 'disabled'), `${prod}.offVariation`],
  ['rules that are not a list', (d) => (d.environments.production.rules = { r1: 'x' }), `${prod}.rules`],
  ['a rule that is not an object', (d) => (d.environments.production.rules[0] = 'plan == "x"'), `${prod}.rules[0]`],
  ['a rule id with spaces', (d) => (d.environments.production.rules[0].id = 'rule one'), `${prod}.rules[0].id`],
  ['a duplicate rule id', (d) => (d.environments.production.rules[1].id = 'r1'), `${prod}.rules[1].id`],
  [
    'a rule description that is not a string',
    (d) => (d.environments.production.rules[0].description = 42),
    `${prod}.rules[0].description`,
  ],
  [
    'a rule without a condition',
    (d) => delete d.environments.production.rules[0].condition,
    `${prod}.rules[0].condition`,
  ],
  ['a rule without a serve', (d) => delete d.environments.production.rules[0].serve, `${prod}.rules[0].serve`],
  [
    'a serve with both variation and rollout',
    (d) =>
      (d.environments.production.rules[0].serve = {
        variation: 'on',
        rollout: { weights: [{ variation: 'on', weight: 100_000 }] },
      }),
    `${prod}.rules[0].serve`,
  ],
  [
    'a serve with neither variation nor rollout',
    (d) => (d.environments.production.rules[0].serve = {}),
    `${prod}.rules[0].serve`,
  ],
  [
    'a default serve with both',
    (d) =>
      (d.environments.production.defaultServe = {
        variation: 'off',
        rollout: d.environments.production.defaultServe.rollout,
      }),
    `${prod}.defaultServe`,
  ],
  ['a missing default serve', (d) => delete d.environments.production.defaultServe, `${prod}.defaultServe`],
  [
    'a serve of an unknown variation',
    (d) => (d.environments.production.rules[0].serve = { variation: 'maybe' }),
    `${prod}.rules[0].serve.variation`,
  ],
  [
    'weights summing to 99,999',
    (d) => (d.environments.production.defaultServe.rollout.weights[1].weight = 49_999),
    `${prod}.defaultServe.rollout.weights`,
  ],
  [
    'weights summing to 100,001',
    (d) => (d.environments.production.rules[1].serve.rollout.weights[0].weight = 10_001),
    `${prod}.rules[1].serve.rollout.weights`,
  ],
  [
    'weights given as percentages',
    (d) =>
      (d.environments.production.defaultServe.rollout.weights = [
        { variation: 'on', weight: 50 },
        { variation: 'off', weight: 50 },
      ]),
    `${prod}.defaultServe.rollout.weights`,
  ],
  [
    'no weights',
    (d) => (d.environments.production.defaultServe.rollout.weights = []),
    `${prod}.defaultServe.rollout.weights`,
  ],
  [
    'a rollout without weights',
    (d) => (d.environments.production.defaultServe.rollout = { bucketBy: 'targetingKey' }),
    `${prod}.defaultServe.rollout.weights`,
  ],
  [
    'a negative weight',
    (d) =>
      (d.environments.production.defaultServe.rollout.weights = [
        { variation: 'on', weight: -1 },
        { variation: 'off', weight: 100_001 },
      ]),
    `${prod}.defaultServe.rollout.weights[0].weight`,
  ],
  [
    'a fractional weight',
    (d) =>
      (d.environments.production.defaultServe.rollout.weights = [
        { variation: 'on', weight: 49_999.5 },
        { variation: 'off', weight: 50_000.5 },
      ]),
    `${prod}.defaultServe.rollout.weights[0].weight`,
  ],
  [
    'a weight of an unknown variation',
    (d) => (d.environments.production.defaultServe.rollout.weights[1].variation = 'maybe'),
    `${prod}.defaultServe.rollout.weights[1].variation`,
  ],
  [
    'a bucketBy that is not an attribute path',
    (d) => (d.environments.production.defaultServe.rollout.bucketBy = 'user..id'),
    `${prod}.defaultServe.rollout.bucketBy`,
  ],
];

describe('validateFlag', () => {
  it('accepts the fixture flags unchanged', () => {
    expect(validateFlag(documentOf(valid), NOW)).toEqual(valid);
    const typed = typedFlag('typed', 'json', [{ a: 1 }, [1, 2], 'x', null]);
    expect(validateFlag(documentOf(typed), NOW)).toEqual(typed);
  });

  for (const [name, edit, path] of flagCases) {
    it(`rejects ${name} with an issue at ${path}`, () => {
      const issues = issuesOf(() => validateFlag(documentOf(valid, edit), NOW));
      expect(issues.map((issue) => issue.path)).toContain(path);
      expect(issues.find((issue) => issue.path === path)!.message).not.toBe('');
    });
  }

  it('reports a condition that does not compile as RULE_SYNTAX with rule index, line and column', () => {
    const issues = issuesOf(() =>
      validateFlag(documentOf(valid, (d) => (d.environments.production.rules[1].condition = 'plan in ["a", "b"'))),
    );
    expect(issues).toEqual([
      expect.objectContaining({
        path: `${prod}.rules[1].condition`,
        code: 'RULE_SYNTAX',
        ruleIndex: 1,
        line: 1,
        column: expect.any(Number),
      }),
    ]);
  });

  it('reports the line and column of a syntax error on a later line of a condition', () => {
    const issues = issuesOf(() =>
      validateFlag(
        documentOf(
          valid,
          (d) => (d.environments.production.rules[0].condition = 'plan == "premium"\n  and country ==\n  "FR" ==='),
        ),
      ),
    );
    const first = issues[0]!;
    expect(first).toMatchObject({ path: `${prod}.rules[0].condition`, code: 'RULE_SYNTAX', ruleIndex: 0 });
    expect(first.line).toBeGreaterThan(1);
    expect(first.column).toBeGreaterThan(0);
  });

  it('reports an unknown function as RULE_SYNTAX at its position', () => {
    const issues = issuesOf(() =>
      validateFlag(
        documentOf(valid, (d) => (d.environments.production.rules[0].condition = 'plan == "x" or shout(plan)')),
      ),
    );
    expect(issues).toEqual([expect.objectContaining({ code: 'RULE_SYNTAX', ruleIndex: 0, line: 1, column: 16 })]);
  });

  it('gives the error code RULE_SYNTAX when a condition is at fault, VALIDATION otherwise', () => {
    const syntax = () =>
      validateFlag(documentOf(valid, (d) => (d.environments.production.rules[0].condition = 'plan ==')));
    const other = () => validateFlag(documentOf(valid, (d) => (d.key = 'BAD')));
    expect(() => syntax()).toThrow(expect.objectContaining({ code: 'RULE_SYNTAX' }));
    expect(() => other()).toThrow(expect.objectContaining({ code: 'VALIDATION' }));
  });

  it('lists every problem of a document, not just the first', () => {
    const issues = issuesOf(() =>
      validateFlag(
        documentOf(valid, (d) => {
          d.key = 'BAD';
          delete d.expiresAt;
          d.environments.production.offVariation = 'nope';
          d.environments.staging.rules[0].condition = '==';
        }),
      ),
    );
    expect(issues.map((issue) => issue.path)).toEqual(
      expect.arrayContaining(['key', 'expiresAt', `${prod}.offVariation`, 'environments.staging.rules[0].condition']),
    );
  });

  it('names the first problem in the error message', () => {
    expect(() => validateFlag(documentOf(valid, (d) => (d.kind = 'x')))).toThrow(/^kind: /);
  });

  it('rejects a document that is not an object', () => {
    for (const input of [null, 'flag', [valid], 42])
      expect(issuesOf(() => validateFlag(input))).toEqual([expect.objectContaining({ path: '', code: 'VALIDATION' })]);
  });

  it('does not require expiresAt for ops and permission flags', () => {
    for (const kind of ['ops', 'permission'])
      expect(validateFlag(documentOf(valid, (d) => Object.assign(d, { kind, expiresAt: null }))).expiresAt).toBeNull();
  });

  it('accepts one variation for a non-boolean ops flag', () => {
    expect(() =>
      validateFlag({ key: 'one', kind: 'ops', valueType: 'string', variations: [{ key: 'only', value: 'x' }] }),
    ).not.toThrow();
  });

  it('accepts any JSON value for a json flag', () => {
    const doc = {
      key: 'j',
      kind: 'ops',
      valueType: 'json',
      variations: [
        { key: 'a', value: { deep: [1, { x: null }] } },
        { key: 'b', value: 'text' },
        { key: 'c', value: null },
      ],
    };
    expect(validateFlag(doc).variations.map((variation) => variation.value)).toEqual([
      { deep: [1, { x: null }] },
      'text',
      null,
    ]);
  });

  it('fills in the defaults: salt is the key, version 1, not archived, name is the key', () => {
    const result = validateFlag(
      {
        key: 'minimal',
        kind: 'permission',
        valueType: 'boolean',
        variations: [
          { key: 'yes', value: true },
          { key: 'no', value: false },
        ],
      },
      NOW,
    );
    expect(result).toMatchObject({
      key: 'minimal',
      name: 'minimal',
      salt: 'minimal',
      version: 1,
      archived: false,
      tags: [],
      expiresAt: null,
      createdAt: NOW,
      updatedAt: NOW,
      environments: {},
    });
  });

  it('keeps an explicit salt', () => {
    expect(validateFlag(documentOf(valid, (d) => (d.salt = 'shared-salt'))).salt).toBe('shared-salt');
  });

  it('normalises timestamps to ISO-8601 UTC', () => {
    expect(validateFlag(documentOf(valid, (d) => (d.expiresAt = '2026-01-01T01:00:00+01:00'))).expiresAt).toBe(EXPIRES);
  });

  it('gives a rule without an id a stable positional id', () => {
    const result = validateFlag(documentOf(valid, (d) => delete d.environments.production.rules[0].id));
    expect(result.environments.production!.rules[0]!.id).toBe('rule-1');
  });

  it('accepts a rule that uses segment() and flag()', () => {
    expect(() =>
      validateFlag(
        documentOf(
          valid,
          (d) => (d.environments.production.rules[0].condition = 'segment("beta") or flag("other") == true'),
        ),
      ),
    ).not.toThrow();
  });

  it('accepts a split of 33.333/33.333/33.334', () => {
    const doc = documentOf(
      typedFlag('thirds', 'string', ['a', 'b', 'c'], {
        config: { defaultServe: split({ v0: 33_333, v1: 33_333, v2: 33_334 }) },
      }),
    );
    expect(() => validateFlag(doc)).not.toThrow();
  });

  it('accepts a split with a custom bucketBy path', () => {
    const doc = documentOf(flag('by-org', { config: { defaultServe: percentOn(50, 'account.orgId') } }));
    expect(validateFlag(doc).environments.production!.defaultServe.rollout!.bucketBy).toBe('account.orgId');
  });

  it('accepts a flag with no environments and a flag with an environment that has no rules', () => {
    expect(() => validateFlag(documentOf(flag('bare', { environments: {} })))).not.toThrow();
    expect(() =>
      validateFlag(
        documentOf(flag('plain', { environments: { production: config({ rules: [], defaultServe: serve('on') }) } })),
      ),
    ).not.toThrow();
  });
});

const segmentCases: Array<[string, Edit, string]> = [
  ['a missing key', (d) => delete d.key, 'key'],
  ['an invalid key', (d) => (d.key = 'Beta Users'), 'key'],
  ['a missing environment', (d) => delete d.environment, 'environment'],
  ['an invalid environment', (d) => (d.environment = 'PROD'), 'environment'],
  ['included keys that are not strings', (d) => (d.included = ['a', 1]), 'included'],
  ['excluded keys that are not a list', (d) => (d.excluded = 'a,b'), 'excluded'],
  [
    'more than 100,000 included keys',
    (d) => (d.included = Array.from({ length: 100_001 }, (_, i) => `k${i}`)),
    'included',
  ],
  ['a condition that does not compile', (d) => (d.condition = 'plan =='), 'condition'],
  ['a condition that uses segment()', (d) => (d.condition = 'segment("other")'), 'condition'],
  ['a condition that uses flag()', (d) => (d.condition = 'flag("other") == true'), 'condition'],
  ['a version of 0', (d) => (d.version = 0), 'version'],
  ['a name that is not a string', (d) => (d.name = 1), 'name'],
];

describe('validateSegment', () => {
  const validSegment = segment('beta', { included: ['a', 'b'], excluded: ['c'], condition: 'plan == "enterprise"' });

  it('accepts the fixture segment unchanged', () => {
    expect(validateSegment(documentOf(validSegment), NOW)).toEqual(validSegment);
  });

  for (const [name, edit, path] of segmentCases) {
    it(`rejects ${name} with an issue at ${path}`, () => {
      expect(issuesOf(() => validateSegment(documentOf(validSegment, edit))).map((issue) => issue.path)).toContain(
        path,
      );
    });
  }

  it('reports a condition that does not compile as RULE_SYNTAX with line and column', () => {
    expect(issuesOf(() => validateSegment(documentOf(validSegment, (d) => (d.condition = 'plan ==  '))))).toEqual([
      expect.objectContaining({ path: 'condition', code: 'RULE_SYNTAX', line: 1, column: expect.any(Number) }),
    ]);
  });

  it('accepts exactly 100,000 included and 100,000 excluded keys', () => {
    const keys = Array.from({ length: 100_000 }, (_, i) => `k${i}`);
    const result = validateSegment(
      documentOf(validSegment, (d) => Object.assign(d, { included: keys, excluded: keys })),
    );
    expect(result.included).toHaveLength(100_000);
    expect(result.excluded).toHaveLength(100_000);
  });

  it('accepts a segment without a condition (lists only)', () => {
    expect(validateSegment(documentOf(validSegment, (d) => (d.condition = null))).condition).toBeNull();
  });

  it('removes duplicate keys from the lists', () => {
    expect(validateSegment(documentOf(validSegment, (d) => (d.included = ['a', 'a', 'b']))).included).toEqual([
      'a',
      'b',
    ]);
  });

  it('throws a ValidationError for a document that is not an object', () => {
    expect(() => validateSegment('beta')).toThrow(ValidationError);
  });
});
