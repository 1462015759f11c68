/**
 * The OFREP web provider where it is meant to run: in Debian's chromium, on a page of another origin
 * (so CORS preflights, exposed ETag headers and the browser's own fetch are part of the test), with
 * its default local-storage cache, against the real gateway.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { launchChromium } from '../support/browser.js';
import { build } from 'vite';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { ToggleFlagDocument } from '../../src/client/generated/graphql.js';
import { PROD } from '../fixtures/gateway/flags.js';
import { BOOL, createOfrepFlags, DISABLED, MISSING, NUMBER, OBJECT, STRING } from '../fixtures/gateway/ofrep-flags.js';
import { dataOf, repoRoot, startTestGateway, type TestGateway } from '../support/gateway.js';

vi.mock('graphql', async () => (await import('node:module')).createRequire(import.meta.url)('graphql'));

/** The page script: entry.ts and the OpenFeature packages in one IIFE. */
async function bundle(): Promise<string> {
  const output = await build({
    configFile: false,
    logLevel: 'silent',
    build: {
      write: false,
      minify: false,
      lib: {
        entry: join(repoRoot, 'test/ofrep/browser/entry.ts'),
        formats: ['iife'],
        name: 'ofrepEntry',
        fileName: () => 'entry.js',
      },
    },
  });
  const chunk = (Array.isArray(output) ? output[0]! : (output as { output: Array<{ code?: string }> })).output[0] as {
    code: string;
  };
  return chunk.code;
}

let gw: TestGateway;
let secret: string;
let site: Server;
let siteUrl: string;
let browser: Browser;
let page: Page;
const statuses: Array<{ method: string; status: number }> = [];

beforeAll(async () => {
  const script = await bundle();
  gw = await startTestGateway({ seed: false });
  secret = (await gw.createKey('EVALUATION', PROD)).secret;
  await createOfrepFlags(gw);
  site = createServer((_req, res) => {
    res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' });
    res.end(`<!doctype html><title>app</title><script>${script.replace(/<\/script/g, '<\\/script')}</script>`);
  });
  await new Promise<void>((resolve) => site.listen(0, '127.0.0.1', resolve));
  // localhost, not 127.0.0.1: another origin than the gateway's.
  siteUrl = `http://localhost:${(site.address() as AddressInfo).port}/app.html`;
  browser = await launchChromium();
  page = await browser.newPage();
  page.on('response', (response) => {
    if (response.url().includes('/ofrep/'))
      statuses.push({ method: response.request().method(), status: response.status() });
  });
  await page.goto(siteUrl);
  await page.evaluate(
    ([url, key]) => (window as any).ofrepTest.start(url, key, { targetingKey: 'u1', plan: 'pro' }, 150),
    [gw.url, secret] as const,
  );
}, 120_000);

afterAll(async () => {
  await browser?.close();
  await new Promise((resolve) => site?.close(resolve));
  await gw?.stop();
});

const details = (type: string, flag: string, fallback: unknown) =>
  page.evaluate(([t, f, d]) => (window as any).ofrepTest.details(t, f, d), [type, flag, fallback] as const);

describe('@openfeature/ofrep-web-provider in chromium', () => {
  it('evaluates every value type and per-flag error from a page of another origin', async () => {
    expect(await details('boolean', BOOL, false)).toMatchObject({
      value: true,
      reason: 'TARGETING_MATCH',
      variant: 'on',
      flagMetadata: { ruleId: 'pro' },
    });
    expect(await details('boolean', DISABLED, true)).toMatchObject({ value: false, reason: 'DISABLED' });
    expect(await details('number', NUMBER, 0)).toMatchObject({ value: 1.5 });
    expect(await details('object', OBJECT, {})).toMatchObject({ value: { theme: 'dark', size: 3 } });
    expect(await details('string', STRING, 'none')).toMatchObject({
      value: 'none',
      errorCode: 'TARGETING_KEY_MISSING',
    });
    expect(await details('boolean', MISSING, true)).toMatchObject({ value: true, errorCode: 'FLAG_NOT_FOUND' });
    expect(await details('boolean', NUMBER, true)).toMatchObject({ value: true, errorCode: 'TYPE_MISMATCH' });
    // Chromium sends the preflight itself (pages and playwright do not see it): the server's metrics do.
    const metrics = await (await fetch(`${gw.url}/metrics`)).text();
    expect(metrics).toMatch(/vexil_http_requests_total\{method="OPTIONS",route="\/ofrep",status="204"\} [1-9]/);
  });

  it('polls into 304s and emits ConfigurationChanged when a flag changes for this context', async () => {
    await vi.waitFor(() => expect(statuses.filter((seen) => seen.status === 304).length).toBeGreaterThanOrEqual(2), {
      timeout: 10_000,
    });
    dataOf(await gw.gql(ToggleFlagDocument, { key: DISABLED, environment: PROD, on: true }));
    await vi.waitFor(
      async () => expect(await page.evaluate(() => (window as any).ofrepTest.changes)).toEqual([[DISABLED]]),
      { timeout: 10_000 },
    );
    expect(await details('boolean', DISABLED, false)).toMatchObject({ value: true, reason: 'DEFAULT' });
  });
});
