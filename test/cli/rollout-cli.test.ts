/**
 * `vexil flags rollout show|set|start|pause|resume|advance|rollback` against a real gateway, run as
 * the CLI process: a plan from a YAML file (holds written 1h/4h/1d), its lifecycle, table and JSON
 * output, and the exit codes 1 (the gateway refused, code named) and 2 (usage), one line each.
 */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CreateFlagDocument } from '../../src/client/generated/graphql.js';
import { booleanFlag, PROD } from '../fixtures/gateway/flags.js';
import { cliAgainst, expectOneLineFailure, jsonOutput } from '../support/cli.js';
import { dataOf, ensureBuilt, standardKeys, startTestGateway, type TestGateway } from '../support/gateway.js';

let gateway: TestGateway;
let readOnly: string;
let work: string;

beforeAll(async () => {
  await ensureBuilt();
  gateway = await startTestGateway({ seed: false, config: { rolloutIntervalMs: 0 } });
  ({ readOnly } = await standardKeys(gateway));
  work = await mkdtemp(join(tmpdir(), 'vexil-rollout-cli-'));
  const weights = [
    { variation: 'on', weight: 0 },
    { variation: 'off', weight: 100_000 },
  ];
  const input = booleanFlag('checkout', {
    environments: [
      { environment: PROD, config: { on: true, offVariation: 'off', defaultServe: { rollout: { weights } } } },
    ],
  });
  dataOf(await gateway.gql(CreateFlagDocument, { input }));
}, 240_000);

afterAll(async () => {
  await gateway?.stop();
  if (work) await rm(work, { recursive: true, force: true });
});

const cli = (args: string[], key?: string) => cliAgainst(gateway)('flags', ['rollout', ...args], key);
const planOf = async () =>
  jsonOutput(await cli(['show', 'checkout', '--environment', PROD, '--format', 'json'])).rollout;

const planYaml = `onGuardBreach: ROLLBACK
stages:
  - percentage: 1
    hold: 1h
  - percentage: 5
    hold: 4h
  - percentage: 25
    hold: 1d
    guard:
      query: sum(rate(http_errors_total[5m])) / sum(rate(http_requests_total[5m]))
      max: 0.02
  - percentage: 100
`;

describe('vexil flags rollout', () => {
  it('sets a plan from a file, starts it and shows it as a table and as JSON', async () => {
    const file = join(work, 'plan.yaml');
    await writeFile(file, planYaml);
    const set = await cli(['set', 'checkout', '--environment', PROD, '--file', file, '-m', 'CHG-1']);
    expect(set.code, set.stderr).toBe(0);
    expect(set.stdout).toMatch(/state\s+DRAFT/);
    expect(set.stdout).toMatch(/3\s+on 25%, off 75%\s+1d\s+sum\(rate/);
    const started = await cli(['start', 'checkout', '--environment', PROD]);
    expect(started.stdout).toMatch(/state\s+RUNNING/);
    expect(started.stdout).toMatch(/stage\s+1 of 4/);
    const plan = await planOf();
    expect(plan).toMatchObject({ state: 'RUNNING', currentStage: 0, onGuardBreach: 'ROLLBACK' });
    expect(plan.stages.map((stage: { holdSeconds: number }) => stage.holdSeconds)).toEqual([3600, 14_400, 86_400, 0]);
    const readable = await cli(['show', 'checkout', '--environment', PROD], readOnly);
    expect(readable.code, readable.stderr).toBe(0);
    expect(readable.stdout).toMatch(/next advance\s+\d{4}-/);
  });

  it('pauses, resumes, advances and rolls back to the previous stage and to zero', async () => {
    const state = async (action: string[]) => {
      const result = await cli([...action, 'checkout', '--environment', PROD, '--format', 'json']);
      return jsonOutput(result).rollout as { state: string; currentStage: number | null };
    };
    expect(await state(['pause'])).toMatchObject({ state: 'PAUSED' });
    expect(await state(['resume'])).toMatchObject({ state: 'RUNNING' });
    expect(await state(['advance'])).toMatchObject({ currentStage: 1 });
    expect(await state(['advance'])).toMatchObject({ currentStage: 2 });
    expect(await state(['rollback'])).toMatchObject({ state: 'PAUSED', currentStage: 1 });
    expect(await state(['rollback', '--to', 'zero'])).toMatchObject({ state: 'ROLLED_BACK', currentStage: null });
  });

  it('fails in one line: 1 when the gateway refuses, 2 for usage', async () => {
    expectOneLineFailure(await cli(['pause', 'checkout', '--environment', PROD]), 1, /VALIDATION: .*ROLLED_BACK/);
    expectOneLineFailure(await cli(['start', 'checkout', '--environment', PROD], readOnly), 1, /FORBIDDEN/);
    expectOneLineFailure(
      await cli(['rollback', 'checkout', '--environment', PROD, '--to', 'sideways']),
      2,
      /--to must be/,
    );
    expectOneLineFailure(await cli(['launch', 'checkout', '--environment', PROD]), 2, /rollout needs show, set/);
    expectOneLineFailure(await cli(['start', 'checkout']), 2, /--environment is required/);
    const bad = join(work, 'bad.yaml');
    await writeFile(bad, 'stages:\n  - percentage: 5\n    hold: soon\n');
    expectOneLineFailure(
      await cli(['set', 'checkout', '--environment', PROD, '--file', bad]),
      2,
      /hold must look like/,
    );
    expectOneLineFailure(await cli(['show', 'missing', '--environment', PROD]), 1, /NOT_FOUND/);
  });
});
