/** Writes a flags file as YAML (for people and reviews) or JSON (for tools). */
import { stringify } from 'yaml';
import type { FlagsFile } from './document.js';

export type FlagsFileFormat = 'yaml' | 'json';

const header = '# Vexil flags file; JSON Schema: schema/flags.schema.json in the vexil package\n';

export function serializeFlagsFile(file: FlagsFile, format: FlagsFileFormat): string {
  if (format === 'json') return `${JSON.stringify(file, null, 2)}\n`;
  // lineWidth 0: never fold a long rule condition over lines, so a diff shows the rule as written.
  return header + stringify(file, { lineWidth: 0, aliasDuplicateObjects: false });
}
