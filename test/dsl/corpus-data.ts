/**
 * Loader for test/fixtures/rule-corpus.json, the language-neutral corpus other SDKs reuse.
 *
 * Format: [{ rule, context, expected, salt?, segments?, flags?, note? }]. `salt` is the compile salt
 * (default ""). When `segments` / `flags` are present the rule is compiled with resolvers defined by the
 * corpus itself: segment(name) is true exactly when `name` is in `segments`; flag(key) is `flags[key]`,
 * or null when absent.
 */
import { readFileSync } from 'node:fs';
import type { CompileOptions } from '../../src/index.js';

export interface CorpusCase {
  rule: string;
  context: Record<string, unknown>;
  expected: boolean;
  salt?: string;
  segments?: string[];
  flags?: Record<string, unknown>;
  note?: string;
}

export const corpus: CorpusCase[] = JSON.parse(
  readFileSync(new URL('../fixtures/rule-corpus.json', import.meta.url), 'utf8'),
);

export function corpusOptions(testCase: CorpusCase): CompileOptions {
  const options: CompileOptions = {};
  if (testCase.salt !== undefined) options.salt = testCase.salt;
  if (testCase.segments !== undefined || testCase.flags !== undefined) {
    const segments = testCase.segments ?? [];
    const flags = testCase.flags ?? {};
    options.resolvers = {
      segment: (name) => segments.includes(name),
      flag: (key) => (Object.hasOwn(flags, key) ? flags[key] : null),
    };
  }
  return options;
}
