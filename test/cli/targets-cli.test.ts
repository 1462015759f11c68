/**
 * `vexil flags targets` against a real gateway, run as the CLI process users run: show, add (moving a
 * key between variations), remove, replace from a file, and the failures (bad --add, a test override
 * in production refused with VALIDATION, read-only key FORBIDDEN), each one line with its exit code.
 */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cliAgainst, expectOneLineFailure, jsonOutput } from '../support/cli.js';
import { ensureBuilt, standardKeys, startTestGateway, type TestGateway } from '../support/gateway.js';

let gateway: TestGateway;
let readOnly: string;
let work: string;

beforeAll(async () => {
  await ensureBuilt();
  gateway = await startTestGateway();
  ({ readOnly } = await standardKeys(gateway));
  work = await mkdtemp(join(tmpdir(), 'vexil-targets-cli-'));
}, 240_000);

afterAll(async () => {
  await gateway?.stop();
  if (work) await rm(work, { recursive: true, force: true });
});

const cli = (args: string[], key?: string) => cliAgainst(gateway)('flags', ['targets', 'new_checkout', ...args], key);
const reasonOf = async (targetingKey: string) => {
  const result = await gateway.gql<{ evaluate: { variation: string; reason: string } }, unknown>(
    'query($c: JSON!) { evaluate(key: "new_checkout", environment: "production", context: $c) { variation reason } }',
    { c: { targetingKey, email: 'x@company.com' } },
  );
  return result.data?.evaluate;
};

describe('vexil flags targets', () => {
  it('adds keys to a variation, moves a key to another one and removes keys; rules stay', async () => {
    expect(jsonOutput(await cli(['-e', 'production', '--format', 'json']))).toEqual([]);
    const added = jsonOutput(
      await cli(['-e', 'production', '--add', 'off=vip-1,vip-2', '--add', 'on=vip-3', '--format', 'json', '-m', 'VIP']),
    );
    expect(added).toEqual([
      { variation: 'off', attribute: 'targetingKey', values: ['vip-1', 'vip-2'] },
      { variation: 'on', attribute: 'targetingKey', values: ['vip-3'] },
    ]);
    // Staff match rule 1 ("on"); the target decides first.
    expect(await reasonOf('vip-1')).toEqual({ variation: 'off', reason: 'TARGET_MATCH' });
    expect(await reasonOf('someone')).toEqual({ variation: 'on', reason: 'TARGETING_MATCH' });

    const moved = jsonOutput(
      await cli(['-e', 'production', '--add', 'on=vip-2', '--remove', 'vip-1', '--format', 'json']),
    );
    expect(moved).toEqual([{ variation: 'on', attribute: 'targetingKey', values: ['vip-3', 'vip-2'] }]);
    const table = await cli(['-e', 'production']);
    expect(table.code, table.stderr).toBe(0);
    expect(table.stdout).toMatch(/^VARIATION\s+ATTRIBUTE\s+COUNT\s+VALUES/);
    expect(table.stdout).toMatch(/on\s+targetingKey\s+2\s+vip-3, vip-2/);
    const rules = await gateway.gql<{ flag: { environments: Array<{ rules: unknown[] }> } }, unknown>(
      '{ flag(key: "new_checkout") { environments(environment: "production") { rules { id } } } }',
    );
    expect(rules.data!.flag.environments[0]!.rules.length).toBeGreaterThan(0);
  });

  it('replaces the targets with a file, including a test override in staging', async () => {
    const file = join(work, 'targets.yaml');
    await writeFile(
      file,
      [
        '- variation: "on"',
        '  values: [qa-1]',
        '- variation: "on"',
        '  attribute: email',
        '  values: [qa@company.com]',
        '',
      ].join('\n'),
    );
    const replaced = jsonOutput(await cli(['-e', 'staging', '--file', file, '--format', 'json']));
    expect(replaced).toEqual([
      { variation: 'on', attribute: 'targetingKey', values: ['qa-1'] },
      { variation: 'on', attribute: 'email', values: ['qa@company.com'] },
    ]);
    expectOneLineFailure(await cli(['-e', 'production', '--file', file]), 1, /VALIDATION.*targets\[1\]\.attribute/);
  });

  it('fails in one line: a malformed --add (2), an unknown variation (1, VALIDATION), a read-only key (1, FORBIDDEN)', async () => {
    expectOneLineFailure(await cli(['-e', 'production', '--add', 'vip-9']), 2, /--add takes VARIATION=key1,key2/);
    expectOneLineFailure(await cli(['-e', 'production', '--add', 'maybe=vip-9']), 1, /VALIDATION/);
    expectOneLineFailure(await cli(['-e', 'production', '--add', 'on=vip-9'], readOnly), 1, /FORBIDDEN/);
    expectOneLineFailure(await cli(['--add', 'on=vip-9']), 2, /--environment is required/);
  });
});
