/**
 * The clean-up loop from the command line, against a real gateway: `vexil flags stale` as a report
 * and as a CI gate (exit codes), and `vexil flags refs --report` feeding Flag.codeReferences and
 * the NO_CODE_REFERENCES reason.
 */
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cliAgainst, expectOneLineFailure, jsonOutput } from '../support/cli.js';
import { ensureBuilt, standardKeys, startTestGateway, type TestGateway } from '../support/gateway.js';

let gateway: TestGateway;
let readOnly: string;
let work: string;
const farFuture = '2035-01-01T00:00:00.000Z';

beforeAll(async () => {
  await ensureBuilt();
  gateway = await startTestGateway();
  ({ readOnly } = await standardKeys(gateway));
  work = await mkdtemp(join(tmpdir(), 'vexil-hygiene-cli-'));
}, 240_000);

afterAll(async () => {
  await gateway?.stop();
  if (work) await rm(work, { recursive: true, force: true });
});

const stale = (args: string[]) => cliAgainst(gateway)('flags', ['stale', ...args], readOnly);

describe('vexil flags stale', () => {
  it('prints a table of stale flags with owner, kind, age and reasons', async () => {
    const table = await stale(['--now', farFuture]);
    expect(table.code, table.stderr).toBe(0);
    expect(table.stdout).toMatch(/^FLAG\s+OWNER\s+KIND\s+AGE\s+REASONS/);
    expect(table.stdout).toMatch(/new_checkout\s+\S+\s+release\s+\d+d\s+.*EXPIRED/);
  });

  it('prints JSON for tools', async () => {
    const report = jsonOutput(await stale(['--now', farFuture, '--format', 'json']));
    const entry = report.find((flag: { key: string }) => flag.key === 'new_checkout');
    expect(entry.reasons.map((reason: { code: string }) => reason.code)).toEqual(
      expect.arrayContaining(['EXPIRED', 'UNUSED']),
    );
    expect(entry.reasons[0]).toEqual(
      expect.objectContaining({ message: expect.any(String), suggestedAction: expect.any(String) }),
    );
    expect(
      jsonOutput(await stale(['--format', 'json'])).some((flag: { reasons: Array<{ code: string }> }) =>
        flag.reasons.some((reason) => reason.code === 'EXPIRED'),
      ),
    ).toBe(false);
  });

  it('fails CI (exit 1) exactly when a flag has a reason --fail-on names', async () => {
    expectOneLineFailure(
      await stale(['--now', farFuture, '--fail-on', 'expired,unused']),
      1,
      /flag\(s\) with EXPIRED, UNUSED: .*new_checkout/,
    );
    const clean = await stale(['--fail-on', 'expired']);
    expect(clean.code, clean.stderr).toBe(0);
    expect((await stale(['--now', farFuture, '--fail-on', 'archived-but-called'])).code).toBe(0);
    expectOneLineFailure(await stale(['--fail-on', 'old']), 2, /--fail-on takes expired, expiring-soon/);
    expectOneLineFailure(await stale(['--unused-days', 'many']), 2, /whole number of days/);
  });
});

describe('vexil flags refs --report', () => {
  it('stores the scan on the gateway: Flag.codeReferences, and NO_CODE_REFERENCES for the others', async () => {
    const source = join(work, 'shop');
    await mkdir(source, { recursive: true });
    await writeFile(join(source, 'checkout.py'), 'if client.get_boolean_value("new_checkout", False):\n    pass\n');
    await cliAgainst(gateway)('flags', ['create', 'dead_switch', '--kind', 'ops']);
    const result = await cliAgainst(gateway)('flags', ['refs', source, '--report', '--repository', 'acme/shop']);
    expect(result.code, result.stderr).toBe(0);
    expect(result.stdout).toMatch(/Reported to the gateway as acme\/shop/);
    const flag = await gateway.gql<
      { flag: { codeReferences: Array<{ repository: string; count: number; locations: string[] }> } },
      unknown
    >('{ flag(key: "new_checkout") { codeReferences { repository count locations } } }');
    expect(flag.data?.flag.codeReferences).toEqual([
      { repository: 'acme/shop', count: 1, locations: ['checkout.py:1'] },
    ]);
    const report = jsonOutput(await stale(['--format', 'json']));
    const codesOf = (key: string) =>
      report
        .find((entry: { key: string }) => entry.key === key)
        ?.reasons.map((reason: { code: string }) => reason.code) ?? [];
    expect(codesOf('dead_switch')).toContain('NO_CODE_REFERENCES');
    expect(codesOf('new_checkout')).not.toContain('NO_CODE_REFERENCES');
    expectOneLineFailure(await cliAgainst(gateway)('flags', ['refs', source, '--report'], readOnly), 1, /FORBIDDEN/);
  });
});
