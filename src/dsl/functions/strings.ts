/** `lower(s)`, `upper(s)`, `len(s | list)`: non-applicable input gives null. */

export function lower(value: unknown): string | null {
  return typeof value === 'string' ? value.toLowerCase() : null;
}

export function upper(value: unknown): string | null {
  return typeof value === 'string' ? value.toUpperCase() : null;
}

export function len(value: unknown): number | null {
  return typeof value === 'string' || Array.isArray(value) ? value.length : null;
}
