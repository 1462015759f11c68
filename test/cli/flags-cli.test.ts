/**
 * `vexil flags …` against a real gateway (in-process, over HTTP), run as the CLI process users run:
 * every action, table and JSON output, and the exit codes 0 (done), 1 (the gateway refused, code
 * named) and 2 (usage or connection error), each failure one line on stderr.
 */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cliAgainst, expectOneLineFailure, jsonOutput } from '../support/cli.js';
import { ensureBuilt, standardKeys, startTestGateway, type TestGateway, vexil } from '../support/gateway.js';

let gateway: TestGateway;
let readOnly: string;
let work: string;

beforeAll(async () => {
  await ensureBuilt();
  gateway = await startTestGateway();
  ({ readOnly } = await standardKeys(gateway));
  work = await mkdtemp(join(tmpdir(), 'vexil-flags-cli-'));
}, 240_000);

afterAll(async () => {
  await gateway?.stop();
  if (work) await rm(work, { recursive: true, force: true });
});

const cli = (args: string[], key?: string) => cliAgainst(gateway)('flags', args, key);

const evaluateInProduction = async (context: Record<string, unknown>) => {
  const result = await gateway.gql<{ evaluate: { value: unknown } }, unknown>(
    'query($c: JSON!) { evaluate(key: "new_checkout", environment: "production", context: $c) { value } }',
    { c: context },
  );
  return result.data?.evaluate.value;
};

describe('vexil flags', () => {
  it('lists flags as a table for people and as JSON for scripts', async () => {
    const table = await cli(['list']);
    expect(table.code, table.stderr).toBe(0);
    expect(table.stdout).toMatch(/^KEY\s+KIND\s+OWNER\s+ENVIRONMENTS\s+EXPIRES\s+STALE/);
    expect(table.stdout).toMatch(/new_checkout\s+release\s+\S+\s+.*production:on/);
    const list = jsonOutput(await cli(['list', '--format', 'json'], readOnly));
    expect(list.map((flag: { key: string }) => flag.key)).toContain('new_checkout');
    expect(jsonOutput(await cli(['list', '--format', 'json', '--kind', 'ops']))).toEqual([]);
  });

  it('shows one flag with its rules per environment', async () => {
    const table = await cli(['get', 'new_checkout', '--environment', 'production']);
    expect(table.code, table.stderr).toBe(0);
    expect(table.stdout).toMatch(/production: ON/);
    expect(table.stdout).toMatch(/staff\s+email endsWith/);
    const flag = jsonOutput(await cli(['get', 'new_checkout', '--format', 'json']));
    expect(flag.environments.map((environment: { environment: string }) => environment.environment)).toEqual(
      expect.arrayContaining(['production', 'staging']),
    );
    expectOneLineFailure(await cli(['get', 'no_such_flag']), 1, /NOT_FOUND/);
  });

  it('flips the kill switch in one command, and the evaluation changes at once', async () => {
    const staff = { targetingKey: 'u1', email: 'ann@company.com' };
    expect(await evaluateInProduction(staff)).toBe(true);
    const off = jsonOutput(
      await cli([
        'toggle',
        'new_checkout',
        'off',
        '--environment',
        'production',
        '--comment',
        'INC-123',
        '--format',
        'json',
      ]),
    );
    expect(off).toMatchObject({ key: 'new_checkout', environment: 'production', on: false });
    await expect.poll(() => evaluateInProduction(staff)).toBe(false);
    const audit = await gateway.gql<
      { auditLog: { entries: Array<{ comment: string; environment: string; action: string }> } },
      unknown
    >('{ auditLog(key: "new_checkout", first: 1) { entries { comment environment action } } }');
    expect(audit.data?.auditLog.entries[0]).toEqual({
      comment: 'INC-123',
      environment: 'production',
      action: 'toggle',
    });
    expect((await cli(['toggle', 'new_checkout', 'on', '-e', 'production'])).code).toBe(0);
    await expect.poll(() => evaluateInProduction(staff)).toBe(true);
  });

  it('creates, archives and restores a flag', async () => {
    const created = jsonOutput(
      await cli(['create', 'search_v2', '--kind', 'ops', '--owner', 'search-team', '--format', 'json']),
    );
    expect(created).toMatchObject({ key: 'search_v2', kind: 'ops', owner: 'search-team', variations: 'on, off' });
    const typed = jsonOutput(
      await cli([
        'create',
        'theme',
        '--kind',
        'permission',
        '--type',
        'string',
        '--variation',
        'light=light',
        '--variation',
        'dark="dark"',
        '--format',
        'json',
      ]),
    );
    expect(typed.variations).toBe('light, dark');
    expect(jsonOutput(await cli(['archive', 'search_v2', '-m', 'done', '--format', 'json']))).toMatchObject({
      archived: true,
    });
    expect(jsonOutput(await cli(['restore', 'search_v2', '--format', 'json']))).toMatchObject({ archived: false });
    expectOneLineFailure(await cli(['create', 'search_v2', '--kind', 'ops']), 1, /the gateway refused: \w+/);
    expectOneLineFailure(await cli(['create', 'x', '--kind', 'toggle']), 2, /--kind must be one of/);
    expectOneLineFailure(await cli(['create', 'num', '--kind', 'ops', '--type', 'number']), 2, /needs its variations/);
  });

  it('replaces an environment’s rules from a file, reporting a syntax error at its line and column', async () => {
    const rules = join(work, 'rules.yaml');
    await writeFile(
      rules,
      [
        '- id: staff',
        '  condition: email endsWith "@company.com"',
        '  serve: { variation: "on" }',
        '- id: beta',
        '  condition: plan == "beta"',
        '  serve: { variation: "on" }',
        '',
      ].join('\n'),
    );
    const result = jsonOutput(
      await cli(['set-rules', 'new_checkout', '--environment', 'staging', '--file', rules, '--format', 'json']),
    );
    expect(result).toMatchObject({ key: 'new_checkout', environment: 'staging', rules: 2 });
    const broken = join(work, 'broken.yaml');
    await writeFile(
      broken,
      [
        '- condition: plan == "beta"',
        '  serve: { variation: "on" }',
        '- condition: plan == and',
        '  serve: { variation: "on" }',
        '',
      ].join('\n'),
    );
    expectOneLineFailure(
      await cli(['set-rules', 'new_checkout', '-e', 'staging', '-f', broken]),
      2,
      /broken\.yaml:3:\d+: rule 2: /,
    );
  });

  it('refuses changes with a read-only key (exit 1, FORBIDDEN named)', async () => {
    expectOneLineFailure(
      await cli(['toggle', 'new_checkout', 'off', '--environment', 'production'], readOnly),
      1,
      /FORBIDDEN/,
    );
  });

  it('finds code references and fails CI on references to unknown or archived flags', async () => {
    const source = join(work, 'src');
    await rm(source, { recursive: true, force: true });
    await import('node:fs/promises').then((fs) => fs.mkdir(source, { recursive: true }));
    await writeFile(
      join(source, 'app.ts'),
      `if (client.getBooleanValue('new_checkout', false)) {}\nclient.getStringValue('ghost_flag', 'x');\n`,
    );
    const clean = await cli(['refs', source]);
    expect(clean.code, clean.stderr).toBe(0);
    expect(clean.stdout).toMatch(/new_checkout\s+1\s+app\.ts:1/);
    expect(clean.stdout).toMatch(/ghost_flag\s+app\.ts:2/);
    const summary = jsonOutput(await cli(['refs', source, '--format', 'json']));
    expect(summary.unknown).toEqual([{ key: 'ghost_flag', file: 'app.ts', line: 2 }]);
    expectOneLineFailure(await cli(['refs', source, '--fail-on', 'unknown', '--format', 'json']), 1, /unknown flags/);
    expectOneLineFailure(await cli(['refs', source, '--fail-on', 'nonsense']), 2, /--fail-on takes/);
  });

  it('says what is wrong in one line for usage and connection errors (exit 2)', async () => {
    expectOneLineFailure(
      await cli(['toggle', 'new_checkout', 'sideways', '--environment', 'production']),
      2,
      /on or off/,
    );
    expectOneLineFailure(await cli(['toggle', 'new_checkout', 'off']), 2, /--environment is required/);
    expectOneLineFailure(await cli(['list', '--bogus']), 2, /Unknown option '--bogus'/);
    expectOneLineFailure(
      await vexil(['flags', 'list'], { VEXIL_URL: 'http://127.0.0.1:9', VEXIL_API_KEY: 'x' }),
      2,
      /cannot reach the gateway/,
    );
    expectOneLineFailure(await vexil(['flags', 'list'], {}), 2, /needs a running gateway/);
  });
});
