/**
 * Attribute paths, in the notation the gateway reports them (`user.plan`, `attrs["x-team"]`): listing a
 * context's paths feeds completion, and resolving a path tells the result panel which attributes are absent.
 */

const identifier = /^[A-Za-z_$][A-Za-z0-9_$]*$/;

/** Words a path cannot start with (after a dot they are ordinary names). */
export const keywords = [
  'and',
  'or',
  'not',
  'in',
  'contains',
  'startsWith',
  'endsWith',
  'matches',
  'true',
  'false',
  'null',
] as const;
const keywordSet = new Set<string>(keywords);

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function segmentText(name: string, first: boolean): string {
  if (identifier.test(name)) return first ? name : `.${name}`;
  return `[${JSON.stringify(name)}]`;
}

export interface ContextPath {
  path: string;
  /** The JSON type of the value there: string, number, boolean, null, list or object. */
  type: string;
}

function typeOf(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'list';
  return typeof value;
}

/** Every path a rule can read in this context, objects included (lists have no paths below them). */
export function contextPaths(context: unknown, limit = 500): ContextPath[] {
  const paths: ContextPath[] = [];
  const walk = (value: Record<string, unknown>, prefix: string, depth: number) => {
    for (const [name, child] of Object.entries(value)) {
      if (paths.length >= limit) return;
      // A top-level name that is not an identifier, or is a keyword, cannot be read by a rule at all.
      if (prefix === '' && (!identifier.test(name) || keywordSet.has(name))) continue;
      const path = prefix + segmentText(name, prefix === '');
      paths.push({ path, type: typeOf(child) });
      if (isObject(child) && depth < 16) walk(child, path, depth + 1);
    }
  };
  if (isObject(context)) walk(context, '', 0);
  return paths;
}

/** Splits `user.address["zip code"]` into its property names; null when it is not a path. */
export function parsePath(path: string): string[] | null {
  const segments: string[] = [];
  const pattern = /^([A-Za-z_$][A-Za-z0-9_$]*)|\.([A-Za-z_$][A-Za-z0-9_$]*)|\[("(?:[^"\\]|\\.)*")\]/y;
  let position = 0;
  while (position < path.length) {
    pattern.lastIndex = position;
    const match = pattern.exec(path);
    // A path starts with a plain name: `.a` and `["a"]` alone are not paths.
    if (!match || (position === 0) !== (match[1] !== undefined)) return null;
    segments.push(match[1] ?? match[2] ?? (JSON.parse(match[3]!) as string));
    position = pattern.lastIndex;
  }
  return segments.length > 0 ? segments : null;
}

/** Whether the context has a value (null included) at that path, reading own properties of objects only. */
export function hasPath(context: unknown, path: string): boolean {
  const segments = parsePath(path);
  if (!segments) return false;
  let target: unknown = context;
  for (const name of segments) {
    if (!isObject(target) || !Object.prototype.hasOwnProperty.call(target, name)) return false;
    target = target[name];
  }
  return true;
}
