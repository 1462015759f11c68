/** Reading a file a command was given: its text, or one line saying why not (exit 2). */
import { readFileSync } from 'node:fs';
import { CliFailure } from './gateway-client.js';

export function readInputFile(file: string): string {
  try {
    return readFileSync(file, 'utf8');
  } catch (error) {
    throw new CliFailure(
      `cannot read ${file}: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}`,
      2,
    );
  }
}
