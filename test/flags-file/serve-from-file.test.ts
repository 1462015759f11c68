/**
 * `vexil serve --flags flags.yaml` (in-process): the gateway serves the file's flag set, read-only;
 * an edit of the file (also a rename over it, as editors save) reaches live subscriptions without
 * reconnecting, a bad edit keeps the last good set served, and every write is FORBIDDEN.
 */
import { mkdir, readFile, rename, symlink, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  codeOf,
  dataOf,
  ensureBuilt,
  errorOf,
  startTestGateway,
  type TestGateway,
  tempDir,
  vexil,
} from '../support/gateway.js';
import { eventually, LiveClients, valuesOf } from '../support/live-clients.js';

function flagsYaml(production: 'on' | 'off', extra = ''): string {
  return [
    'version: 1',
    'environments:',
    '  - { key: production, name: Production }',
    'segments: []',
    'flags:',
    '  - key: new_checkout',
    '    name: New checkout',
    '    description: ""',
    '    kind: ops',
    '    valueType: boolean',
    '    owner: team-checkout',
    '    tags: []',
    '    expiresAt: null',
    '    variations:',
    '      - { key: "on", value: true }',
    '      - { key: "off", value: false }',
    '    environments:',
    '      production:',
    '        on: true',
    '        offVariation: "off"',
    `        defaultServe: { variation: "${production}" }`,
    '        rules:',
    '          - id: beta',
    `            condition: 'plan == "beta"${extra}'`,
    '            serve: { variation: "on" }',
    '',
  ].join('\n');
}

const EVALUATE = 'query($context: JSON!) { evaluate(key: "new_checkout", context: $context) { value variation } }';

let gw: TestGateway;
let file: string;
let evalKey: string;
const logged: string[] = [];
const clients = new LiveClients(() => gw.endpoint);

const evaluate = async (context: object = { targetingKey: 'u1' }) =>
  dataOf(await gw.gql<{ evaluate: { value: unknown } }, unknown>(EVALUATE, { context }, evalKey)).evaluate.value;

beforeAll(async () => {
  const dir = await tempDir('vexil-flags-file-');
  file = join(dir, 'flags.yaml');
  await writeFile(file, flagsYaml('off'));
  gw = await startTestGateway({ seed: false, config: { flagsFile: file } });
  // The gateway's logger is silent under test: listen to what the file backend reports.
  const logger = gw.gateway.logger;
  const error = logger.error.bind(logger);
  logger.error = ((fields: unknown, message?: string) => {
    logged.push(String(message ?? fields));
    return error(fields as object, message as string);
  }) as typeof logger.error;
  evalKey = (await gw.createKey('EVALUATION', 'production', 'app')).secret;
});

afterAll(async () => {
  await clients.closeAll();
  await gw?.stop();
});

describe('serving flags from a file', () => {
  it('serves the flag set of the file', async () => {
    expect(await evaluate()).toBe(false);
    expect(await evaluate({ targetingKey: 'u1', plan: 'beta' })).toBe(true);
  });

  it('pushes an edit of the file to a live subscription, and evaluations answer the new value', async () => {
    const sub = await clients.evaluations('ws', evalKey, { context: { targetingKey: 'u1' }, keys: ['new_checkout'] });
    expect(valuesOf((await sub.nextData()).evaluationsChanged)).toEqual({ new_checkout: false });
    const changes = await clients.flagChanges('sse', gw.adminKey, { keys: ['new_checkout'] });
    await eventually(() => gw.gateway.live.flagChanges.size === 1, 'the flagChanged subscription to be registered');
    // As editors save: write a new file, rename it over the old one.
    await writeFile(`${file}.tmp`, flagsYaml('on'));
    await rename(`${file}.tmp`, file);
    const update = (await sub.nextData(15_000)).evaluationsChanged;
    expect(update.changedKeys).toEqual(['new_checkout']);
    expect(valuesOf(update)).toEqual({ new_checkout: true });
    expect(await evaluate()).toBe(true);
    expect((await changes.nextData(15_000)).flagChanged).toMatchObject({
      key: 'new_checkout',
      kind: 'update',
      version: 2,
    });
    const flag = dataOf(
      await gw.gql<{ flag: { version: number } }, unknown>('{ flag(key: "new_checkout") { version } }'),
    );
    expect(flag.flag.version).toBe(2);
  });

  it('keeps the last good flag set when the file turns bad, names file:line:col, and recovers', async () => {
    await writeFile(file, flagsYaml('off', ' and'));
    await eventually(() => logged.length > 0, 'the bad file to be reported', 15_000);
    expect(logged[0]).toMatch(
      /flags\.yaml:24:\d+: flag 'new_checkout': flags\[0\]\.environments\.production\.rules\[0\]\.condition/,
    );
    expect(await evaluate()).toBe(true);
    const ready = (await (await fetch(`${gw.url}/readyz`)).json()) as { ready: boolean; detail: string };
    expect(ready.ready).toBe(true);
    expect(ready.detail).toMatch(/refused: .*flags\.yaml:24:/);
    const metrics = await (await fetch(`${gw.url}/metrics`)).text();
    expect(metrics).toMatch(/^vexil_flags_file_rejected_versions_total 1$/m);
    await writeFile(file, flagsYaml('off'));
    await eventually(async () => (await evaluate()) === false, 'the fixed file to be served', 15_000);
  });

  it('refuses every write with FORBIDDEN, naming the file', async () => {
    const writes = [
      'mutation { toggleFlag(key: "new_checkout", environment: "production", on: false) { key } }',
      'mutation { archiveFlag(key: "new_checkout") { key } }',
      'mutation { createEnvironment(key: "qa", name: "QA") { key } }',
    ];
    for (const write of writes) {
      const result = await gw.gql(write);
      expect(codeOf(result)).toBe('FORBIDDEN');
      expect(errorOf(result).message).toBe(
        `this gateway serves flags from ${file} (file-backed, read-only): change the file instead`,
      );
    }
    expect(await readFile(file, 'utf8')).toBe(flagsYaml('off'));
  });
});

describe('vexil serve --flags with a bad file', () => {
  it('does not start, and names file:line:col in one line on stderr (exit 1)', async () => {
    await ensureBuilt();
    const dir = await tempDir('vexil-flags-file-bad-');
    const bad = join(dir, 'flags.yaml');
    await writeFile(bad, flagsYaml('off', ' and'));
    const result = await vexil(['serve', '--flags', bad, '--port', '0'], { VEXIL_DATA_DIR: dir, LOG_LEVEL: 'silent' });
    expect(result.code).toBe(1);
    expect(result.stderr.trim().split('\n')).toEqual([
      expect.stringMatching(/^vexil: .*flags\.yaml:24:\d+: flag 'new_checkout': .*condition: /),
    ]);
  }, 120_000);
});

describe('serving a flags file from a Kubernetes ConfigMap volume', () => {
  it('sees an update made by swapping the ..data symlink', async () => {
    // The layout kubelet writes: flags.yaml → ..data/flags.yaml, ..data → a timestamped directory;
    // an update writes a new directory and renames a new ..data symlink over the old one.
    const volume = await tempDir('vexil-configmap-');
    await mkdir(join(volume, '..v1'));
    await writeFile(join(volume, '..v1', 'flags.yaml'), flagsYaml('off'));
    await symlink('..v1', join(volume, '..data'));
    await symlink(join('..data', 'flags.yaml'), join(volume, 'flags.yaml'));
    const mounted = await startTestGateway({ seed: false, config: { flagsFile: join(volume, 'flags.yaml') } });
    try {
      const key = (await mounted.createKey('EVALUATION', 'production', 'app')).secret;
      const value = async () =>
        dataOf(
          await mounted.gql<{ evaluate: { value: unknown } }, unknown>(
            EVALUATE,
            { context: { targetingKey: 'u' } },
            key,
          ),
        ).evaluate.value;
      expect(await value()).toBe(false);
      await mkdir(join(volume, '..v2'));
      await writeFile(join(volume, '..v2', 'flags.yaml'), flagsYaml('on'));
      await symlink('..v2', join(volume, '..data_tmp'));
      await rename(join(volume, '..data_tmp'), join(volume, '..data'));
      await eventually(async () => (await value()) === true, 'the new ConfigMap version to be served', 15_000);
    } finally {
      await mounted.stop();
    }
  });
});
