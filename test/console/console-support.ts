/**
 * Shared by the console's browser tests: dist/console built when stale, a real gateway (in-process,
 * fresh store) with the usual keys, Debian chromium with an offline context, and helpers to sign in,
 * seed flags over GraphQL and take the screenshots checked into test/artifacts/.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { expect } from 'vitest';
import { CreateFlagDocument, type CreateFlagInput } from '../../src/client/generated/graphql.js';
import { offlineContext } from '../support/browser.js';
import { dataOf, gqlAt, repoRoot, type TestGateway } from '../support/gateway.js';

export const artifacts = join(repoRoot, 'test/artifacts');

function newestMtime(path: string): number {
  const info = statSync(path);
  if (!info.isDirectory()) return info.mtimeMs;
  return Math.max(info.mtimeMs, ...readdirSync(path).map((name) => newestMtime(join(path, name))));
}

/** Builds dist/console when it is missing or older than its sources (the gateway serves that folder). */
export function ensureConsoleBuilt(): void {
  mkdirSync(artifacts, { recursive: true });
  const index = join(repoRoot, 'dist/console/index.html');
  const sources = Math.max(
    ...['src/console', 'src/playground', 'src/client/generated'].map((dir) => newestMtime(join(repoRoot, dir))),
  );
  if (existsSync(index) && statSync(index).mtimeMs >= sources) return;
  const vite = join(repoRoot, 'node_modules/vite/bin/vite.js');
  execFileSync(process.execPath, [vite, 'build', '--config', 'src/console/vite.config.ts', '--logLevel', 'warn'], {
    cwd: repoRoot,
    stdio: 'inherit',
  });
}

/** A boolean OPS flag (no expiry), on in production and serving `on`. */
export function opsFlag(key: string, extra: Partial<CreateFlagInput> = {}): CreateFlagInput {
  const config = { on: true, offVariation: 'off', defaultServe: { variation: 'on' } };
  return {
    key,
    kind: 'OPS',
    valueType: 'BOOLEAN',
    owner: 'team-payments',
    variations: [
      { key: 'on', value: true },
      { key: 'off', value: false },
    ],
    environments: ['development', 'staging', 'production'].map((environment) => ({ environment, config })),
    ...extra,
  };
}

/** Creates flags over GraphQL, a few requests at a time. */
export async function seedFlags(gateway: TestGateway, inputs: CreateFlagInput[]): Promise<void> {
  const queue = [...inputs];
  const worker = async () => {
    for (let input = queue.shift(); input; input = queue.shift())
      dataOf(await gqlAt(gateway.endpoint, CreateFlagDocument, { input }, gateway.adminKey));
  };
  await Promise.all(Array.from({ length: 8 }, worker));
}

/** An offline context (only loopback loads) that records page errors; fails the test on any. */
export async function newConsoleContext(browser: Browser): Promise<{ context: BrowserContext; problems: string[] }> {
  const { context, blocked } = await offlineContext(browser);
  const problems = blocked;
  // playwright-core waits forever by default; a missing element must fail the test with its locator instead.
  context.setDefaultTimeout(20_000);
  context.on('page', (page) => page.on('pageerror', (error) => problems.push(`page error: ${error.message}`)));
  return { context, problems };
}

/** Opens the console in a new tab and signs in with `key` (own sessionStorage per tab). */
export async function signedIn(context: BrowserContext, url: string, key: string, path = '/console/'): Promise<Page> {
  const page = await context.newPage();
  await page.goto(`${url}${path}`);
  await page.getByLabel('API key').fill(key);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await expect.poll(() => page.getByRole('button', { name: 'Sign out' }).count(), { timeout: 20_000 }).toBe(1);
  return page;
}

/** Viewport screenshots (not full page, to keep them small) at 1280×800 and 420×800. */
export async function screenshots(page: Page, name: string): Promise<void> {
  for (const width of [1280, 420]) {
    await page.setViewportSize({ width, height: 800 });
    await page.screenshot({ path: join(artifacts, `console-${name}-${width}.png`) });
  }
  await page.setViewportSize({ width: 1280, height: 800 });
}
