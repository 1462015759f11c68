/**
 * Runs test/fixtures/rule-corpus.json, the language-neutral corpus other SDKs reuse, through the
 * compiled rules, `explain`, and the independent reference interpreter.
 *
 * Format: [{ rule, context, expected, salt?, segments?, flags?, note? }]. `salt` is the compile salt
 * (default ""). When `segments` / `flags` are present the rule is compiled with resolvers defined by the
 * corpus itself: segment(name) is true exactly when `name` is in `segments`; flag(key) is `flags[key]`,
 * or null when absent.
 */
import { describe, expect, it } from 'vitest';
import { compileRule } from '../../src/index.js';
import { corpus, corpusOptions } from './corpus-data.js';
import { referenceCompile } from './reference-interpreter.js';

describe('the shared rule corpus', () => {
  it('has at least 80 cases, each with a rule, an object context and a boolean expectation', () => {
    expect(corpus.length).toBeGreaterThanOrEqual(80);
    for (const testCase of corpus) {
      expect(typeof testCase.rule).toBe('string');
      expect(
        typeof testCase.context === 'object' && testCase.context !== null && !Array.isArray(testCase.context),
      ).toBe(true);
      expect(typeof testCase.expected).toBe('boolean');
    }
  });

  it('covers both outcomes and every construct of the language', () => {
    const rules = corpus.map((testCase) => testCase.rule).join('\n');
    const constructs = [
      '"',
      "'",
      '\\u',
      '\\n',
      '\\t',
      'e3',
      'E-3',
      '-3',
      '2.5',
      'true',
      'false',
      'null',
      '[',
      '["',
      '.',
      ' and ',
      '&&',
      ' or ',
      '||',
      'not ',
      '!',
      '(',
      '==',
      '!=',
      ' < ',
      '<=',
      ' > ',
      '>=',
      ' in ',
      ' not in ',
      ' contains ',
      ' startsWith ',
      ' endsWith ',
      ' matches ',
      'lower(',
      'upper(',
      'len(',
      'semver(',
      'date(',
      'now()',
      'bucket(',
      'segment(',
      'flag(',
    ];
    expect(constructs.filter((construct) => !rules.includes(construct))).toEqual([]);
    expect(corpus.some((testCase) => testCase.expected)).toBe(true);
    expect(corpus.filter((testCase) => !testCase.expected).length).toBeGreaterThanOrEqual(30);
  });

  it.each(corpus.map((testCase, index) => ({ index, ...testCase })))('#$index: $rule gives $expected', (testCase) => {
    const rule = compileRule(testCase.rule, corpusOptions(testCase));
    expect(rule.evaluate(testCase.context)).toBe(testCase.expected);
    expect(rule.explain(testCase.context).matched).toBe(testCase.expected);
  });

  it.each(corpus.map((testCase, index) => ({ index, ...testCase })))(
    '#$index: the reference interpreter agrees that $rule gives $expected',
    (testCase) => {
      const reference = referenceCompile(testCase.rule, corpusOptions(testCase));
      if (!reference.ok) throw new Error(`reference rejected the rule: ${reference.reason}`);
      expect(reference.evaluate(testCase.context)).toBe(testCase.expected);
    },
  );
});
