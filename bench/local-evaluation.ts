/**
 * Local evaluation benchmark: one flag whose rule is bench/lib/rule-cases.ts's `compound` case,
 * evaluated per flag (1) by the hand-written JavaScript of the same rule, (2) by the engine directly
 * (`FlagEngine.evaluate`, loaded from the flag-set document a SERVER key downloads), (3) by Vexil's
 * server provider in local mode called directly (`provider.resolveBooleanEvaluation`, awaited), and
 * (4) through the OpenFeature server SDK (`client.getBooleanValue`, awaited), beside (5) the SDK's own
 * InMemoryProvider through the same client API, which shows what the SDK itself costs per call. All in
 * one run; median ns per evaluation over the runs, and the ratio to (1).
 *
 *   npx tsc -p tsconfig.json && npx tsx bench/local-evaluation.ts      (or `npm run bench -- local`)
 *
 * The provider loads its flag set from a stub HTTP server on 127.0.0.1 (GET /sdk/v1/flag-set, and a
 * `flagChanged` SSE stream that stays silent), so nothing but evaluation is timed. Rows (1) and (2) use
 * the shared machinery of bench/lib/timing.ts (unique loops made with `new Function`); row (3) is
 * async by the SDK's API, so its loop is an awaited `for` (the SDK's hooks, context merge and promise
 * are part of what an application pays per call, and of the figure).
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { fileURLToPath } from 'node:url';
import { type EvaluationContext, InMemoryProvider, OpenFeature } from '@openfeature/server-sdk';
import type * as FlagSet from '../src/flags/flag-set.js';
import type * as Vexil from '../src/index.js';
import type * as Providers from '../src/providers/server/index.js';
import { loadBuiltPackage } from './lib/built-package.js';
import { cases, contexts } from './lib/rule-cases.js';
import { formatDuration, formatRatio, renderTable, summarize } from './lib/stats.js';
import { compareRuns, keep, sinkTotal, uniqueLoop } from './lib/timing.js';

const vexil = await loadBuiltPackage<typeof Vexil>('local-evaluation', ['dsl', 'flags', 'providers']);
const dist = (path: string) => fileURLToPath(new URL(`../dist/${path}`, import.meta.url));
const { engineStateOf } = (await import(dist('flags/flag-set.js'))) as typeof FlagSet;
const { VexilServerProvider } = (await import(dist('providers/server/index.js'))) as typeof Providers;

const ENV = 'production';
const rule = cases.find((testCase) => testCase.name === 'compound')!;
const document: FlagSet.FlagSetDocument = {
  environment: ENV,
  flags: [
    {
      key: 'bench-flag',
      kind: 'release',
      valueType: 'boolean',
      variations: [
        { key: 'on', value: true },
        { key: 'off', value: false },
      ],
      salt: 'bench-flag',
      version: 1,
      archived: false,
      config: {
        on: true,
        offVariation: 'off',
        rules: [{ id: 'compound', condition: rule.source, serve: { variation: 'on' } }],
        defaultServe: { variation: 'off' },
      },
    },
  ],
  segments: [],
};

/** GET /sdk/v1/flag-set answers the document; POST /graphql holds an SSE stream open and says nothing. */
async function stubGateway(): Promise<{ url: string; close(): void }> {
  const server = http.createServer((req, res) => {
    if (req.url === '/sdk/v1/flag-set') {
      res.writeHead(200, { 'content-type': 'application/json', etag: '"1"' });
      return res.end(JSON.stringify(document));
    }
    res.writeHead(200, { 'content-type': 'text/event-stream' });
    res.write(':\n\n');
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    close: () => {
      server.closeAllConnections();
      server.close();
    },
  };
}

const engine = new vexil.FlagEngine();
engine.load(engineStateOf(document));
const hand = new Function(`// hand-written: ${rule.name}\n${rule.hand}`)() as (context: unknown) => boolean;
const options = { environment: ENV };
for (const context of contexts)
  if ((engine.evaluate('bench-flag', context, options).value === true) !== hand(context)) {
    console.error('bench/local-evaluation: the engine and the hand-written rule disagree');
    process.exit(1);
  }

const handLoop = uniqueLoop(
  'hand',
  ['hand', 'contexts', 'rounds'],
  `let count = 0;
  for (let r = 0; r < rounds; r++) for (let i = 0; i < contexts.length; i++) if (hand(contexts[i]) === true) count++;
  return count;`,
);
const engineLoop = uniqueLoop(
  'engine',
  ['engine', 'options', 'contexts', 'rounds'],
  `let count = 0;
  for (let r = 0; r < rounds; r++)
    for (let i = 0; i < contexts.length; i++) if (engine.evaluate('bench-flag', contexts[i], options).value === true) count++;
  return count;`,
);

const runs = 7;
const sync = compareRuns(
  [(rounds) => handLoop(hand, contexts, rounds), (rounds) => engineLoop(engine, options, contexts, rounds)],
  contexts.length,
  { runs, runNs: 50_000_000 },
);

const gateway = await stubGateway();
const provider = new VexilServerProvider({ url: gateway.url, apiKey: 'vxl_srv_bench' });
await OpenFeature.setProviderAndWait('bench', provider);
const client = OpenFeature.getClient('bench');
await OpenFeature.setProviderAndWait(
  'in-memory',
  new InMemoryProvider({
    'bench-flag': { variants: { on: true, off: false }, defaultVariant: 'off', disabled: false },
  }),
);
const inMemory = OpenFeature.getClient('in-memory');

type Evaluate = (context: EvaluationContext) => Promise<boolean>;
const asyncCandidates: Evaluate[] = [
  async (context) => (await provider.resolveBooleanEvaluation('bench-flag', false, context)).value,
  (context) => client.getBooleanValue('bench-flag', false, context),
  (context) => inMemory.getBooleanValue('bench-flag', false, context),
];
async function asyncLoop(evaluate: Evaluate, rounds: number): Promise<number> {
  let count = 0;
  for (let r = 0; r < rounds; r++)
    for (const context of contexts as EvaluationContext[]) if ((await evaluate(context)) === true) count++;
  return count;
}
const asyncSamples: number[][] = asyncCandidates.map(() => []);
for (const evaluate of asyncCandidates) for (let i = 0; i < 3; i++) keep(await asyncLoop(evaluate, 2)); // warm-up
for (let run = 0; run < runs; run++) {
  for (const [i, evaluate] of asyncCandidates.entries()) {
    const rounds = i === 0 ? 100 : 5;
    const start = process.hrtime.bigint();
    keep(await asyncLoop(evaluate, rounds));
    asyncSamples[i]!.push(Number(process.hrtime.bigint() - start) / (rounds * contexts.length));
  }
}
await OpenFeature.close();
gateway.close();

const handNs = summarize(sync.wall[0]!).median;
const row = (name: string, samples: readonly number[]) => {
  const { median } = summarize(samples);
  return [name, formatDuration(median), formatRatio(median / handNs)];
};
console.log(`local evaluation of one flag (rule: ${rule.source})\n`);
console.log(
  renderTable(
    ['candidate', 'median / evaluation', 'ratio to hand-written'],
    [
      row('hand-written JS', sync.wall[0]!),
      row('engine.evaluate (flag set)', sync.wall[1]!),
      row('provider.resolveBooleanEvaluation', asyncSamples[0]!),
      row('provider: client.getBooleanValue', asyncSamples[1]!),
      row('SDK InMemoryProvider: getBooleanValue', asyncSamples[2]!),
    ],
    ['left', 'right', 'right'],
  ),
);
console.log(`\n(sink ${sinkTotal()})`);
