/**
 * The console's flag page, history and admin pages in Debian chromium against a real gateway: a rule
 * with a syntax error blocks saving until fixed, a split must add up to 100%, a conflicting write in
 * between is shown field by field and resolved by reapplying, the history shows the diff, API keys are
 * created (secret shown once) and revoked (after confirming); screenshots of each page.
 */
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FlagDocument, SetFlagEnvironmentDocument } from '../../src/client/generated/graphql.js';
import { launchChromium } from '../support/browser.js';
import { dataOf, startTestGateway, type TestGateway } from '../support/gateway.js';
import { ensureConsoleBuilt, newConsoleContext, opsFlag, screenshots, seedFlags, signedIn } from './console-support.js';

let gateway: TestGateway;
let browser: Browser;
let context: BrowserContext;
let problems: string[];

const rules = [{ id: 'beta', condition: 'plan == "beta"', serve: { variation: 'on' } }];

beforeAll(async () => {
  ensureConsoleBuilt();
  gateway = await startTestGateway({ seed: false });
  const production = { on: true, offVariation: 'off', defaultServe: { variation: 'off' }, rules };
  await seedFlags(gateway, [
    opsFlag('checkout', { environments: [{ environment: 'production', config: production }] }),
    opsFlag('search'),
  ]);
  browser = await launchChromium();
  ({ context, problems } = await newConsoleContext(browser));
}, 120_000);

afterAll(async () => {
  await browser?.close();
  await gateway?.stop();
});

async function productionConfig(key: string) {
  const flag = dataOf(await gateway.gql(FlagDocument, { key })).flag!;
  return { version: flag.version, ...flag.environments.find((e) => e.environment === 'production')! };
}

async function openFlag(key: string): Promise<Page> {
  const page = await signedIn(context, gateway.url, gateway.adminKey, `/console/flags/${key}`);
  await page.getByRole('heading', { name: 'production', exact: true }).waitFor({ timeout: 20_000 });
  return page;
}

/**
 * Replaces the text of a rule's condition editor as the playground's tests do (select all, insert):
 * key-by-key typing of a space stalls playwright's input here while the page itself stays responsive.
 */
async function typeCondition(page: Page, index: number, text: string): Promise<void> {
  const editor = page.getByLabel(`Condition of rule ${index}`);
  await editor.click();
  await page.keyboard.press('ControlOrMeta+A');
  await page.keyboard.insertText(text);
}

const saveButton = (page: Page) => page.getByRole('button', { name: 'Save production' });

describe('editing rules', { timeout: 120_000 }, () => {
  it('shows a syntax error, blocks saving until it is fixed, then saves', async () => {
    const page = await openFlag('checkout');
    await typeCondition(page, 1, 'plan == ');
    const problemsList = page.locator('.problems li');
    await expect.poll(() => problemsList.count(), { timeout: 20_000 }).toBeGreaterThan(0);
    expect(await page.getByText('Fix the rule errors shown above before saving.').count()).toBe(1);
    expect(await saveButton(page).isDisabled()).toBe(true);
    await screenshots(page, 'flag-rule-error');

    await typeCondition(page, 1, 'plan == "gold"');
    await expect.poll(() => problemsList.count(), { timeout: 20_000 }).toBe(0);
    await expect.poll(() => saveButton(page).isEnabled(), { timeout: 20_000 }).toBe(true);
    await saveButton(page).click();
    await expect.poll(() => page.getByText(/Saved: version/).count(), { timeout: 20_000 }).toBe(1);
    expect((await productionConfig('checkout')).rules[0]?.condition).toBe('plan == "gold"');
    await page.close();
  });

  it('refuses a split whose weights do not add up to 100%', async () => {
    const page = await openFlag('search');
    const serve = page.getByRole('group', { name: 'Default serve (no rule matched)' });
    await serve.getByLabel('A split').check();
    await serve.getByLabel('on (%)').fill('60');
    await serve.getByLabel('off (%)').fill('30');
    await expect.poll(() => serve.getByRole('alert').textContent()).toContain('add up to 90%');
    expect(await saveButton(page).isDisabled()).toBe(true);
    expect(await page.locator('.save-bar .error').textContent()).toContain('must add up to exactly 100%');
    await serve.getByLabel('off (%)').fill('40');
    await expect.poll(() => saveButton(page).isEnabled()).toBe(true);
    await saveButton(page).click();
    await expect.poll(() => page.getByText(/Saved: version/).count(), { timeout: 20_000 }).toBe(1);
    const weights = (await productionConfig('search')).defaultServe.rollout?.weights;
    expect(weights).toEqual([
      { variation: 'on', weight: 60_000 },
      { variation: 'off', weight: 40_000 },
    ]);
    await page.close();
  });

  it('shows what changed under a save, field by field, and reapplies the edit on top', async () => {
    const page = await openFlag('checkout');
    await page.getByLabel('Description').fill('gold customers first');
    // Someone else changes the default serve after this page loaded it.
    const before = await productionConfig('checkout');
    dataOf(
      await gateway.gql(SetFlagEnvironmentDocument, {
        key: 'checkout',
        environment: 'production',
        expectedVersion: before.version,
        config: { on: true, offVariation: 'off', defaultServe: { variation: 'on' } },
      }),
    );
    await saveButton(page).click();
    const conflict = page.locator('.conflict');
    await conflict.waitFor({ timeout: 20_000 });
    const row = conflict.getByRole('row', { name: /defaultServe\.variation/ });
    expect(await row.textContent()).toMatch(/defaultServe\.variation\s*off\s*on/);
    await screenshots(page, 'flag-conflict');
    await conflict.getByRole('button', { name: 'Reapply my edit on top' }).click();
    await saveButton(page).click();
    await expect.poll(() => page.getByText(/Saved: version/).count(), { timeout: 20_000 }).toBe(1);
    const after = await productionConfig('checkout');
    expect(after.defaultServe.variation).toBe('on');
    expect(after.rules[0]?.description).toBe('gold customers first');
    await page.close();
  });
});

describe('creating a flag', { timeout: 120_000 }, () => {
  it('checks the key as it is typed, shows the expiry default of the kind, and creates the flag off everywhere', async () => {
    const page = await signedIn(context, gateway.url, gateway.adminKey, '/console/new');
    await page.getByLabel('Key').fill('New Flag');
    expect(await page.locator('#new-key-problem').textContent()).toMatch(/lower-case letters/);
    expect(await page.getByRole('button', { name: 'Create flag' }).isDisabled()).toBe(true);
    await page.getByLabel('Key').fill('new-flag');
    await page.getByLabel('Kind').selectOption('EXPERIMENT');
    expect(await page.locator('#new-kind-expiry').textContent()).toContain('90 days');
    await page.getByLabel('Owner').fill('growth');
    await screenshots(page, 'create-flag');
    await page.getByRole('button', { name: 'Create flag' }).click();
    await page.getByRole('heading', { name: 'new-flag', exact: true }).waitFor();
    const flag = dataOf(await gateway.gql(FlagDocument, { key: 'new-flag' })).flag!;
    expect(flag.kind).toBe('EXPERIMENT');
    expect(flag.owner).toBe('growth');
    expect(flag.expiresAt).not.toBeNull();
    expect(flag.environments.length).toBeGreaterThan(0);
    expect(flag.environments.every((e) => !e.on)).toBe(true);
    await page.close();
  });
});

describe('history and the other pages', { timeout: 120_000 }, () => {
  it('shows the audit log of a flag with a before/after diff, actor and comment', async () => {
    const page = await signedIn(context, gateway.url, gateway.adminKey, '/console/history?key=checkout');
    const entry = page.locator('.audit-entry').filter({ hasText: 'rules[0].condition' }).first();
    await entry.waitFor({ timeout: 20_000 });
    expect(await entry.getByRole('row', { name: /rules\[0\]\.condition/ }).textContent()).toMatch(
      /plan == "beta"\s*plan == "gold"/,
    );
    expect(await entry.textContent()).toContain('bootstrap-admin');
    await screenshots(page, 'history');
    await page.close();
  });

  it('creates an API key showing its secret once, and revokes one after confirming', async () => {
    const page = await signedIn(context, gateway.url, gateway.adminKey, '/console/keys');
    await page.getByLabel('Name').fill('checkout-service');
    await page.getByLabel('Environment').fill('production');
    await page.getByRole('button', { name: 'Create key' }).click();
    const secret = page.locator('#new-secret');
    await secret.waitFor({ timeout: 20_000 });
    expect(await secret.textContent()).toMatch(/^vxl_/);
    await screenshots(page, 'keys');
    await page.getByRole('button', { name: 'Revoke checkout-service' }).click();
    const dialog = page.getByRole('dialog');
    await dialog.getByRole('button', { name: 'Revoke' }).click();
    await expect
      .poll(() => page.getByRole('row', { name: /checkout-service/ }).textContent(), { timeout: 20_000 })
      .toMatch(/revoked/);
    await page.close();
  });

  it('shows the flag page, segments and environments (screenshots)', async () => {
    const flag = await openFlag('checkout');
    await flag.getByRole('button', { name: 'Evaluate with trace' }).click();
    await flag
      .locator('.explanation')
      .getByText(/rule|default/i)
      .first()
      .waitFor({ timeout: 20_000 });
    await screenshots(flag, 'flag');
    await flag.close();
    for (const name of ['segments', 'environments']) {
      const page = await signedIn(context, gateway.url, gateway.adminKey, `/console/${name}`);
      await page.getByRole('heading', { level: 1 }).waitFor();
      await screenshots(page, name);
      await page.close();
    }
  });
});

it('loaded nothing from outside the gateway and threw no page error', () => {
  expect(problems).toEqual([]);
});
