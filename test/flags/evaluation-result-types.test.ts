/**
 * EvaluationResult is a discriminated union the compiler enforces: an ERROR result has an errorCode
 * and no variation, a served result a variation and no errorCode, TARGETING_MATCH a rule, SPLIT an
 * inRollout. Checked by running tsc over a fixture whose @ts-expect-error lines must all be errors.
 */
import { createRequire } from 'node:module';
import { describe, expect, it } from 'vitest';
import { repoRoot, run } from '../support/gateway.js';

const tsc = createRequire(import.meta.url).resolve('typescript/bin/tsc');
const flags = [
  '--noEmit',
  '--strict',
  '--noUncheckedIndexedAccess',
  '--skipLibCheck',
  '--target',
  'ES2022',
  '--module',
  'NodeNext',
  '--moduleResolution',
  'NodeNext',
  '--types',
  'node',
];

describe('the EvaluationResult type', () => {
  it('lets the compiler reject every misuse the fixture marks, and accept the rest', async () => {
    const result = await run(
      process.execPath,
      [tsc, ...flags, 'test/fixtures/types/evaluation-result.ts'],
      {},
      repoRoot,
      120_000,
    );
    expect(`${result.stdout}${result.stderr}`).toBe('');
    expect(result.code).toBe(0);
  }, 120_000);
});
