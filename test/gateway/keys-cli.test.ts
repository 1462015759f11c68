/**
 * `vexil keys create` beside a running gateway (spawned `node dist/cli/main.js`): through the gateway
 * with --url / VEXIL_URL and an admin key, and the one-line errors (no stack trace, no second store)
 * when it is pointed at the running gateway's data directory or at none.
 */
import { existsSync } from 'node:fs';
import { rm } from 'node:fs/promises';
import { type AddressInfo, createServer } from 'node:net';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { EvaluateDocument } from '../../src/client/generated/graphql.js';
import { PROD } from '../fixtures/gateway/flags.js';
import {
  cliEnv,
  cliMain,
  dataOf,
  ensureBuilt,
  gqlAt,
  newAdminSecret,
  run,
  type RunResult,
  type ServeProcess,
  spawnServe,
  tempDir,
  vexil,
} from '../support/gateway.js';

const adminKey = newAdminSecret();
let dataDir: string;
let cwd: string;
let server: ServeProcess;

beforeAll(async () => {
  await ensureBuilt();
  dataDir = await tempDir();
  cwd = await tempDir('vexil-cwd-');
  server = await spawnServe({ dataDir, env: { VEXIL_BOOTSTRAP_ADMIN_KEY: adminKey } });
}, 240_000);

afterAll(async () => {
  await server?.stop('SIGKILL');
  for (const directory of [dataDir, cwd]) if (directory) await rm(directory, { recursive: true, force: true });
});

/** One line on stderr, no stack trace, nothing on stdout. */
function expectOneLineError(result: RunResult, code: number, pattern: RegExp): void {
  expect(result.code, result.stderr).toBe(code);
  expect(result.stdout).toBe('');
  expect(result.stderr.trimEnd().split('\n')).toHaveLength(1);
  expect(result.stderr).not.toMatch(/^\s+at /m);
  expect(result.stderr).toMatch(pattern);
}

const create = ['keys', 'create', '--kind', 'evaluation', '--environment', PROD, '--name', 'beside'];

describe('vexil keys create --url against the running gateway', () => {
  it('creates the key through createApiKey and the running gateway accepts it at once', async () => {
    const result = await vexil([...create, '--url', server.url, '--key', adminKey]);
    expect(result.code, result.stderr).toBe(0);
    const created = JSON.parse(result.stdout) as { secret: string };
    expect(created).toMatchObject({
      id: expect.any(String),
      name: 'beside',
      kind: 'evaluation',
      environment: PROD,
      secret: expect.stringMatching(/^vxl_eval_/),
    });
    const evaluation = dataOf(
      await gqlAt(
        server.endpoint,
        EvaluateDocument,
        { key: 'new_checkout', context: { targetingKey: 'u' } },
        created.secret,
      ),
    );
    expect(evaluation.evaluate.key).toBe('new_checkout');
  });

  it('reads VEXIL_URL and VEXIL_API_KEY, and prints a table with --format table', async () => {
    const result = await vexil(['keys', 'create', '--kind', 'read-only', '--name', 'from-env', '--format', 'table'], {
      VEXIL_URL: server.endpoint,
      VEXIL_API_KEY: adminKey,
    });
    expect(result.code, result.stderr).toBe(0);
    expect(result.stdout).toMatch(/^name\s+from-env$/m);
    expect(result.stdout).toMatch(/^secret\s+vxl_ro_/m);
  });

  it('exits 1 naming the code when the gateway refuses (a read-only key may not create keys)', async () => {
    const readOnly = JSON.parse(
      (await vexil(['keys', 'create', '--kind', 'read-only', '--name', 'ro', '--url', server.url, '--key', adminKey]))
        .stdout,
    ).secret as string;
    expectOneLineError(await vexil([...create, '--url', server.url, '--key', readOnly]), 1, /FORBIDDEN/);
    expectOneLineError(
      await vexil([
        'keys',
        'create',
        '--kind',
        'evaluation',
        '--environment',
        'moon',
        '--name',
        'x',
        '--url',
        server.url,
        '--key',
        adminKey,
      ]),
      1,
      /VALIDATION/,
    );
  });

  it('exits 2 with one line when nothing listens at --url', async () => {
    const closedPort = await new Promise<number>((resolve) => {
      const probe = createServer().listen(0, '127.0.0.1', () => {
        const { port } = probe.address() as AddressInfo;
        probe.close(() => resolve(port));
      });
    });
    expectOneLineError(
      await vexil([...create, '--url', `http://127.0.0.1:${closedPort}`, '--key', adminKey]),
      2,
      /cannot reach the gateway.*ECONNREFUSED/,
    );
  });

  it('exits 2 when --url comes without a key, or --key without a gateway to send it to', async () => {
    expectOneLineError(await vexil([...create, '--url', server.url]), 2, /--key|VEXIL_API_KEY/);
    expectOneLineError(
      await vexil([...create, '--key', adminKey], { VEXIL_DATA_DIR: dataDir }),
      2,
      /--key is used only with --url/,
    );
  });

  it('exits 2 for an unknown --format', async () => {
    expectOneLineError(
      await vexil([...create, '--url', server.url, '--key', adminKey, '--format', 'yaml']),
      2,
      /--format must be json or table/,
    );
  });
});

describe('vexil keys create without --url', () => {
  it("refuses the running gateway's data directory in one line that suggests --url", async () => {
    expectOneLineError(await vexil(create, { VEXIL_DATA_DIR: dataDir }), 2, /running gateway.*--url/);
  });

  it('refuses a data directory that does not exist, and does not create one', async () => {
    const result = await run(process.execPath, [cliMain, ...create], cliEnv(), cwd);
    expectOneLineError(result, 2, /no store in .*--url/);
    expect(existsSync(join(cwd, '.vexil'))).toBe(false);
  });
});
