/**
 * Unleash Edge (a Rust flag server) as a row of bench/gateway.ts, when a binary is given:
 * `VEXIL_BENCH_EDGE=/path/to/unleash-edge` (build one with `cargo install unleash-edge --locked`).
 * It runs in offline mode from a bootstrap file holding the same 20 flags as the Vexil gateway
 * (createFlags in gateway-servers.ts: the 5 conditions in turn, every 6th flag without a rule, every
 * 4th with a 20% default rollout), with one worker on the servers' CPU, and is asked over its frontend
 * API (`POST /api/frontend`, every enabled flag for one context): what `evaluateAll` is to Vexil.
 *
 * The rules, in Unleash's terms: constraints on context fields (IN, NUM_GT, STR_ENDS_WITH, SEMVER_GT;
 * `>= 2.3.0` is written `> 2.2.999`, Unleash having no SEMVER_GTE) and flexibleRollout for bucketing.
 */
import type { ChildProcess } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { context, spawnServer } from './gateway-servers.js';

/** The offline token Edge accepts on its frontend API: project `*`, environment `production`. */
export const edgeToken = '*:production.vexil-bench-frontend-token';

/**
 * Edge 20 refuses to start offline without at least one client token, even when frontend tokens are
 * given ("No tokens provided"); this one is never used, it only satisfies that check.
 */
const edgeClientToken = '*:production.vexil-bench-client-token';

const constraint = (contextName: string, operator: string, values: string[]) =>
  values.length === 1 && operator !== 'IN'
    ? { contextName, operator, value: values[0], values: [], caseInsensitive: false, inverted: false }
    : { contextName, operator, values, caseInsensitive: false, inverted: false };

/** Constraints of condition `i % 5`, as in gateway-servers.ts's `conditions`. */
const conditionConstraints = [
  [constraint('plan', 'IN', ['premium'])],
  [constraint('country', 'IN', ['US', 'CA', 'GB']), constraint('accountAgeDays', 'NUM_GT', ['30'])],
  [constraint('email', 'STR_ENDS_WITH', ['@company.com'])],
  [constraint('appVersion', 'SEMVER_GT', ['2.2.999'])],
];

function rollout(name: string, percent: number, stickiness: string, constraints: unknown[] = []) {
  return {
    name: 'flexibleRollout',
    constraints,
    parameters: { rollout: String(percent), stickiness, groupId: name },
  };
}

function feature(i: number) {
  const name = `bench-${String(i).padStart(3, '0')}`;
  const strategies: unknown[] = [];
  if (i % 6 !== 5) {
    const kind = i % 5;
    strategies.push(
      kind === 4
        ? rollout(name, 25, 'userId')
        : { name: 'default', constraints: conditionConstraints[kind], parameters: {} },
    );
  }
  if (i % 4 === 0) strategies.push(rollout(name, 20, 'default'));
  return { name, type: 'release', enabled: true, stale: false, impressionData: false, project: 'default', strategies };
}

/** Starts Edge offline on `port` with `count` flags; resolves once it answers its frontend API. */
export async function startEdge(binary: string, port: number, count: number): Promise<ChildProcess> {
  const dir = mkdtempSync(join(tmpdir(), 'vexil-bench-edge-'));
  const bootstrap = join(dir, 'features.json');
  writeFileSync(
    bootstrap,
    JSON.stringify({ version: 2, features: Array.from({ length: count }, (_, i) => feature(i)) }),
  );
  const child = spawnServer(
    [
      '--port',
      String(port),
      '--interface',
      '127.0.0.1',
      '--workers',
      '1',
      'offline',
      '--bootstrap-file',
      bootstrap,
      '--frontend-tokens',
      edgeToken,
      '--client-tokens',
      edgeClientToken,
    ],
    { stdio: ['ignore', 'ignore', 'pipe'], env: { ...process.env, RUST_LOG: 'warn' } },
    binary,
  );
  let stderr = '';
  child.stderr?.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  for (let attempt = 0; attempt < 300; attempt++) {
    if (child.exitCode !== null) throw new Error(`unleash-edge exited (${child.exitCode}): ${stderr.slice(-2000)}`);
    try {
      const response = await fetch(`http://127.0.0.1:${port}/api/frontend`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', authorization: edgeToken },
        body: edgeBody(),
      });
      if (response.ok) return child;
    } catch {
      // not listening yet
    }
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  child.kill('SIGTERM');
  throw new Error(`unleash-edge did not answer on port ${port}: ${stderr.slice(-2000)}`);
}

/** The benchmark context as Unleash's frontend API takes it: userId at the top, the rest as properties. */
export function edgeBody(): string {
  const { userId, targetingKey, ...properties } = context;
  return JSON.stringify({ context: { userId, sessionId: targetingKey, properties } });
}
