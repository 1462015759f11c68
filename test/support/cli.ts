/** Running `vexil …` against a test gateway, and what every CLI test checks of its outcome. */
import { expect } from 'vitest';
import { type RunResult, type TestGateway, vexil } from './gateway.js';

/** `vexil <command> …args` with VEXIL_URL and VEXIL_API_KEY pointing at `gateway` (admin key by default). */
export function cliAgainst(gateway: TestGateway) {
  return (command: string, args: string[], key = gateway.adminKey) =>
    vexil([command, ...args], { VEXIL_URL: gateway.url, VEXIL_API_KEY: key });
}

/** Exit 0 and stdout is JSON: parsed. */
export function jsonOutput(result: RunResult): any {
  expect(result.code, result.stderr).toBe(0);
  return JSON.parse(result.stdout);
}

/** The failure users see: this exit code, one line on stderr matching `pattern`, no stack trace. */
export function expectOneLineFailure(result: RunResult, code: 1 | 2, pattern: RegExp): void {
  expect(result.code, result.stdout + result.stderr).toBe(code);
  expect(result.stderr.trimEnd().split('\n')).toHaveLength(1);
  expect(result.stderr).not.toMatch(/^\s+at /m);
  expect(result.stderr).toMatch(pattern);
}
