import { flagKeyPattern } from '../flags/validate.js';
import type { LexerFamily } from './lexers.js';

/** The source files `vexil flags refs` reads, by extension, and how each is lexed. */
const familyByExtension: ReadonlyMap<string, LexerFamily> = new Map<string, LexerFamily>([
  ...['.ts', '.tsx', '.mts', '.cts', '.js', '.jsx', '.mjs', '.cjs'].map((ext) => [ext, 'c-like'] as const),
  ...['.go', '.java', '.kt', '.kts', '.cs'].map((ext) => [ext, 'c-like'] as const),
  ['.py', 'python'],
  ['.rb', 'ruby'],
]);

export const scannedExtensions: readonly string[] = [...familyByExtension.keys()];

export function lexerFamilyOf(path: string): LexerFamily | undefined {
  const dot = path.lastIndexOf('.');
  return dot < 0 ? undefined : familyByExtension.get(path.slice(dot).toLowerCase());
}

/**
 * Calls whose first argument is a flag key in the SDKs people use with Vexil: OpenFeature's
 * evaluation methods in every language's spelling (getBooleanValue, get_boolean_value,
 * BooleanValue, GetBooleanValueAsync, fetch_boolean_value, …Details), and Vexil's `evaluate`.
 * A literal there that is no known flag key is reported as a reference to an unknown flag.
 */
const flagCallPattern =
  /^(?:get_?|fetch_?)?(?:boolean|bool|string|number|integer|int|float|double|object|struct)_?(?:value|details)(?:_?async)?$|^evaluate$|^(?:get_?)?flag$|^(?:is_?)?enabled\??$/i;

export function isFlagCall(callee: string | null): boolean {
  return callee !== null && flagCallPattern.test(callee);
}

/** Only a literal shaped like a flag key can be a reference to an unknown flag. */
export function looksLikeFlagKey(value: string): boolean {
  return flagKeyPattern.test(value);
}
