/** Small helpers shared by the benchmarks: order statistics and plain-text tables. */

function sorted(values: readonly number[]): number[] {
  if (values.length === 0) throw new Error('no samples');
  return [...values].sort((a, b) => a - b);
}

/** The p-th percentile (0–100), linearly interpolated between closest ranks. */
export function percentile(values: readonly number[], p: number): number {
  const ordered = sorted(values);
  const rank = (Math.min(100, Math.max(0, p)) / 100) * (ordered.length - 1);
  const low = Math.floor(rank);
  const high = Math.ceil(rank);
  return ordered[low]! + (ordered[high]! - ordered[low]!) * (rank - low);
}

export function median(values: readonly number[]): number {
  return percentile(values, 50);
}

export interface Summary {
  median: number;
  min: number;
  max: number;
  p10: number;
  p90: number;
  samples: number;
}

export function summarize(values: readonly number[]): Summary {
  const ordered = sorted(values);
  return {
    median: percentile(ordered, 50),
    min: ordered[0]!,
    max: ordered.at(-1)!,
    p10: percentile(ordered, 10),
    p90: percentile(ordered, 90),
    samples: ordered.length,
  };
}

/** A duration given in nanoseconds, in the most readable unit: `3.21 ns`, `12.4 µs`, `5.10 ms`. */
export function formatDuration(ns: number): string {
  const [value, unit] =
    ns < 1e3 ? [ns, 'ns'] : ns < 1e6 ? [ns / 1e3, 'µs'] : ns < 1e9 ? [ns / 1e6, 'ms'] : [ns / 1e9, 's'];
  return `${value.toFixed(value < 10 ? 2 : value < 100 ? 1 : 0)} ${unit}`;
}

export function formatRatio(ratio: number): string {
  return `${ratio.toFixed(2)}×`;
}

export type Align = 'left' | 'right';

/**
 * A plain-text table: a header row, a rule, then the rows. Columns are left-aligned unless `align`
 * says otherwise (numbers read best right-aligned).
 */
export function renderTable(
  headers: readonly string[],
  rows: readonly (readonly string[])[],
  align: readonly Align[] = [],
): string {
  const widths = headers.map((header, column) =>
    Math.max(header.length, ...rows.map((row) => (row[column] ?? '').length)),
  );
  const line = (cells: readonly string[]) =>
    cells
      .map((cell, column) =>
        align[column] === 'right' ? cell.padStart(widths[column]!) : cell.padEnd(widths[column]!),
      )
      .join('  ')
      .trimEnd();
  return [line(headers), widths.map((width) => '-'.repeat(width)).join('  '), ...rows.map(line)].join('\n');
}
