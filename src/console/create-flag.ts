/**
 * The create-flag form's rules: the key pattern (the server's, src/flags/validate.ts flagKeyPattern,
 * repeated here so the console does not bundle the rule compiler; a test keeps them equal), the
 * expiry defaults, and the variations as typed (`key = JSON value` per line).
 */
import type { CreateFlagInput, FlagKind, ValueType, VariationInput } from '../client/generated/graphql.js';

export const flagKeyPattern = /^[a-z0-9][a-z0-9._-]{0,127}$/;

export function keyProblem(key: string): string | null {
  if (key === '') return 'A key is required.';
  if (flagKeyPattern.test(key)) return null;
  return 'Use 1 to 128 lower-case letters, digits, ".", "_" or "-", starting with a letter or digit.';
}

/** What the server does without an expiry (VEXIL_DEFAULT_EXPIRY_* may change the numbers). */
export const expiryDefaults: Record<FlagKind, string> = {
  RELEASE: 'expires after 40 days unless you give a date (the gateway default)',
  EXPERIMENT: 'expires after 90 days unless you give a date (the gateway default)',
  OPS: 'permanent: kill switches and knobs do not expire',
  PERMISSION: 'permanent: entitlements do not expire',
};

export const booleanVariations: VariationInput[] = [
  { key: 'on', value: true },
  { key: 'off', value: false },
];

/** Parses `key = value` lines; the value is JSON, or for STRING flags also plain text. */
export function parseVariations(text: string, valueType: ValueType): VariationInput[] | string {
  if (valueType === 'BOOLEAN') return booleanVariations;
  const variations: VariationInput[] = [];
  for (const [index, line] of text.split('\n').entries()) {
    if (line.trim() === '') continue;
    const match = /^\s*([A-Za-z0-9._-]+)\s*=\s*(.+?)\s*$/.exec(line);
    if (!match) return `Line ${index + 1}: write a variation as key = value.`;
    let value: unknown;
    try {
      value = JSON.parse(match[2]!);
    } catch {
      if (valueType !== 'STRING') return `Line ${index + 1}: the value is not valid JSON.`;
      value = match[2];
    }
    variations.push({ key: match[1]!, value });
  }
  return variations.length >= 2 ? variations : 'Give at least two variations.';
}

/** The flag, off in every environment (serving its first variation when switched on). */
export function createInput(
  fields: { key: string; kind: FlagKind; valueType: ValueType; owner: string },
  variations: VariationInput[],
  environments: string[],
): CreateFlagInput {
  const off = variations.find((v) => v.key === 'off')?.key ?? variations[0]!.key;
  const config = { on: false, offVariation: off, defaultServe: { variation: off } };
  return {
    ...fields,
    owner: fields.owner.trim(),
    variations,
    environments: environments.map((environment) => ({ environment, config })),
  };
}
