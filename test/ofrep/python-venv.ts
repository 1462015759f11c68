/**
 * The virtualenv of the Python client tests: test/.venv-ofrep (git-ignored), created on first use
 * with `python3 -m venv` and filled from PyPI with python/requirements.txt. A copy of the requirements
 * it was filled with sits inside, so later runs reuse it without calling pip (idempotent and fast).
 */
import { execFile, spawnSync } from 'node:child_process';
import { existsSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { repoRoot } from '../support/gateway.js';

const run = promisify(execFile);
export const venvDir = join(repoRoot, 'test/.venv-ofrep');
const requirements = join(repoRoot, 'test/ofrep/python/requirements.txt');
const installed = join(venvDir, 'installed-requirements.txt');

/** Why the Python tests cannot run here (no python3 with venv), or null when they can. */
export function pythonMissing(): string | null {
  const probe = spawnSync('python3', ['-c', 'import venv, ensurepip'], { encoding: 'utf8' });
  if (probe.error)
    return 'python3 is not installed: the OFREP Python client tests are skipped (install python3 and python3-venv to run them)';
  if (probe.status !== 0)
    return `python3 cannot create virtualenvs (${probe.stderr.trim().split('\n').pop()}): install python3-venv to run the OFREP Python client tests`;
  return null;
}

/** The venv's python, after creating and filling the venv if its requirements are not those of python/requirements.txt. */
export async function ensureOfrepVenv(): Promise<string> {
  const python = join(venvDir, 'bin/python');
  const wanted = readFileSync(requirements, 'utf8');
  if (existsSync(python) && existsSync(installed) && readFileSync(installed, 'utf8') === wanted) return python;
  rmSync(venvDir, { recursive: true, force: true });
  await run('python3', ['-m', 'venv', venvDir]);
  try {
    await run(python, ['-m', 'pip', 'install', '--quiet', '--disable-pip-version-check', '-r', requirements], {
      maxBuffer: 16 * 1024 * 1024,
    });
  } catch (error) {
    rmSync(venvDir, { recursive: true, force: true });
    throw new Error(
      `pip could not install ${requirements} from PyPI into ${venvDir}: ${(error as { stderr?: string }).stderr ?? error}`,
    );
  }
  writeFileSync(installed, wanted);
  return python;
}
