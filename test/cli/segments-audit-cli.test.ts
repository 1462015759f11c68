/**
 * `vexil segments …` and `vexil audit` against a real gateway (in-process, over HTTP), run as the
 * CLI process: every action, table and JSON output, exit codes 0, 1 (refused, code named) and 2.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cliAgainst, expectOneLineFailure, jsonOutput } from '../support/cli.js';
import { ensureBuilt, standardKeys, startTestGateway, type TestGateway } from '../support/gateway.js';

let gateway: TestGateway;
let readOnly: string;

beforeAll(async () => {
  await ensureBuilt();
  gateway = await startTestGateway();
  ({ readOnly } = await standardKeys(gateway));
}, 240_000);

afterAll(async () => gateway?.stop());

const run = (command: string, args: string[], key?: string) => cliAgainst(gateway)(command, args, key);

describe('vexil segments', () => {
  it('creates, lists, shows, updates and deletes a segment', async () => {
    const created = jsonOutput(
      await run('segments', [
        'create',
        'beta',
        '-e',
        'production',
        '--name',
        'Beta',
        '--include',
        'u1',
        '--include',
        'u2',
        '--condition',
        'plan == "beta"',
        '--format',
        'json',
      ]),
    );
    expect(created).toMatchObject({
      key: 'beta',
      environment: 'production',
      included: ['u1', 'u2'],
      condition: 'plan == "beta"',
      version: 1,
    });
    const table = await run('segments', ['list', '--environment', 'production'], readOnly);
    expect(table.stdout).toMatch(/^ENVIRONMENT\s+KEY\s+NAME/);
    expect(table.stdout).toMatch(/production\s+beta\s+Beta\s+2\s+0\s+plan == "beta"/);
    expect(jsonOutput(await run('segments', ['get', 'beta', '-e', 'production', '--format', 'json']))).toMatchObject({
      name: 'Beta',
    });
    expect(
      jsonOutput(await run('segments', ['update', 'beta', '-e', 'production', '--exclude', 'u3', '--format', 'json'])),
    ).toMatchObject({ excluded: ['u3'], included: ['u1', 'u2'], version: 2 });
    expect(jsonOutput(await run('segments', ['delete', 'beta', '-e', 'production', '--format', 'json']))).toEqual({
      key: 'beta',
      environment: 'production',
      deleted: true,
    });
    expectOneLineFailure(await run('segments', ['get', 'beta', '-e', 'production']), 1, /NOT_FOUND/);
  });

  it('refuses what the key may not do, and bad input, in one line', async () => {
    expectOneLineFailure(await run('segments', ['create', 'x', '-e', 'production'], readOnly), 1, /FORBIDDEN/);
    expectOneLineFailure(
      await run('segments', ['create', 'bad', '-e', 'production', '--condition', 'plan ==']),
      1,
      /RULE_SYNTAX|VALIDATION/,
    );
    expectOneLineFailure(await run('segments', ['update', 'x', '-e', 'production']), 2, /nothing to change/);
    expectOneLineFailure(await run('segments', ['get', 'x']), 2, /--environment is required/);
  });
});

describe('vexil audit', () => {
  it('shows who changed what, filtered by flag, environment and time', async () => {
    const startedAt = new Date().toISOString();
    expect((await run('flags', ['toggle', 'new_checkout', 'off', '-e', 'staging', '-m', 'INC-7'])).code).toBe(0);
    const table = await run('audit', ['--flag', 'new_checkout'], readOnly);
    expect(table.code, table.stderr).toBe(0);
    expect(table.stdout).toMatch(/^AT\s+ACTOR\s+ACTION\s+DOCUMENT\s+ENVIRONMENT\s+VERSION\s+COMMENT/);
    expect(table.stdout.split('\n')[1]).toMatch(/toggle\s+flag new_checkout\s+staging\s+\d+\s+INC-7/);
    const recent = jsonOutput(await run('audit', ['--since', startedAt, '--format', 'json']));
    expect(recent.map((entry: { action: string; comment: string }) => `${entry.action} ${entry.comment}`)).toEqual([
      'toggle INC-7',
    ]);
    const production = jsonOutput(await run('audit', ['--environment', 'production', '--format', 'json']));
    expect(production.every((entry: { environment: string | null }) => entry.environment === 'production')).toBe(true);
    expect(jsonOutput(await run('audit', ['--limit', '1', '--format', 'json']))).toHaveLength(1);
    expectOneLineFailure(await run('audit', ['--since', 'yesterday']), 2, /not a date/);
  });
});
