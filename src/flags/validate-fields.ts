/**
 * The building blocks of document validation: the issue collector and readers of primitive fields
 * (text, timestamps, booleans, string lists). Each reader records what is wrong under the field's
 * path and returns a usable fallback, so validation goes on and reports every problem at once.
 */
import { toDate } from '../dsl/functions/date.js';
import { ValidationError, type ValidationIssue } from './errors.js';

export class Collector {
  readonly issues: ValidationIssue[] = [];
  add(path: string, message: string, extra: Partial<ValidationIssue> = {}): void {
    this.issues.push({ path, message, code: 'VALIDATION', ...extra });
  }
  throwIfAny(): void {
    if (this.issues.length > 0) throw new ValidationError(this.issues);
  }
}

export type Doc = Record<string, unknown>;

export function isObject(value: unknown): value is Doc {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

export function text(doc: Doc, field: string, issues: Collector, path: string, fallback?: string, max = 1000): string {
  const value = doc[field];
  if (value === undefined || value === null) {
    if (fallback !== undefined) return fallback;
    issues.add(`${path}${field}`, 'is required');
    return '';
  }
  if (typeof value !== 'string') issues.add(`${path}${field}`, 'must be a string');
  else if (value.length > max) issues.add(`${path}${field}`, `must be at most ${max} characters`);
  return typeof value === 'string' ? value : '';
}

export function timestamp(value: unknown, path: string, issues: Collector, fallback: string | null): string | null {
  if (value === undefined || value === null) return fallback;
  // The rule language's own ISO-8601 reader: strict format, real calendar dates, no Date.parse leniency.
  const date = toDate(typeof value === 'string' ? value : undefined);
  if (!date) {
    issues.add(path, 'must be an ISO-8601 date-time such as 2026-12-31T00:00:00Z');
    return fallback;
  }
  return new Date(date.ms).toISOString();
}

export function booleanField(value: unknown, path: string, issues: Collector): boolean {
  if (value !== undefined && value !== null && typeof value !== 'boolean') issues.add(path, 'must be true or false');
  return value === true;
}

export function stringList(value: unknown, path: string, issues: Collector, max: number): string[] {
  if (value === undefined || value === null) return [];
  if (!Array.isArray(value) || value.some((item) => typeof item !== 'string')) {
    issues.add(path, 'must be a list of strings');
    return [];
  }
  if (value.length > max) issues.add(path, `must have at most ${max} entries`);
  return [...new Set(value as string[])];
}
