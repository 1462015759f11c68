/**
 * Flags as code: a flag set exported to YAML or JSON reads back as the same flag set; the file
 * matches its published JSON Schema; a bad file is rejected whole, each problem naming the file,
 * the flag and the line and column in the file.
 */
import { readFileSync } from 'node:fs';
import { Ajv2020 } from 'ajv/dist/2020.js';
import addFormats from 'ajv-formats';
import { describe, expect, it } from 'vitest';
import { parse as parseYaml } from 'yaml';
import { formatIssue, parseFlagsFile, serializeFlagsFile, toFlagsFile } from '../../src/flags-file/index.js';
import { createTestEvaluator } from '../../src/flags-file/testing.js';
import type { EngineState } from '../../src/index.js';
import { EXPIRES, PROD, config, flag, percentOn, rule, segment, split, state, typedFlag } from '../fixtures/flags/flags.js';

/** Every kind, value type, serve shape, segments, a prerequisite, a custom salt, an archived flag. */
function richState(): EngineState {
  const beta = ['development', 'staging', PROD].map((environment) => segment('beta', { environment, included: ['u1', 'u2'], excluded: ['u3'], condition: 'plan == "beta"' }));
  const staffOnly = segment('staff', { environment: 'staging', condition: 'email endsWith "@company.com"' });
  return state(
    [
      flag('new_checkout', {
        tags: ['checkout', 'web'],
        config: { rules: [rule('segment("beta")', 'on', 'beta'), rule('country in ["US", "CA"] and bucket(targetingKey) < 25', percentOn(12.5, 'userId'), 'na')], defaultServe: percentOn(5) },
      }),
      flag('pricing_test', {
        kind: 'experiment',
        valueType: 'string',
        variations: [{ key: 'a', value: 'control' }, { key: 'b', value: 'cheaper', name: 'Cheaper', description: 'ten percent off' }, { key: 'c', value: 'bundle' }],
        salt: 'pricing-2026',
        config: { offVariation: 'a', defaultServe: split({ a: 33_334, b: 33_333, c: 33_333 }), rules: [rule('flag("new_checkout") == true', 'b', 'needs-checkout')] },
      }),
      typedFlag('search_timeout_ms', 'number', [800, 2000], { config: { on: false } }),
      typedFlag('theme', 'json', [{ colors: { primary: '#123456' }, dense: false }, [1, 'two', null]], { kind: 'permission' }),
      flag('old_banner', { archived: true, expiresAt: EXPIRES, environments: { [PROD]: config({ on: false }) } }),
    ],
    [...beta, staffOnly],
  );
}

describe('flags files', () => {
  for (const format of ['yaml', 'json'] as const) {
    it(`read back as the same flag set (${format})`, () => {
      const exported = toFlagsFile(richState());
      const text = serializeFlagsFile(exported, format);
      const parsed = parseFlagsFile(text, `flags.${format}`);
      expect(parsed.issues).toEqual([]);
      expect(toFlagsFile(parsed.state!)).toEqual(exported);
      expect(serializeFlagsFile(toFlagsFile(parsed.state!), format)).toBe(text);
    });
  }

  it('match the published JSON Schema, which also rejects what Vexil rejects', () => {
    const schema = JSON.parse(readFileSync(new URL('../../schema/flags.schema.json', import.meta.url), 'utf8'));
    const ajv = new Ajv2020({ allErrors: true, strict: true, strictRequired: false });
    addFormats.default(ajv);
    const validate = ajv.compile(schema);
    const exported = parseYaml(serializeFlagsFile(toFlagsFile(richState()), 'yaml'));
    expect(validate(exported), JSON.stringify(validate.errors)).toBe(true);
    expect(validate({ ...exported, flags: [{ ...exported.flags[0], kind: 'toggle' }] })).toBe(false);
    expect(validate({ ...exported, extra: true })).toBe(false);
  });

  it('export one environment: its configuration of each flag and its segments', () => {
    const exported = toFlagsFile(richState(), { environment: 'staging' });
    expect(exported.environments.map((environment) => environment.key)).toEqual(['staging']);
    expect(exported.segments.map((entry) => entry.key)).toEqual(['beta', 'staff']);
    expect(new Set(exported.flags.flatMap((entry) => Object.keys(entry.environments)))).toEqual(new Set(['staging']));
  });

  it('name the file, the flag, and the line and column inside the rule of a syntax error', () => {
    const text = [
      'version: 1',
      'environments:',
      '  - key: production',
      'flags:',
      '  - key: broken',
      '    kind: ops',
      '    valueType: boolean',
      '    variations: [{ key: "on", value: true }, { key: "off", value: false }]',
      '    environments:',
      '      production:',
      '        on: true',
      '        offVariation: "off"',
      '        defaultServe: { variation: "off" }',
      '        rules:',
      `          - condition: 'plan == "premium" and'`,
      '            serve: { variation: "on" }',
      '          - condition: |',
      '              country in ["US"]',
      '              and plan ~ "x"',
      '            serve: { variation: "on" }',
    ].join('\n');
    const { state: parsed, issues } = parseFlagsFile(text, 'flags.yaml');
    expect(parsed).toBeNull();
    const [inline, block] = issues;
    expect(issues).toHaveLength(3); // the block rule has two diagnostics
    // 'plan == "premium" and' starts at column 25 of line 15; the parser expects a value at its 22nd character.
    expect(inline).toMatchObject({ file: 'flags.yaml', flag: 'broken', code: 'RULE_SYNTAX', path: 'flags[0].environments.production.rules[0].condition', line: 15, column: 46 });
    // The block's text starts on line 18 at column 15; '~' is at line 2, column 10 of the condition.
    expect(block).toMatchObject({ flag: 'broken', code: 'RULE_SYNTAX', path: 'flags[0].environments.production.rules[1].condition', line: 19, column: 24 });
    expect(block!.message).toMatch(/unexpected character "~"/);
    expect(formatIssue(inline!)).toMatch(/^flags\.yaml:15:\d+: flag 'broken': flags\[0\]\.environments\.production\.rules\[0\]\.condition: /);
  });

  it('report every problem at once: unknown environments, segments and prerequisites, duplicates, YAML errors', () => {
    const exported = toFlagsFile(richState());
    const broken = structuredClone(exported);
    broken.flags.push({ ...broken.flags[0]!, environments: {} });
    broken.flags.find((entry) => entry.key === 'pricing_test')!.environments.production!.rules = [rule('segment("nobody")', 'b', 'x'), rule('flag("ghost") == true', 'b', 'y')];
    broken.segments[0]!.environment = 'mars';
    const { issues } = parseFlagsFile(serializeFlagsFile(broken, 'yaml'), 'flags.yaml');
    const messages = issues.map((issue) => `${issue.flag ?? issue.segment ?? ''} ${issue.message}`);
    expect(messages).toEqual(
      expect.arrayContaining([
        expect.stringMatching(/unknown environment 'mars'/),
        expect.stringMatching(/^pricing_test unknown segment 'nobody'/),
        expect.stringMatching(/^pricing_test unknown flag 'ghost'/),
        expect.stringMatching(/^new_checkout unknown segment 'beta' in environment 'development'/),
        expect.stringMatching(/duplicate flag 'new_checkout'/),
      ]),
    );
    expect(issues.every((issue) => issue.line !== undefined && issue.column !== undefined)).toBe(true);
    const yamlError = parseFlagsFile('version: 1\nflags: [\n', 'flags.yaml').issues[0];
    expect(yamlError).toMatchObject({ code: 'YAML_SYNTAX', file: 'flags.yaml', line: expect.any(Number) });
  });
});

describe('createTestEvaluator (vexil/testing)', () => {
  it('evaluates with the real engine, and pins flags to a variation', () => {
    const flags = createTestEvaluator(toFlagsFile(richState()), { overrides: { search_timeout_ms: 'v1' } });
    expect(flags.environment).toBe(PROD);
    expect(flags.value('new_checkout', { targetingKey: 'u1', plan: 'beta' })).toBe(true);
    expect(flags.value('search_timeout_ms')).toBe(2000);
    flags.override('new_checkout', 'off');
    expect(flags.value('new_checkout', { targetingKey: 'u1', plan: 'beta' })).toBe(false);
    flags.override('new_checkout', null);
    expect(flags.value('new_checkout', { targetingKey: 'u1', plan: 'beta' })).toBe(true);
    expect(flags.value('no_such_flag')).toBeUndefined();
    expect(() => flags.override('theme', 'v9')).toThrow(/no variation 'v9'/);
  });
});

