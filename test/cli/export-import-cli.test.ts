/**
 * `vexil export` / `vexil import` against real gateways (in-process, over HTTP), run as the CLI:
 * a rich flag set round-trips from one gateway to another unchanged; an invalid file writes
 * nothing and names file, flag, line and column; --dry-run writes nothing; --prune archives; every
 * change is audited with the import's id.
 */
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseFlagsFile, serializeFlagsFile, toFlagsFile } from '../../src/flags-file/index.js';
import { richState } from '../fixtures/flags/rich-state.js';
import { cliAgainst, expectOneLineFailure } from '../support/cli.js';
import { ensureBuilt, startTestGateway, type TestGateway } from '../support/gateway.js';

let source: TestGateway;
let target: TestGateway;
let work: string;
const nextYear = new Date(Date.now() + 365 * 86_400_000).toISOString();

beforeAll(async () => {
  await ensureBuilt();
  [source, target] = await Promise.all([startTestGateway({ seed: false }), startTestGateway({ seed: false })]);
  work = await mkdtemp(join(tmpdir(), 'vexil-import-'));
}, 240_000);

afterAll(async () => {
  await Promise.all([source?.stop(), target?.stop()]);
  if (work) await rm(work, { recursive: true, force: true });
});

const richFile = () => serializeFlagsFile(toFlagsFile(richState(nextYear)), 'yaml');
const auditCount = async (gateway: TestGateway) =>
  (await gateway.gql<{ auditLog: { totalCount: number } }, unknown>('{ auditLog { totalCount } }')).data!.auditLog
    .totalCount;

describe('vexil export and import', () => {
  it('carry a rich flag set from one gateway to another unchanged', async () => {
    const file = join(work, 'rich.yaml');
    await writeFile(file, richFile());
    const imported = await cliAgainst(source)('import', [file, '-m', 'first load']);
    expect(imported.code, imported.stderr).toBe(0);
    expect(imported.stdout).toMatch(/\+ flag new_checkout/);
    expect(imported.stdout).toMatch(/- flag old_banner \(archive\)/);
    expect(imported.stdout).toMatch(/~ flag ring_release: environments\.production\.rollout/);
    const exported = await cliAgainst(source)('export', []);
    expect(exported.code, exported.stderr).toBe(0);
    const fromSource = parseFlagsFile(exported.stdout, 'export.yaml');
    expect(fromSource.issues).toEqual([]);
    // The rollout plan (its definition, not where it stands) and the switched-off ring rule came along.
    const ring = fromSource.state!.flags.find((flag) => flag.key === 'ring_release')!.environments.production!;
    expect(ring.rollout).toMatchObject({
      onGuardBreach: 'ROLLBACK',
      stages: [{ enableRules: ['beta-ring'] }, { guard: { max: 0.5 } }, {}],
    });
    expect(ring.rules.map((rule) => rule.enabled !== false)).toEqual([true, false]);
    // Environments exist already (import creates missing ones but does not rename them).
    const withoutEnvironmentNames = ({ environments, ...rest }: ReturnType<typeof toFlagsFile>) => ({
      ...rest,
      environments: environments.map((environment) => environment.key),
    });
    expect(withoutEnvironmentNames(toFlagsFile(fromSource.state!))).toEqual(
      withoutEnvironmentNames(toFlagsFile(parseFlagsFile(richFile(), 'rich.yaml').state!)),
    );

    const copy = join(work, 'copy.json');
    expect((await cliAgainst(source)('export', ['--format', 'json', '--output', copy])).code).toBe(0);
    expect((await cliAgainst(target)('import', [copy])).code).toBe(0);
    const again = await cliAgainst(target)('export', ['--format', 'json']);
    expect(JSON.parse(again.stdout)).toEqual(JSON.parse(await readFile(copy, 'utf8')));
    expect((await cliAgainst(target)('import', [copy])).stdout).toMatch(/nothing to change/);
    // Six CLI processes, each a Node start-up and a round of mutations: generous for a loaded machine.
  }, 120_000);

  it('write nothing for a file with a bad rule, naming the file, flag, line and column', async () => {
    const text = richFile().replace('condition: plan == "beta"', 'condition: plan == "beta" and');
    const file = join(work, 'broken.yaml');
    await writeFile(file, text);
    const before = await auditCount(source);
    const result = await cliAgainst(source)('import', [file]);
    expect(result.code).toBe(2);
    const lineOfBadRule = text.split('\n').findIndex((line) => line.includes('plan == "beta" and')) + 1;
    expect(result.stderr).toContain(`${file}:${lineOfBadRule}:`);
    expect(result.stderr).toMatch(/segment 'production\/beta'|segment '\w+\/beta'/);
    expect(result.stderr).toMatch(/nothing was written/);
    expect(await auditCount(source)).toBe(before);
  });

  it('show the changes with --dry-run and write nothing; apply them audited with the import id', async () => {
    const edited = parseFlagsFile(richFile(), 'rich.yaml').state!;
    const file = join(work, 'edited.yaml');
    const document = toFlagsFile(edited);
    document.flags.find((flag) => flag.key === 'theme')!.owner = 'design-team';
    document.flags = document.flags.filter((flag) => flag.key !== 'search_timeout_ms');
    await writeFile(file, serializeFlagsFile(document, 'yaml'));
    const before = await auditCount(source);
    const dry = await cliAgainst(source)('import', [file, '--dry-run', '--prune']);
    expect(dry.code, dry.stderr).toBe(0);
    expect(dry.stdout.trimEnd().split('\n')).toEqual([
      '~ flag theme: owner',
      '- flag search_timeout_ms (archive)',
      '2 change(s); --dry-run: nothing written',
    ]);
    expect(await auditCount(source)).toBe(before);
    const applied = await cliAgainst(source)('import', [file, '--prune', '--comment', 'design owns themes']);
    expect(applied.code, applied.stderr).toBe(0);
    const importId = /applied as import (imp_\w+)/.exec(applied.stdout)?.[1];
    expect(importId).toBeDefined();
    const audit = await source.gql<{ auditLog: { entries: Array<{ key: string; comment: string }> } }, unknown>(
      '{ auditLog(first: 2) { entries { key comment } } }',
    );
    expect(audit.data!.auditLog.entries).toEqual([
      { key: 'search_timeout_ms', comment: `import ${importId}: design owns themes` },
      { key: 'theme', comment: `import ${importId}: design owns themes` },
    ]);
  });

  it('refuse an import that would change a salt or a value type, before writing anything', async () => {
    const document = toFlagsFile(parseFlagsFile(richFile(), 'rich.yaml').state!);
    document.flags.find((flag) => flag.key === 'pricing_test')!.salt = 'reshuffled';
    const file = join(work, 'salt.yaml');
    await writeFile(file, serializeFlagsFile(document, 'yaml'));
    const before = await auditCount(source);
    const result = await cliAgainst(source)('import', [file]);
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(/flag 'pricing_test': salt cannot change/);
    expect(await auditCount(source)).toBe(before);
    expectOneLineFailure(await cliAgainst(source)('export', ['--format', 'toml']), 2, /--format must be yaml or json/);
  });
});
