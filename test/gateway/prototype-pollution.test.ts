/**
 * Rules read only own properties of the context, even in a process whose Object.prototype was
 * polluted: a real `vexil serve` process, loaded with `node --import` of a file that adds `plan` to
 * Object.prototype before the gateway starts and `email` on SIGUSR2, after the rules were compiled;
 * evaluated over HTTP with JSON variables (contexts that inherit from Object.prototype).
 */
import { rm } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import {
  EvaluateDocument,
  ExplainEvaluationDocument,
  ValidateRuleDocument,
} from '../../src/client/generated/graphql.js';
import { PROD } from '../fixtures/gateway/flags.js';
import {
  createEvaluationKeyAt,
  dataOf,
  ensureBuilt,
  gqlAt,
  newAdminSecret,
  type ServeProcess,
  spawnServe,
  tempDir,
} from '../support/gateway.js';

const pollute = fileURLToPath(new URL('../fixtures/gateway/pollute-object-prototype.mjs', import.meta.url));

describe('a gateway whose Object.prototype was polluted before and after its rules were compiled', () => {
  const admin = newAdminSecret();
  let dataDir: string;
  let server: ServeProcess;
  let evalKey: string;

  beforeAll(async () => {
    await ensureBuilt();
    dataDir = await tempDir();
    server = await spawnServe({
      dataDir,
      env: { VEXIL_BOOTSTRAP_ADMIN_KEY: admin, NODE_OPTIONS: `--import=${pollute}` },
    });
    evalKey = await createEvaluationKeyAt(server.endpoint, admin, 'polluted-eval', PROD);
    // Compiles new_checkout's rules (the first evaluation at the latest), then pollutes `email`.
    dataOf(
      await gqlAt(
        server.endpoint,
        EvaluateDocument,
        { key: 'new_checkout', context: { targetingKey: 'warm-up' } },
        evalKey,
      ),
    );
    server.child.kill('SIGUSR2');
    await vi.waitFor(() => expect(server.stderr()).toContain('polluted Object.prototype.email'), { timeout: 10_000 });
  }, 240_000);

  afterAll(async () => {
    await server?.stop('SIGKILL');
    if (dataDir) await rm(dataDir, { recursive: true, force: true });
  });

  it('does not match rules on the polluted attributes', async () => {
    const { evaluate } = dataOf(
      await gqlAt(
        server.endpoint,
        EvaluateDocument,
        { key: 'new_checkout', context: { targetingKey: 'visitor' } },
        evalKey,
      ),
    );
    expect(evaluate).toMatchObject({
      key: 'new_checkout',
      value: false,
      variation: 'off',
      reason: 'DEFAULT',
      errorCode: null,
    });
  });

  it('still matches on the attributes the context does have', async () => {
    const { evaluate } = dataOf(
      await gqlAt(
        server.endpoint,
        EvaluateDocument,
        { key: 'new_checkout', context: { targetingKey: 'ada', email: 'ada@company.com' } },
        evalKey,
      ),
    );
    expect(evaluate).toMatchObject({ value: true, ruleId: 'staff' });
  });

  it('reads the polluted attribute as null in a rule trace', async () => {
    const { validateRule } = dataOf(
      await gqlAt(
        server.endpoint,
        ValidateRuleDocument,
        { source: 'email', context: { targetingKey: 'visitor' } },
        admin,
      ),
    );
    expect(validateRule).toMatchObject({ ok: true, matched: false });
    expect(validateRule.trace).toMatchObject({ kind: 'path', text: 'email', value: null });
  });

  it('explains the evaluation with null for the polluted attributes', async () => {
    const { explainEvaluation } = dataOf(
      await gqlAt(
        server.endpoint,
        ExplainEvaluationDocument,
        { key: 'new_checkout', context: { targetingKey: 'visitor' }, environment: PROD },
        admin,
      ),
    );
    expect(explainEvaluation?.matchedRuleIndex).toBeNull();
    const [staff, paying] = explainEvaluation!.rules;
    expect(staff).toMatchObject({
      matched: false,
      trace: { children: [{ text: 'email', value: null }, expect.anything()] },
    });
    expect(paying).toMatchObject({
      matched: false,
      trace: { children: [{ text: 'plan', value: null }, expect.anything()] },
    });
  });
});
