/**
 * The in-process benchmarks' timing machinery (bench/engine.ts, bench/rule-eval.ts, bench/smoke.ts).
 *
 * tsx transpiles the benchmarks with esbuild, whose keep-names transform wraps functions in `__name()`;
 * so the loops that are timed are made with `new Function` from plain source (`uniqueLoop`), never
 * written as closures. Each loop is unique (a serial in a comment), so V8 shares no compiled code or type
 * feedback between candidates: every call site in a loop sees exactly one target. The helpers below run
 * once per sample, outside the timed loops.
 */

export type Loop = (...args: unknown[]) => number;

let sink = 0;
let loopSerial = 0;
/** CPU time (user + system, whole process) of the last `elapsedNs` call, in ns. */
let lastCpu = 0;

/** `global.gc` when node runs with --expose-gc (run-all does), so samples can start from a clean heap. */
export const gc = (globalThis as { gc?: () => void }).gc;

/** Folds a measured result into the sink, so no measured work is dead code. */
export function keep(value: number): void {
  sink += value;
}

/** What every measured run returned, summed: print it so nothing can be optimised away. */
export function sinkTotal(): number {
  return sink;
}

/** A fresh loop function `(params) => body`, unique by a comment naming it. */
export function uniqueLoop(label: string, params: readonly string[], body: string): Loop {
  return new Function(...params, `// loop #${loopSerial++}: ${label}\n${body}`) as Loop;
}

/**
 * Wall-clock time of `run()` in ns (monotonic clock); also records its CPU time (`lastCpuNs`). On a busy
 * machine the wall clock includes time spent descheduled, the CPU time does not.
 */
export function elapsedNs(run: () => number): number {
  const cpuBefore = process.cpuUsage();
  const start = process.hrtime.bigint();
  sink += run();
  const wall = Number(process.hrtime.bigint() - start);
  const cpu = process.cpuUsage(cpuBefore);
  lastCpu = (cpu.user + cpu.system) * 1000;
  return wall;
}

/** CPU time of the last `elapsedNs` call, in ns. */
export function lastCpuNs(): number {
  return lastCpu;
}

/** Smallest power-of-two repetition count for which `run(count)` takes at least `minimumNs`. */
export function calibrate(run: (count: number) => number, minimumNs: number): number {
  let count = 1;
  while (elapsedNs(() => run(count)) < minimumNs && count < 2 ** 30) count *= 2;
  return count;
}

export interface RunOptions {
  /** Measured runs per candidate. */
  runs: number;
  /** Minimum duration of one run, in ns (the repetition count is calibrated to it). */
  runNs: number;
  /**
   * A full collection before each run, so one candidate's garbage is not collected in another's time.
   * Off for work that allocates nothing on a large heap, where the collection's concurrent sweeping
   * would run during the next run instead. @default true
   */
  collectBetweenRuns?: boolean;
}

export interface Runs {
  /** Per candidate, per run: wall-clock ns per unit of work. */
  wall: number[][];
  /** Per candidate, per run: CPU ns per unit of work. */
  cpu: number[][];
}

/**
 * Per-unit samples of `runs` interleaved runs of each candidate (order alternating, so neither always
 * runs first), after a warm-up; every candidate runs the same repetition count.
 */
export function compareRuns(
  candidates: Array<(count: number) => number>,
  unitsPerCount: number,
  { runs, runNs, collectBetweenRuns = true }: RunOptions,
): Runs {
  for (let i = 0; i < 3; i++) for (const candidate of candidates) calibrate(candidate, runNs / 4); // warm-up
  const count = Math.max(...candidates.map((candidate) => calibrate(candidate, runNs)));
  const samples: Runs = { wall: candidates.map(() => []), cpu: candidates.map(() => []) };
  for (let run = 0; run < runs; run++) {
    const order = run % 2 === 0 ? candidates.map((_, i) => i) : candidates.map((_, i) => candidates.length - 1 - i);
    for (const i of order) {
      if (collectBetweenRuns) gc?.();
      samples.wall[i]!.push(elapsedNs(() => candidates[i]!(count)) / (count * unitsPerCount));
      samples.cpu[i]!.push(lastCpu / (count * unitsPerCount));
    }
  }
  return samples;
}
