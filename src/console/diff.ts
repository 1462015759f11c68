/**
 * A field-by-field diff of two JSON values, as rows `path: before → after`, for the audit log and for
 * a save conflict. Arrays are compared by index (rules are ordered, so a move shows as changes).
 */
export interface DiffRow {
  path: string;
  before: unknown;
  after: unknown;
}

const isObject = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

function walk(path: string, before: unknown, after: unknown, rows: DiffRow[]): void {
  if (JSON.stringify(before) === JSON.stringify(after)) return;
  if (isObject(before) && isObject(after)) {
    for (const key of new Set([...Object.keys(before), ...Object.keys(after)]))
      walk(path ? `${path}.${key}` : key, before[key], after[key], rows);
    return;
  }
  if (Array.isArray(before) && Array.isArray(after)) {
    for (let i = 0; i < Math.max(before.length, after.length); i++) walk(`${path}[${i}]`, before[i], after[i], rows);
    return;
  }
  rows.push({ path: path || '(value)', before, after });
}

/** Fields that only move with every write (they would hide the change itself). */
const noise = new Set(['version', 'updatedAt', 'createdAt']);

export function diff(before: unknown, after: unknown): DiffRow[] {
  const rows: DiffRow[] = [];
  walk('', before, after, rows);
  return rows.filter((row) => !noise.has(row.path));
}

export function show(value: unknown): string {
  if (value === undefined) return '(none)';
  return typeof value === 'string' ? value : JSON.stringify(value);
}
