/**
 * OpenFeature's Python SDK (`openfeature-sdk`) with its OFREP provider (`openfeature-provider-ofrep`),
 * from PyPI into a virtualenv this file creates (python-venv.ts), against the real gateway: every
 * value type and reason, every error code the server answers, 401/403 and 429 with Retry-After.
 * Skipped, saying why, only where python3 (with venv) is absent.
 */
import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import {
  BOOL,
  createOfrepFlags,
  DISABLED,
  MISSING,
  NUMBER,
  OBJECT,
  STRING,
  startRateLimitedGateway,
} from '../fixtures/gateway/ofrep-flags.js';
import { repoRoot, standardKeys, startTestGateway, type TestGateway } from '../support/gateway.js';
import { ensureOfrepVenv, pythonMissing } from './python-venv.js';

vi.mock('graphql', async () => (await import('node:module')).createRequire(import.meta.url)('graphql'));

const missing = pythonMissing();
if (missing) console.warn(`test/ofrep/clients-python.test.ts: ${missing}`);

interface Case {
  type: 'boolean' | 'string' | 'float' | 'object';
  flag: string;
  default: unknown;
  context?: Record<string, unknown>;
}

let python: string;

/** Runs python/evaluate.py with the cases and returns its results, one per case. */
async function evaluate(baseUrl: string, key: string, cases: Case[]): Promise<Array<Record<string, unknown>>> {
  const child = promisify(execFile)(python, [join(repoRoot, 'test/ofrep/python/evaluate.py')], { encoding: 'utf8' });
  child.child.stdin!.end(JSON.stringify({ baseUrl, key, cases }));
  return JSON.parse((await child).stdout) as Array<Record<string, unknown>>;
}

const pro = { targetingKey: 'u1', plan: 'pro' };

describe.skipIf(missing !== null)('Python openfeature-sdk + openfeature-provider-ofrep', () => {
  let gw: TestGateway;
  let keys: Awaited<ReturnType<typeof standardKeys>>;

  beforeAll(async () => {
    python = await ensureOfrepVenv();
    gw = await startTestGateway({ seed: false });
    keys = await standardKeys(gw);
    await createOfrepFlags(gw);
  }, 300_000);

  afterAll(async () => {
    await gw?.stop();
  });

  it('evaluates boolean, string, number and object flags with their reasons, variants and rule id', async () => {
    const results = await evaluate(gw.url, keys.evalProd, [
      { type: 'boolean', flag: BOOL, default: false, context: pro },
      { type: 'boolean', flag: BOOL, default: true, context: { targetingKey: 'u1' } },
      { type: 'boolean', flag: DISABLED, default: true, context: pro },
      { type: 'string', flag: STRING, default: 'none', context: { ...pro, userId: 'user-7' } },
      { type: 'float', flag: NUMBER, default: 0.5, context: pro },
      { type: 'object', flag: OBJECT, default: {}, context: pro },
    ]);
    expect(results[0]).toMatchObject({
      value: true,
      reason: 'TARGETING_MATCH',
      variant: 'on',
      errorCode: null,
      flagMetadata: { ruleId: 'pro' },
    });
    expect(results[1]).toMatchObject({ value: false, reason: 'DEFAULT', variant: 'off' });
    expect(results[2]).toMatchObject({ value: false, reason: 'DISABLED' });
    expect(results[3]).toMatchObject({ reason: 'SPLIT', value: expect.stringMatching(/^(blue|green)$/) });
    expect(results[4]).toMatchObject({ value: 1.5, reason: 'DEFAULT', variant: 'low' });
    expect(results[5]).toMatchObject({ value: { theme: 'dark', size: 3 }, variant: 'dark' });
  });

  it('turns every error the server answers into its OpenFeature error code and the default value', async () => {
    const results = await evaluate(gw.url, keys.evalProd, [
      { type: 'boolean', flag: MISSING, default: true, context: pro },
      { type: 'string', flag: STRING, default: 'none', context: { targetingKey: 'u1' } },
      { type: 'boolean', flag: BOOL, default: true, context: { targetingKey: 'u1', blob: 'x'.repeat(40 * 1024) } },
      { type: 'boolean', flag: NUMBER, default: true, context: pro },
    ]);
    expect(results.map((result) => [result.value, result.reason, result.errorCode])).toEqual([
      [true, 'ERROR', 'FLAG_NOT_FOUND'],
      ['none', 'ERROR', 'TARGETING_KEY_MISSING'],
      [true, 'ERROR', 'INVALID_CONTEXT'],
      [true, 'ERROR', 'TYPE_MISMATCH'],
    ]);
  });

  it('answers GENERAL for keys the server refuses with 401 and 403', async () => {
    const [unknown] = await evaluate(gw.url, 'vxl_eval_unknown', [
      { type: 'boolean', flag: BOOL, default: true, context: pro },
    ]);
    expect(unknown).toMatchObject({ value: true, errorCode: 'GENERAL', errorMessage: 'unauthorized' });
    const [readOnly] = await evaluate(gw.url, keys.readOnly, [
      { type: 'boolean', flag: BOOL, default: true, context: pro },
    ]);
    expect(readOnly).toMatchObject({ value: true, errorCode: 'GENERAL', errorMessage: 'forbidden' });
  });

  describe('rate limit', () => {
    let limited: TestGateway;
    let secret: string;

    beforeAll(async () => {
      ({ gateway: limited, secret } = await startRateLimitedGateway());
    });

    afterAll(async () => {
      await limited?.stop();
    });

    it('reads 429’s Retry-After and pauses until then', async () => {
      const results = await evaluate(
        limited.url,
        secret,
        Array.from({ length: 3 }, () => ({ type: 'boolean' as const, flag: BOOL, default: false, context: pro })),
      );
      expect(results[0]).toMatchObject({ value: true, errorCode: null });
      expect(results[1]).toMatchObject({
        value: false,
        errorCode: 'GENERAL',
        errorMessage: 'Rate limited, retry after: 1',
      });
      expect(results[2]).toMatchObject({
        value: false,
        errorCode: 'GENERAL',
        errorMessage: expect.stringMatching(/paused due to TooManyRequests/),
      });
    });
  });
});
