/**
 * The function table: one entry per built-in, used by the checker (arity), the code generator and the
 * `explain` interpreter. `segment` and `flag` are special: they call resolvers the caller supplies.
 */
import { bucket } from './bucket.js';
import { now, toDate } from './date.js';
import { toSemver } from './semver.js';
import { len, lower, upper } from './strings.js';

export interface BuiltinFunction {
  minArity: number;
  maxArity: number;
  /** Name of the runtime binding in generated code. */
  binding: string;
  implementation: (...args: unknown[]) => unknown;
  /** Pure functions applied to literals are folded at compile time. */
  pure: boolean;
}

export const builtinFunctions: ReadonlyMap<string, BuiltinFunction> = new Map<string, BuiltinFunction>([
  ['lower', { minArity: 1, maxArity: 1, binding: 'fnLower', implementation: lower, pure: true }],
  ['upper', { minArity: 1, maxArity: 1, binding: 'fnUpper', implementation: upper, pure: true }],
  ['len', { minArity: 1, maxArity: 1, binding: 'fnLen', implementation: len, pure: true }],
  ['semver', { minArity: 1, maxArity: 1, binding: 'fnSemver', implementation: toSemver, pure: true }],
  ['date', { minArity: 1, maxArity: 1, binding: 'fnDate', implementation: toDate, pure: true }],
  ['now', { minArity: 0, maxArity: 0, binding: 'fnNow', implementation: now, pure: false }],
  // The salt argument is always present at run time: the compiler supplies the default.
  [
    'bucket',
    {
      minArity: 1,
      maxArity: 2,
      binding: 'fnBucket',
      implementation: bucket as (...args: unknown[]) => unknown,
      pure: true,
    },
  ],
]);

/** Functions whose meaning comes from the flag model through resolvers. */
export const resolverFunctions = new Set(['segment', 'flag']);
