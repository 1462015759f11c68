/**
 * Flag-count benchmark: what a gateway start costs with 1,000, 10,000 and 100,000 flags × 3
 * environments, and whether `evaluate` of one flag depends on how many others there are.
 *
 *   npx tsx bench/flag-count.ts              (or `npm run bench -- flag-count`; needs a build)
 *   BENCH_FLAG_COUNTS=1000,10000 npx tsx bench/flag-count.ts
 *
 * Method: each count runs in its own Node process (`--expose-gc`), so one count's heap cannot colour the
 * next one's RSS. The process seeds an embedded store (untimed, through `backend.commit`, 500 at a
 * time), closes it, then times what a gateway start does: open the store, read its snapshot, load it
 * into a fresh FlagEngine. RSS is `process.memoryUsage().rss` after a full GC, with the store still
 * open and the engine alive; `evaluate` is timed on one fixed flag over 1,000 contexts (median of runs,
 * bench/lib/timing.ts), in runs interleaved with the same flag in an engine of the population's first
 * 1,000 flags built in the same process: their ratio is the verdict, since one process can be up to 2×
 * faster than the next whatever the count (see measureCount). Flags come from
 * bench/lib/flag-population.ts: rules of realistic variety, literals of their own per flag, shapes
 * shared as in real flag sets.
 *
 * Targets (issue 19): 100,000 flags load in under 10 s and under 2 GB RSS; `evaluate` unaffected by the
 * flag count.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import os, { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type * as Vexil from '../src/index.js';
import type * as VexilStore from '../src/store/index.js';
import { loadBuiltPackage } from './lib/built-package.js';
import { benchContexts, populationFlag, populationSegments } from './lib/flag-population.js';
import { formatDuration, renderTable, summarize } from './lib/stats.js';
import { compareRuns, gc, sinkTotal, uniqueLoop } from './lib/timing.js';

const LOAD_SECONDS_TARGET = 10;
const RSS_TARGET_BYTES = 2 * 1024 ** 3;
const FIXED_FLAG = 'flag-000042';
/** "Unaffected by the flag count": within this of the same flag among 1,000, measured side by side. */
const UNAFFECTED_RATIO = 1.2;

interface Row {
  flags: number;
  seedSeconds: number;
  openSeconds: number;
  snapshotSeconds: number;
  loadSeconds: number;
  rssBytes: number;
  heapBytes: number;
  evaluateNs: number;
  evaluateP10Ns: number;
  evaluateP90Ns: number;
  /** The same flag in an engine of 1,000 flags, in the same process and interleaved runs. */
  referenceNs: number;
  /** Median over runs of evaluate / reference (adjacent runs). */
  ratioToReference: number;
}

const seconds = (from: number) => (performance.now() - from) / 1000;

async function measureCount(count: number): Promise<Row> {
  const vexil = await loadBuiltPackage<typeof Vexil>('flag-count', ['dsl', 'flags', 'store']);
  const store = (await import('../dist/store/index.js')) as unknown as typeof VexilStore;
  const dataDir = mkdtempSync(join(tmpdir(), 'vexil-bench-flags-'));
  try {
    const meta = { actor: 'bench' };
    const seeding = await store.FlagStore.open(new store.EmbeddedBackend({ dataDir }));
    const now = new Date().toISOString();
    const tSeed = performance.now();
    for (const segment of populationSegments(now))
      await seeding.backend.commit({
        ref: { kind: 'segment', key: segment.key, environment: segment.environment },
        expectedVersion: 0,
        action: 'create',
        after: segment,
        meta,
      } as never);
    for (let offset = 0; offset < count; offset += 500) {
      await Promise.all(
        Array.from({ length: Math.min(500, count - offset) }, (_, i) => {
          const after = populationFlag(offset + i, now);
          return seeding.backend.commit({
            ref: { kind: 'flag', key: after.key },
            expectedVersion: 0,
            action: 'create',
            after,
            meta,
          } as never);
        }),
      );
    }
    const seedSeconds = seconds(tSeed);
    await seeding.close();
    gc?.();

    const tOpen = performance.now();
    const opened = await store.FlagStore.open(new store.EmbeddedBackend({ dataDir }));
    const openSeconds = seconds(tOpen);
    const tSnapshot = performance.now();
    const snapshot = await opened.backend.snapshot();
    const snapshotSeconds = seconds(tSnapshot);
    const tLoad = performance.now();
    const engine = new vexil.FlagEngine();
    engine.load(snapshot);
    const loadSeconds = seconds(tLoad);
    if (engine.snapshot('production')?.flags.size !== count) throw new Error(`the engine holds the wrong flag count`);

    const options = { environment: 'production' };
    const first = engine.evaluate(FIXED_FLAG, benchContexts[0], options);
    if (first.reason === 'ERROR') throw new Error(`evaluate(${FIXED_FLAG}) failed: ${first.errorMessage}`);
    gc?.();
    gc?.();
    const memory = process.memoryUsage();

    // The reference, in this same process: the same flag in an engine of the population's first 1,000
    // flags. How fast one process evaluates varies from one process to the next by up to 2× (the
    // megamorphic property loads of contexts hit or miss V8's stub cache, whose slots depend on the
    // hash seed and the heap's layout), far more than the flag count could move it; the per-run ratio
    // to an engine in the same process cancels that out.
    const reference = new vexil.FlagEngine();
    reference.load({
      environments: snapshot.environments,
      // The population's plain objects, typed loosely (the store's commits take them as they are).
      flags: Array.from({ length: Math.min(count, 1000) }, (_, i) => populationFlag(i, now)) as Vexil.Flag[],
      segments: populationSegments(now) as Vexil.Segment[],
    });
    const loopFor = (label: string) =>
      uniqueLoop(
        `evaluate one flag: ${label}`,
        ['engine', 'key', 'options', 'contexts', 'rounds'],
        `let count = 0;
      const n = contexts.length;
      for (let r = 0; r < rounds; r++)
        for (let i = 0; i < n; i++) if (engine.evaluate(key, contexts[i], options).value === true) count++;
      return count;`,
      );
    const [loop, referenceLoop] = [loopFor(`among ${count}`), loopFor('among 1,000')];
    // Steady state: loading leaves hundreds of MB for V8 to mark and sweep on its background threads,
    // and evaluations timed while that runs measure the collector, not the flag count. Evaluation
    // allocates nothing, so no collection between the runs either (see compareRuns).
    gc?.();
    await new Promise((resolve) => setTimeout(resolve, 1000));
    const runs = compareRuns(
      [
        (rounds) => loop(engine, FIXED_FLAG, options, benchContexts, rounds),
        (rounds) => referenceLoop(reference, FIXED_FLAG, options, benchContexts, rounds),
      ],
      benchContexts.length,
      { runs: 15, runNs: 10e6, collectBetweenRuns: false },
    );
    const evaluate = summarize(runs.wall[0]!);
    const referenceNs = summarize(runs.wall[1]!).median;
    const ratioToReference = summarize(runs.wall[0]!.map((ns, run) => ns / runs.wall[1]![run]!)).median;
    await opened.close();
    return {
      flags: count,
      seedSeconds,
      openSeconds,
      snapshotSeconds,
      loadSeconds,
      rssBytes: memory.rss,
      heapBytes: memory.heapUsed,
      evaluateNs: evaluate.median,
      evaluateP10Ns: evaluate.p10,
      evaluateP90Ns: evaluate.p90,
      referenceNs,
      ratioToReference,
    };
  } finally {
    rmSync(dataDir, { recursive: true, force: true });
  }
}

/** Runs one count in a child process and returns its row (the child prints it as its last line). */
function inChild(count: number): Row {
  const tsx = import.meta.resolve('tsx');
  const child = spawnSync(
    process.execPath,
    ['--expose-gc', '--max-old-space-size=4096', '--import', tsx, fileURLToPath(import.meta.url), `--count=${count}`],
    { encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'] },
  );
  const lines = child.stdout.trim().split('\n');
  if (child.status !== 0) throw new Error(`the run of ${count} flags failed (${child.signal ?? child.status})`);
  return JSON.parse(lines.at(-1)!) as Row;
}

const countArgument = process.argv.find((argument) => argument.startsWith('--count='));
if (countArgument) {
  const row = await measureCount(Number(countArgument.slice('--count='.length)));
  console.log(`sink ${sinkTotal()}`);
  console.log(JSON.stringify(row));
} else {
  const counts = (process.env.BENCH_FLAG_COUNTS ?? '1000,10000,100000').split(',').map(Number);
  const rows = counts.map(inChild);
  const mb = (bytes: number) => `${(bytes / 1024 ** 2).toFixed(0)} MB`;
  const s = (value: number) => `${value.toFixed(2)} s`;
  console.log(
    `Vexil flag-count benchmark: node ${process.version}, ${os.cpus()[0]?.model ?? 'unknown CPU'} (${os.availableParallelism()} cores), load average ${os
      .loadavg()
      .map((value) => value.toFixed(2))
      .join(' ')}`,
  );
  console.log(
    `each count: flags × 3 environments; start = open the embedded store + read its snapshot + FlagEngine.load; evaluate = ${FIXED_FLAG}, median of 15 runs\n`,
  );
  const biggest = rows.at(-1)!;
  console.log(
    renderTable(
      [
        'flags',
        'seed (untimed)',
        'open',
        'snapshot',
        'engine.load',
        'start total',
        'RSS after GC',
        'heap',
        'evaluate',
        'p10 – p90',
        '1,000-flag engine, same process',
        'ratio',
      ],
      rows.map((row) => [
        row.flags.toLocaleString('en-US'),
        s(row.seedSeconds),
        s(row.openSeconds),
        s(row.snapshotSeconds),
        s(row.loadSeconds),
        s(row.openSeconds + row.snapshotSeconds + row.loadSeconds),
        mb(row.rssBytes),
        mb(row.heapBytes),
        formatDuration(row.evaluateNs),
        `${formatDuration(row.evaluateP10Ns)} – ${formatDuration(row.evaluateP90Ns)}`,
        formatDuration(row.referenceNs),
        `${row.ratioToReference.toFixed(2)}×`,
      ]),
      ['right', 'right', 'right', 'right', 'right', 'right', 'right', 'right', 'right', 'right', 'right', 'right'],
    ),
  );
  const start = biggest.openSeconds + biggest.snapshotSeconds + biggest.loadSeconds;
  console.log(
    `\n${biggest.flags.toLocaleString('en-US')} flags: start ${s(start)} (target < ${LOAD_SECONDS_TARGET} s: ${start < LOAD_SECONDS_TARGET ? 'ok' : 'MISS'}), RSS ${mb(biggest.rssBytes)} (target < ${mb(RSS_TARGET_BYTES)}: ${biggest.rssBytes < RSS_TARGET_BYTES ? 'ok' : 'MISS'}); evaluate ${formatDuration(biggest.evaluateNs)}, ${biggest.ratioToReference.toFixed(2)}× the same flag among 1,000 in the same process (target: unaffected, <= ${UNAFFECTED_RATIO}×: ${biggest.ratioToReference <= UNAFFECTED_RATIO ? 'ok' : 'MISS'}); across processes ${formatDuration(biggest.evaluateNs)} vs ${formatDuration(rows[0]!.evaluateNs)} at ${rows[0]!.flags.toLocaleString('en-US')} flags`,
  );
  console.log(JSON.stringify({ benchmark: 'flag-count', results: rows }));
}
