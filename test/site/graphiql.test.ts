/**
 * `--dev` GraphiQL in headless chromium with every non-loopback request aborted: the page renders
 * from the gateway alone and runs a query.
 */
import type { Browser, BrowserContext } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { launchChromium, offlineContext } from '../support/browser.js';
import { startTestGateway, type TestGateway } from '../support/gateway.js';

let gw: TestGateway;
let browser: Browser;
let context: BrowserContext;
let blocked: string[];

beforeAll(async () => {
  gw = await startTestGateway({ seed: false, config: { dev: true } });
  browser = await launchChromium();
  ({ context, blocked } = await offlineContext(browser));
});

afterAll(async () => {
  await browser?.close();
  await gw?.stop();
});

describe('GraphiQL (dev mode)', () => {
  it('renders offline and runs { __typename }', async () => {
    const page = await context.newPage();
    const errors: string[] = [];
    page.on('pageerror', (error) => errors.push(error.message));
    await page.goto(`${gw.endpoint}?query=${encodeURIComponent('{ __typename }')}`);
    await page.locator('.graphiql-execute-button').click({ timeout: 20_000 });
    // Monaco draws spaces as no-break spaces.
    const result = async () => (await page.locator('.result-window').innerText()).replace(/\s+/g, ' ');
    await expect.poll(result, { timeout: 20_000 }).toContain('"data": { "__typename": "Query" }');
    expect(blocked).toEqual([]);
    expect(errors).toEqual([]);
  });
});
