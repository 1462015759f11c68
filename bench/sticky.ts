/**
 * Sticky assignments: `evaluate` of a 50/50 experiment whose every context has a recorded assignment
 * (a warm map) next to the same flag without stickiness, in one run. Target: ≤ 1.5×.
 *
 *   npx tsc -p tsconfig.json && npx tsx bench/sticky.ts      (or `npm run bench -- sticky`)
 *
 * Method: the built package (dist/), loops made with `new Function` (bench/lib/timing.ts), 10,000
 * contexts with distinct targeting keys, each evaluated once before timing so the sticky table holds
 * all of them; ≥ 9 interleaved runs, medians, and the ratio as the median of per-run ratios.
 */
import type * as Vexil from '../src/index.js';
import { formatDuration, formatRatio, renderTable, summarize } from './lib/stats.js';
import { loadBuiltPackage } from './lib/built-package.js';
import { compareRuns, keep, sinkTotal, uniqueLoop } from './lib/timing.js';

const vexil = await loadBuiltPackage<typeof Vexil>('sticky', ['dsl', 'flags']);
const ENV = 'production';
const NOW = '2025-01-01T00:00:00.000Z';

function experiment(sticky: boolean): Vexil.Flag {
  const config: Vexil.FlagEnvironmentConfig = {
    on: true,
    offVariation: 'control',
    rules: [],
    defaultServe: {
      rollout: {
        weights: [
          { variation: 'control', weight: 50_000 },
          { variation: 'treatment', weight: 50_000 },
        ],
      },
    },
    ...(sticky ? { sticky: true } : {}),
  };
  return {
    key: 'checkout_funnel',
    name: 'checkout funnel',
    description: '',
    kind: 'experiment',
    valueType: 'string',
    variations: [
      { key: 'control', value: 'one-page' },
      { key: 'treatment', value: 'three-step' },
    ],
    tags: [],
    owner: 'bench',
    createdAt: NOW,
    updatedAt: NOW,
    expiresAt: '2099-01-01T00:00:00.000Z',
    archived: false,
    version: 1,
    salt: 'checkout_funnel',
    environments: { [ENV]: config },
  };
}

function engineOf(sticky: boolean): Vexil.FlagEngine {
  const engine = new vexil.FlagEngine();
  engine.load({ environments: [{ key: ENV, name: ENV, createdAt: NOW }], flags: [experiment(sticky)], segments: [] });
  return engine;
}

const contexts = Array.from({ length: 10_000 }, (_, i) =>
  JSON.parse(JSON.stringify({ targetingKey: `acct-${100_000 + i * 7}`, plan: i % 4 === 0 ? 'pro' : 'free' })),
);
const plain = engineOf(false);
const sticky = engineOf(true);
const options = { environment: ENV };
for (const context of contexts) sticky.evaluate('checkout_funnel', context, options); // warm the map
if (sticky.sticky.count(ENV, 'checkout_funnel') !== contexts.length) throw new Error('the sticky map is not warm');
for (const context of contexts)
  if (sticky.evaluate('checkout_funnel', context, options).sticky !== true) throw new Error('not served sticky');
sticky.sticky.drain();

function loop(label: string) {
  return uniqueLoop(
    `sticky bench loop: ${label}`,
    ['engine', 'options', 'contexts', 'rounds'],
    `let count = 0;
    const n = contexts.length;
    for (let r = 0; r < rounds; r++) {
      for (let i = 0; i < n; i++) {
        const result = engine.evaluate("checkout_funnel", contexts[i], options);
        if (result.variation === "treatment") count++;
      }
    }
    return count;`,
  );
}

const plainLoop = loop('not sticky');
const stickyLoop = loop('sticky, warm map');
const runs = compareRuns(
  [(rounds) => plainLoop(plain, options, contexts, rounds), (rounds) => stickyLoop(sticky, options, contexts, rounds)],
  contexts.length,
  { runs: 9, runNs: 200_000_000 },
);
keep(runs.wall.length);
const [plainNs, stickyNs] = runs.wall.map((samples) => summarize(samples).median);
const ratio = summarize(runs.wall[1]!.map((ns, run) => ns / runs.wall[0]![run]!)).median;
console.log('Sticky assignments: evaluate of a 50/50 experiment, 10,000 keys (medians of 9 runs)\n');
console.log(
  renderTable(
    ['flag', 'per evaluate', 'vs not sticky'],
    [
      ['not sticky', formatDuration(plainNs!), formatRatio(1)],
      ['sticky, every key recorded', formatDuration(stickyNs!), formatRatio(ratio)],
    ],
  ),
);
console.log(`\ntarget ≤ 1.50×: ${ratio <= 1.5 ? 'met' : 'NOT met'} (sink ${sinkTotal()})`);
