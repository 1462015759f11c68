/**
 * The console's sign-in and flags table in Debian chromium against a real gateway: each key kind,
 * finding one flag among 1,000 and flipping its production kill switch (the evaluation over HTTP
 * changes right after), the same with the keyboard only, and a GraphQL change showing up live.
 */
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ToggleFlagDocument } from '../../src/client/generated/graphql.js';
import { launchChromium } from '../support/browser.js';
import { dataOf, standardKeys, startTestGateway, type TestGateway } from '../support/gateway.js';
import { ensureConsoleBuilt, newConsoleContext, opsFlag, screenshots, seedFlags, signedIn } from './console-support.js';

let gateway: TestGateway;
let keys: Awaited<ReturnType<typeof standardKeys>>;
let browser: Browser;
let context: BrowserContext;
let problems: string[];

beforeAll(async () => {
  ensureConsoleBuilt();
  gateway = await startTestGateway({ seed: false, config: { usageFlushMs: 200 } });
  keys = await standardKeys(gateway);
  await seedFlags(
    gateway,
    Array.from({ length: 1000 }, (_, i) => opsFlag(`flag-${String(i).padStart(4, '0')}`)),
  );
  browser = await launchChromium();
  ({ context, problems } = await newConsoleContext(browser));
}, 180_000);

afterAll(async () => {
  await browser?.close();
  await gateway?.stop();
});

/** The value production serves for a flag, asked over HTTP with an evaluation key. */
async function productionValue(flag: string): Promise<unknown> {
  const query = `{ evaluate(key: "${flag}", context: { targetingKey: "u1" }) { value reason } }`;
  return dataOf(await gateway.gql<{ evaluate: { value: unknown } }, never>(query, undefined, keys.evalProd)).evaluate
    .value;
}

async function search(page: Page, text: string): Promise<void> {
  await page.getByLabel('Search').fill(text);
  await expect.poll(() => page.locator('table.flags tbody tr').count(), { timeout: 20_000 }).toBe(1);
}

describe('signing in', { timeout: 120_000 }, () => {
  it('accepts an admin key and shows the flags with working switches', async () => {
    const page = await signedIn(context, gateway.url, keys.admin);
    await expect.poll(() => page.getByText('1000 flags, page 1').count(), { timeout: 20_000 }).toBe(1);
    // Paged: 1,000 flags are never 1,000 rows.
    expect(await page.locator('table.flags tbody tr').count()).toBe(50);
    expect(await page.getByRole('switch', { name: 'flag-0000 in production' }).isEnabled()).toBe(true);
    await screenshots(page, 'flags');
    await page.getByRole('button', { name: 'Sign out' }).click();
    await expect.poll(() => page.getByLabel('API key').count()).toBe(1);
    // Nothing of the key is left behind in this tab, the URL, or local storage.
    expect(await page.evaluate(() => sessionStorage.length + localStorage.length)).toBe(0);
    await page.close();
  });

  it('gives a read-only key a read-only console', async () => {
    const page = await signedIn(context, gateway.url, keys.readOnly);
    await expect.poll(() => page.getByText(/Read-only key/).count(), { timeout: 20_000 }).toBe(1);
    const production = page.getByRole('switch', { name: 'flag-0000 in production' });
    await expect.poll(() => production.count(), { timeout: 20_000 }).toBe(1);
    expect(await production.isDisabled()).toBe(true);
    expect(page.url()).not.toContain(keys.readOnly);
    expect(await page.evaluate(() => localStorage.length)).toBe(0);
    await page.close();
  });

  it('refuses an evaluation key with a sentence naming the kinds needed', async () => {
    const page = await context.newPage();
    await page.goto(`${gateway.url}/console/`);
    await page.getByLabel('API key').fill(keys.evalProd);
    await page.getByRole('button', { name: 'Sign in' }).click();
    const alert = page.getByRole('alert');
    await expect.poll(() => alert.count(), { timeout: 20_000 }).toBe(1);
    expect(await alert.textContent()).toMatch(
      /may only evaluate flags \(an evaluation key\): the console needs an admin key .* or a read-only key/,
    );
    expect(await page.evaluate(() => sessionStorage.length)).toBe(0);
    await screenshots(page, 'sign-in');
    await page.close();
  });
});

describe('the kill switch', { timeout: 120_000 }, () => {
  it('finds a flag among 1,000 and turns it off in production in two clicks', async () => {
    const page = await signedIn(context, gateway.url, keys.admin);
    await search(page, 'flag-0737');
    expect(await productionValue('flag-0737')).toBe(true);
    await page.getByRole('switch', { name: 'flag-0737 in production' }).click();
    const dialog = page.getByRole('dialog');
    await dialog.getByLabel(/Comment/).fill('INC-123');
    await screenshots(page, 'toggle-dialog');
    await dialog.getByRole('button', { name: 'Turn off' }).click();
    // The mutation has been acknowledged once the dialog closes; the evaluation must have changed by then.
    await expect.poll(() => dialog.count(), { timeout: 20_000 }).toBe(0);
    expect(await productionValue('flag-0737')).toBe(false);
    const production = page.getByRole('switch', { name: 'flag-0737 in production' });
    await expect.poll(() => production.getAttribute('aria-checked'), { timeout: 20_000 }).toBe('false');
    await page.close();
  });

  it("shows each flag's evaluations of the last 7 days in production", async () => {
    // flag-0737 was evaluated twice in production by the test above; wait for the usage flush.
    const usageQuery = '{ flag(key: "flag-0737") { usage(environment: "production", window: 7) { total } } }';
    await expect
      .poll(
        async () =>
          dataOf(await gateway.gql<{ flag: { usage: { total: number } } }, never>(usageQuery, undefined, keys.admin))
            .flag.usage.total,
        { timeout: 20_000 },
      )
      .toBe(2);
    const page = await signedIn(context, gateway.url, keys.admin);
    await expect
      .poll(() => page.getByRole('columnheader', { name: 'Evaluations, 7 days (production)' }).count())
      .toBe(1);
    await search(page, 'flag-0737');
    const cell = page.locator('table.flags tbody tr td[data-label="evaluations, 7 days"]');
    await expect.poll(() => cell.textContent(), { timeout: 20_000 }).toBe('2');
    await page.close();
  });

  it('works with the keyboard only, and Esc cancels', async () => {
    const page = await signedIn(context, gateway.url, keys.admin);
    await page.getByLabel('Search').focus();
    await page.keyboard.type('flag-0042');
    await expect.poll(() => page.locator('table.flags tbody tr').count(), { timeout: 20_000 }).toBe(1);
    const production = page.getByRole('switch', { name: 'flag-0042 in production' });
    // Tab from the search box until the production switch has focus.
    for (let i = 0; i < 40 && !(await production.evaluate((el) => el === document.activeElement)); i++)
      await page.keyboard.press('Tab');
    expect(await production.evaluate((el) => el === document.activeElement)).toBe(true);
    await page.keyboard.press('Enter');
    await expect.poll(() => page.getByRole('dialog').count()).toBe(1);
    await page.keyboard.press('Escape');
    await expect.poll(() => page.getByRole('dialog').count()).toBe(0);
    expect(await productionValue('flag-0042')).toBe(true);
    // Focus is back on the switch (restored once the dialog has closed): Space opens the dialog again,
    // the comment field has focus, Enter confirms.
    await expect.poll(() => production.evaluate((el) => el === document.activeElement)).toBe(true);
    await page.keyboard.press('Space');
    await expect.poll(() => page.getByRole('dialog').count()).toBe(1);
    await page.keyboard.type('INC-124');
    await page.keyboard.press('Enter');
    await expect.poll(() => page.getByRole('dialog').count(), { timeout: 20_000 }).toBe(0);
    expect(await productionValue('flag-0042')).toBe(false);
    await page.close();
  });
});

describe('live updates', { timeout: 120_000 }, () => {
  it('shows a change made over GraphQL in an open console within 1 s of the mutation', async () => {
    const page = await signedIn(context, gateway.url, keys.admin);
    await search(page, 'flag-0500');
    const staging = page.getByRole('switch', { name: 'flag-0500 in staging' });
    expect(await staging.getAttribute('aria-checked')).toBe('true');
    await expect.poll(() => page.locator('.live-live').count(), { timeout: 20_000 }).toBe(1);
    dataOf(await gateway.gql(ToggleFlagDocument, { key: 'flag-0500', environment: 'staging', on: false }));
    const acknowledged = Date.now();
    await staging.and(page.locator('[aria-checked="false"]')).waitFor({ timeout: 20_000 });
    // The bound, measured from the mutation's acknowledgement (waited for, not slept).
    expect(Date.now() - acknowledged).toBeLessThan(1000);
    await page.close();
  });
});

it('loaded nothing from outside the gateway and threw no page error', () => {
  expect(problems).toEqual([]);
});
