/**
 * The `vexil` CLI as operators run it (spawned `node dist/cli/main.js`): `serve` printing the first
 * admin key once, VEXIL_BOOTSTRAP_ADMIN_KEY, JSON logs that never contain a secret, --dev, `keys create`,
 * `schema --check`.
 */
import { rm } from 'node:fs/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  CreateApiKeyDocument,
  EnvironmentsDocument,
  EvaluateDocument,
  FlagsDocument,
} from '../../src/client/generated/graphql.js';
import { printGatewaySchema } from '../../src/graphql/schema-builder.js';
import { PROD, STAGING } from '../fixtures/gateway/flags.js';
import {
  createEvaluationKeyAt,
  codeOf,
  dataOf,
  ensureBuilt,
  gqlAt,
  jsonLines,
  newAdminSecret,
  type RunResult,
  type ServeProcess,
  spawnServe,
  tempDir,
  vexil,
} from '../support/gateway.js';

const printedKeys = (output: string) => [...output.matchAll(/vxl_admin_[A-Za-z0-9_-]{20,}/g)].map((match) => match[0]);

beforeAll(async () => {
  await ensureBuilt();
}, 240_000);

describe('vexil serve on an empty store without a bootstrap key, then vexil keys create, then serve again', () => {
  let dataDir: string;
  let first: ServeProcess;
  let firstStdout: string;
  let firstExit: { code: number | null; signal: NodeJS.Signals | null };
  let printedAdmin: string;
  let adminWorked: boolean;
  let created: { evaluation: RunResult; admin: RunResult; readOnly: RunResult };
  let second: ServeProcess;

  beforeAll(async () => {
    dataDir = await tempDir();
    first = await spawnServe({ dataDir });
    printedAdmin = printedKeys(first.stdout())[0] ?? '';
    adminWorked = !(await gqlAt(first.endpoint, EnvironmentsDocument, undefined, printedAdmin)).errors;
    firstExit = await first.stop();
    firstStdout = first.stdout();
    const env = { VEXIL_DATA_DIR: dataDir };
    created = {
      evaluation: await vexil(
        ['keys', 'create', '--kind', 'evaluation', '--environment', PROD, '--name', 'cli-eval'],
        env,
      ),
      admin: await vexil(['keys', 'create', '--kind', 'admin', '--name', 'cli-admin'], env),
      readOnly: await vexil(['keys', 'create', '--kind', 'read-only', '--name', 'cli-ro'], env),
    };
    second = await spawnServe({ dataDir, args: ['--dev'] });
  }, 90_000);

  afterAll(async () => {
    await first?.stop('SIGKILL');
    await second?.stop('SIGKILL');
    if (dataDir) await rm(dataDir, { recursive: true, force: true });
  });

  it('prints a generated admin key on the first start', () => {
    expect(printedAdmin).toMatch(/^vxl_admin_/);
  });

  it('prints it exactly once, outside the JSON log lines', () => {
    expect(printedKeys(firstStdout)).toEqual([printedAdmin]);
    const logLines = firstStdout.split('\n').filter((line) => line.startsWith('{'));
    expect(logLines.some((line) => line.includes(printedAdmin))).toBe(false);
  });

  it('makes the printed key an admin key', () => {
    expect(adminWorked).toBe(true);
  });

  it('writes JSON log lines with level, time and message', () => {
    const records = jsonLines(firstStdout);
    expect(records.length).toBeGreaterThan(0);
    for (const record of records)
      expect(record).toMatchObject({ level: expect.any(Number), time: expect.any(Number), msg: expect.any(String) });
    expect(records.find((record) => record.msg === 'vexil is listening')).toMatchObject({
      url: first.url,
      store: 'embedded',
      feedMode: 'in-process',
    });
  });

  it('exits 0 on SIGTERM', () => {
    expect(firstExit).toEqual({ code: 0, signal: null });
  });

  it('vexil keys create prints each new secret once, as JSON, with its kind’s prefix', () => {
    for (const run of Object.values(created)) expect(run.code, run.stderr).toBe(0);
    expect(JSON.parse(created.evaluation.stdout)).toMatchObject({
      id: expect.any(String),
      name: 'cli-eval',
      kind: 'evaluation',
      environment: PROD,
      secret: expect.stringMatching(/^vxl_eval_/),
    });
    expect(JSON.parse(created.admin.stdout)).toMatchObject({
      name: 'cli-admin',
      kind: 'admin',
      environment: null,
      secret: expect.stringMatching(/^vxl_admin_/),
    });
    expect(JSON.parse(created.readOnly.stdout)).toMatchObject({
      name: 'cli-ro',
      kind: 'read-only',
      environment: null,
      secret: expect.stringMatching(/^vxl_ro_/),
    });
  });

  it('does not print an admin key again on a later start', () => {
    expect(printedKeys(second.stdout())).toEqual([]);
  });

  it('keeps the printed admin key working across the restart', async () => {
    expect(
      dataOf(await gqlAt(second.endpoint, EnvironmentsDocument, undefined, printedAdmin)).environments.length,
    ).toBe(3);
  });

  it('serves keys created by vexil keys create with their scope', async () => {
    const evaluation = JSON.parse(created.evaluation.stdout).secret as string;
    const readOnly = JSON.parse(created.readOnly.stdout).secret as string;
    const admin = JSON.parse(created.admin.stdout).secret as string;
    expect(
      dataOf(
        await gqlAt(
          second.endpoint,
          EvaluateDocument,
          { key: 'new_checkout', context: { targetingKey: 'u', email: 'a@company.com' } },
          evaluation,
        ),
      ).evaluate.value,
    ).toBe(true);
    expect(
      codeOf(
        await gqlAt(
          second.endpoint,
          EvaluateDocument,
          { key: 'new_checkout', context: { targetingKey: 'u' }, environment: STAGING },
          evaluation,
        ),
      ),
    ).toBe('FORBIDDEN');
    expect(dataOf(await gqlAt(second.endpoint, FlagsDocument, {}, readOnly)).flags.totalCount).toBe(1);
    expect(codeOf(await gqlAt(second.endpoint, CreateApiKeyDocument, { name: 'x', kind: 'ADMIN' }, readOnly))).toBe(
      'FORBIDDEN',
    );
    expect(
      dataOf(await gqlAt(second.endpoint, CreateApiKeyDocument, { name: 'x', kind: 'ADMIN' }, admin)).createApiKey
        .secret,
    ).toMatch(/^vxl_admin_/);
  });

  it('serves GraphiQL with --dev', async () => {
    const response = await fetch(second.endpoint, { headers: { accept: 'text/html' } });
    expect(response.status).toBe(200);
    expect(await response.text()).toMatch(/graphiql/i);
  });
});

describe('vexil serve with VEXIL_BOOTSTRAP_ADMIN_KEY at debug log level', () => {
  const bootstrap = newAdminSecret();
  let dataDir: string;
  let server: ServeProcess;
  let createdSecret: string;
  let output: string;

  beforeAll(async () => {
    dataDir = await tempDir();
    server = await spawnServe({ dataDir, env: { VEXIL_BOOTSTRAP_ADMIN_KEY: bootstrap, LOG_LEVEL: 'debug' } });
    createdSecret = await createEvaluationKeyAt(server.endpoint, bootstrap, 'logged?', PROD);
    await gqlAt(
      server.endpoint,
      EvaluateDocument,
      { key: 'new_checkout', context: { targetingKey: 'u' } },
      createdSecret,
    );
    await gqlAt(server.endpoint, EnvironmentsDocument, undefined, 'vxl_admin_wrong-secret-in-a-header');
    await gqlAt(server.endpoint, '{ syntax error', undefined, bootstrap);
    await server.stop();
    output = server.stdout() + server.stderr();
  }, 60_000);

  afterAll(async () => {
    await server?.stop('SIGKILL');
    if (dataDir) await rm(dataDir, { recursive: true, force: true });
  });

  it('makes the bootstrap secret the first admin key and prints no generated key', () => {
    expect(createdSecret).toMatch(/^vxl_eval_/);
    expect(printedKeys(output)).toEqual([]);
  });

  it('logs that it created the bootstrap key, by id only', () => {
    expect(jsonLines(server.stdout()).find((line) => String(line.msg).includes('bootstrap admin key'))).toMatchObject({
      keyId: expect.any(String),
    });
  });

  it('never logs a secret, even at debug level', () => {
    expect(output).not.toContain(bootstrap);
    expect(output).not.toContain(createdSecret);
    expect(output).not.toContain('vxl_admin_wrong-secret-in-a-header');
  });
});

describe('vexil keys create', () => {
  let dataDir: string;

  beforeAll(async () => {
    dataDir = await tempDir();
  });
  afterAll(async () => {
    await rm(dataDir, { recursive: true, force: true });
  });

  it('refuses an evaluation key without --environment (exit 2)', async () => {
    const run = await vexil(['keys', 'create', '--kind', 'evaluation', '--name', 'x'], { VEXIL_DATA_DIR: dataDir });
    expect(run.code).toBe(2);
    expect(run.stdout).toBe('');
  });

  it('refuses an unknown kind and a missing name (exit 2)', async () => {
    expect((await vexil(['keys', 'create', '--kind', 'root', '--name', 'x'], { VEXIL_DATA_DIR: dataDir })).code).toBe(
      2,
    );
    expect((await vexil(['keys', 'create', '--kind', 'admin'], { VEXIL_DATA_DIR: dataDir })).code).toBe(2);
  });

  it('refuses an environment that does not exist, as a JSON error on stderr (exit 2)', async () => {
    const run = await vexil(['keys', 'create', '--kind', 'evaluation', '--environment', 'moon', '--name', 'x'], {
      VEXIL_DATA_DIR: dataDir,
    });
    expect(run.code).toBe(2);
    expect(JSON.parse(run.stderr)).toMatchObject({ error: { code: 'VALIDATION' } });
    expect(run.stdout).toBe('');
  });
});

describe('vexil schema', () => {
  it('--check exits 0 when schema.graphql is current', async () => {
    const result = await vexil(['schema', '--check']);
    expect(result.code, result.stderr).toBe(0);
  });

  it('prints the same SDL as printGatewaySchema()', async () => {
    const result = await vexil(['schema']);
    expect(result.stdout).toBe(printGatewaySchema());
  });
});
