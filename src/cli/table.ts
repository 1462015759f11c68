/** Plain-text tables for people (`--format table`): aligned columns, `-` for empty cells. */
import type { CommandContext } from './main.js';

export type Cell = string | number | boolean | null | undefined;

export function renderTable(headers: readonly string[], rows: readonly (readonly Cell[])[]): string {
  const text = rows.map((row) =>
    row.map((cell) => (cell === null || cell === undefined || cell === '' ? '-' : String(cell))),
  );
  const widths = headers.map((header, column) =>
    Math.max(header.length, ...text.map((row) => row[column]?.length ?? 0)),
  );
  const line = (cells: readonly string[]) =>
    cells
      .map((cell, column) => cell.padEnd(widths[column]!))
      .join('  ')
      .trimEnd();
  return [line(headers), ...text.map(line)].join('\n');
}

/** Prints rows as a table, or as a JSON array of the records for scripts. */
export function printRows<T>(
  context: CommandContext,
  format: 'json' | 'table',
  records: readonly T[],
  headers: readonly string[],
  row: (record: T) => readonly Cell[],
): void {
  if (format === 'json') context.stdout(JSON.stringify(records));
  else context.stdout(records.length === 0 ? '(none)' : renderTable(headers, records.map(row)));
}
