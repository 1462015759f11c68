/**
 * Value semantics of the rule language, shared by the generated code and the `explain` interpreter so
 * the two can never disagree. Every helper is total: wrong types give `false` or `null`, never a throw.
 * `undefined` (a missing attribute) is treated as `null` everywhere.
 */
import { SemVer } from 'semver';

const hasOwn = Object.hasOwn;
const getPrototypeOf = Object.getPrototypeOf;
const isArray = Array.isArray;
const objectPrototype = Object.prototype;

/** A parsed date (from `date()` or `now()`); compares by instant, prints as ISO-8601. */
export class RuleDate {
  constructor(readonly ms: number) {}
  toJSON(): string {
    return new Date(this.ms).toISOString();
  }
}

export function isPlainObject(value: unknown): value is Record<string, unknown> {
  if (typeof value !== 'object' || value === null || isArray(value)) return false;
  const proto = getPrototypeOf(value);
  return proto === objectPrototype || proto === null;
}

/** Reads an own property of a plain object; anything else (inherited, non-object, missing) is absent. */
export function readProperty(target: unknown, key: string): unknown {
  if (typeof target !== 'object' || target === null || isArray(target)) return undefined;
  const proto = getPrototypeOf(target);
  if (proto !== objectPrototype && proto !== null) return undefined;
  return hasOwn(target, key) ? (target as Record<string, unknown>)[key] : undefined;
}

/**
 * Names that some JSON value inherits (`constructor`, `toString`, `length`, `at`, array indices…).
 * Generated code reads any other name with an inline-cached load and a cheap own-property proof (see
 * property-read.ts); inheritable names always go through `readProperty`.
 */
const builtinPrototypes = [Object.prototype, Array.prototype, String.prototype, Number.prototype, Boolean.prototype];
const inheritable = new Map<string, boolean>();
export function isInheritableName(key: string): boolean {
  let answer = inheritable.get(key);
  if (answer === undefined) {
    answer = key === '__proto__' || /^(?:0|[1-9][0-9]*)$/.test(key) || builtinPrototypes.some((proto) => key in proto);
    // Bounded: attribute names are few, but rule text is user input.
    if (inheritable.size < 10_000) inheritable.set(key, answer);
  }
  return answer;
}

/** `==`: strict for primitives, by value for lists, objects, dates and versions. */
export function equals(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (a == null || b == null) return a == null && b == null;
  if (typeof a !== 'object' || typeof b !== 'object') return false;
  if (a instanceof RuleDate) return b instanceof RuleDate && a.ms === b.ms;
  if (a instanceof SemVer) return b instanceof SemVer && a.compare(b) === 0;
  if (isArray(a)) return isArray(b) && a.length === b.length && a.every((item, i) => equals(item, b[i]));
  if (!isPlainObject(a) || !isPlainObject(b)) return false;
  const keys = Object.keys(a);
  return keys.length === Object.keys(b).length && keys.every((key) => hasOwn(b, key) && equals(a[key], b[key]));
}

/** Ordering for `<` `<=` `>` `>=`: a number, or NaN when the two are not comparable (so every test is false). */
export function compare(a: unknown, b: unknown): number {
  if (typeof a === 'number' && typeof b === 'number') return a - b;
  if (typeof a === 'string' && typeof b === 'string') return a < b ? -1 : a > b ? 1 : 0;
  if (a instanceof SemVer && b instanceof SemVer) return a.compare(b);
  if (a instanceof RuleDate && b instanceof RuleDate) return a.ms - b.ms;
  return NaN;
}

/** `x in list`: strict equality against each element; a non-list right side is false. */
export function isIn(item: unknown, list: unknown): boolean {
  if (!isArray(list)) return false;
  const needle = item === undefined ? null : item;
  for (let i = 0; i < list.length; i++) {
    const element = list[i];
    if (element === needle || (needle === null && element === undefined)) return true;
  }
  return false;
}

/** `contains`: substring for two strings, element for a list, otherwise false. */
export function contains(haystack: unknown, needle: unknown): boolean {
  if (typeof haystack === 'string') return typeof needle === 'string' && haystack.includes(needle);
  return isIn(needle, haystack);
}

export function startsWith(value: unknown, prefix: unknown): boolean {
  return typeof value === 'string' && typeof prefix === 'string' && value.startsWith(prefix);
}

export function endsWith(value: unknown, suffix: unknown): boolean {
  return typeof value === 'string' && typeof suffix === 'string' && value.endsWith(suffix);
}

/** Replaces `undefined` with `null`, the one absent value users see. */
export function normalize(value: unknown): unknown {
  return value === undefined ? null : value;
}
