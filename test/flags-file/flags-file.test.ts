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
import { PROD, rule } from '../fixtures/flags/flags.js';
import { richState } from '../fixtures/flags/rich-state.js';

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
    expect(inline).toMatchObject({
      file: 'flags.yaml',
      flag: 'broken',
      code: 'RULE_SYNTAX',
      path: 'flags[0].environments.production.rules[0].condition',
      line: 15,
      column: 46,
    });
    // The block's text starts on line 18 at column 15; '~' is at line 2, column 10 of the condition.
    expect(block).toMatchObject({
      flag: 'broken',
      code: 'RULE_SYNTAX',
      path: 'flags[0].environments.production.rules[1].condition',
      line: 19,
      column: 24,
    });
    expect(block!.message).toMatch(/unexpected character "~"/);
    expect(formatIssue(inline!)).toMatch(
      /^flags\.yaml:15:\d+: flag 'broken': flags\[0\]\.environments\.production\.rules\[0\]\.condition: /,
    );
  });

  it('report every problem at once: unknown environments, segments and prerequisites, duplicates, YAML errors', () => {
    const exported = toFlagsFile(richState());
    const broken = structuredClone(exported);
    broken.flags.push({ ...broken.flags[0]!, environments: {} });
    broken.flags.find((entry) => entry.key === 'pricing_test')!.environments.production!.rules = [
      rule('segment("nobody")', 'b', 'x'),
      rule('flag("ghost") == true', 'b', 'y'),
    ];
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
