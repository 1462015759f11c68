/** Deterministic pseudo-randomness for benchmark fixtures, so every run measures the same data. */

/** mulberry32: tiny, fast, good enough for fixtures (not for anything secret). */
function mulberry32(seed: number): () => number {
  return () => {
    seed = (seed + 0x6d2b79f5) | 0;
    let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export interface SeededRandom {
  random: () => number;
  /** One of the values, with probability proportional to its weight. */
  weighted<T>(choices: ReadonlyArray<readonly [T, number]>): T;
  pick<T>(values: readonly T[]): T;
}

export function seededRandom(seed: number): SeededRandom {
  const random = mulberry32(seed);
  return {
    random,
    weighted<T>(choices: ReadonlyArray<readonly [T, number]>): T {
      const total = choices.reduce((sum, [, weight]) => sum + weight, 0);
      let roll = random() * total;
      for (const [value, weight] of choices) if ((roll -= weight) < 0) return value;
      return choices[choices.length - 1]![0];
    },
    pick: <T>(values: readonly T[]): T => values[Math.floor(random() * values.length)]!,
  };
}

export const firstNames = [
  'ada',
  'grace',
  'alan',
  'edsger',
  'barbara',
  'ken',
  'linus',
  'margaret',
  'donald',
  'frances',
  'john',
  'radia',
];
export const lastNames = [
  'lovelace',
  'hopper',
  'turing',
  'dijkstra',
  'liskov',
  'thompson',
  'torvalds',
  'hamilton',
  'knuth',
  'allen',
  'backus',
  'perlman',
];

/** Countries of the benches' contexts, weighted like a web shop's traffic. */
export const countryWeights: Array<[string, number]> = [
  ['US', 30],
  ['CA', 8],
  ['GB', 10],
  ['DE', 9],
  ['FR', 8],
  ['IN', 10],
  ['BR', 7],
  ['JP', 6],
  ['AU', 4],
  ['NL', 3],
  ['ES', 3],
  ['MX', 2],
];
