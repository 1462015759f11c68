/**
 * The rule playground in headless Chromium against a real gateway (in-process, fresh store with the seed
 * flag): live results and diagnostics, context editing, trace hover, flag mode, shared links, and
 * screenshots at 1280×800 and 420×800 written to test/artifacts/ for a person to look at.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { launchChromium } from '../support/browser.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startApp } from '../../src/server/app.js';
import { configFromEnvironment } from '../../src/server/config.js';
import type { Gateway } from '../../src/server/gateway.js';
import { decodeState } from '../../src/playground/url-state.js';

const repo = fileURLToPath(new URL('../../', import.meta.url));
const artifacts = join(repo, 'test/artifacts');
const adminKey = 'vxl_admin_playground_test_0123456789';

function newestMtime(path: string): number {
  const info = statSync(path);
  if (!info.isDirectory()) return info.mtimeMs;
  return Math.max(info.mtimeMs, ...readdirSync(path).map((name) => newestMtime(join(path, name))));
}

/** Builds dist/playground when it is missing or older than its sources (the gateway serves that folder). */
function ensurePlaygroundBuilt(): void {
  const index = join(repo, 'dist/playground/index.html');
  const sources = Math.max(newestMtime(join(repo, 'src/playground')), newestMtime(join(repo, 'src/client/generated')));
  if (existsSync(index) && statSync(index).mtimeMs >= sources) return;
  execFileSync(
    process.execPath,
    [
      join(repo, 'node_modules/vite/bin/vite.js'),
      'build',
      '--config',
      'src/playground/vite.config.ts',
      '--logLevel',
      'warn',
    ],
    { cwd: repo, stdio: 'inherit' },
  );
}

let gateway: Gateway;
let browser: Browser;
let context: BrowserContext;
let dataDir: string;
/** One page for the rule-mode tests (each sets its own rule and context); the others open their own. */
let shared: Page;

beforeAll(async () => {
  ensurePlaygroundBuilt();
  mkdirSync(artifacts, { recursive: true });
  dataDir = mkdtempSync(join(tmpdir(), 'vexil-playground-'));
  gateway = await startApp(
    configFromEnvironment({}, { port: 0, host: '127.0.0.1', dataDir, bootstrapAdminKey: adminKey, logLevel: 'silent' }),
  );
  browser = await launchChromium();
  // Pages of one context still have their own sessionStorage (it is per tab), which the key test relies on.
  context = await browser.newContext({ viewport: { width: 1280, height: 800 } });
  shared = await open();
});

afterAll(async () => {
  await browser?.close();
  await gateway?.close();
  if (dataDir) rmSync(dataDir, { recursive: true, force: true });
});

/** Opens the playground in a new tab (own sessionStorage), recording page errors and requests that leave the gateway. */
async function open(hash = '', viewport = { width: 1280, height: 800 }): Promise<Page> {
  const page = await context.newPage();
  await page.setViewportSize(viewport);
  const problems: string[] = [];
  page.on('pageerror', (error) => problems.push(`page error: ${error.message}`));
  page.on('request', (request) => {
    if (!request.url().startsWith(gateway.url) && !request.url().startsWith('data:'))
      problems.push(`request outside the gateway: ${request.url()}`);
  });
  (page as Page & { problems?: string[] }).problems = problems;
  await page.goto(`${gateway.url}/playground/${hash}`);
  await page.locator('#verdict .verdict-title').waitFor();
  return page;
}

function problemsOf(page: Page): string[] {
  return (page as Page & { problems?: string[] }).problems ?? [];
}

async function replaceText(page: Page, editor: '#rule-editor' | '#context-editor', text: string): Promise<void> {
  await page.locator(`${editor} .cm-content`).click();
  await page.keyboard.press('ControlOrMeta+A');
  await page.keyboard.insertText(text);
}

const editorText = (page: Page, editor: string) => page.locator(`${editor} .cm-content`).innerText();
/** The text under the trace highlight (syntax highlighting splits it into several marks). */
const highlighted = async (page: Page, scope = '#rule-editor') =>
  (await page.locator(`${scope} .cm-trace-highlight`).allInnerTexts()).join('');
/** Polls until the assertion holds: requests are debounced and the machine may be busy. */
const eventually = <T>(read: () => Promise<T> | T) => expect.poll(read, { timeout: 10_000, interval: 50 });
async function graphql(query: string, variables: Record<string, unknown>): Promise<unknown> {
  const response = await fetch(`${gateway.url}/graphql`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${adminKey}` },
    body: JSON.stringify({ query, variables }),
  });
  const body = (await response.json()) as { data?: unknown; errors?: unknown };
  expect(body.errors).toBeUndefined();
  return body.data;
}
const verdict = (page: Page) => page.locator('#verdict .verdict-title').innerText();

describe('rule playground', () => {
  it('shows the result of a rule typed in the editor, with completion from the context', async () => {
    const page = shared;
    await page.locator('#rule-editor .cm-content').click();
    await page.keyboard.press('ControlOrMeta+A');
    await page.keyboard.press('Backspace');
    await page.keyboard.type('accountAge');
    // Completion offers the context's attribute; Enter accepts it (after CodeMirror's short interaction delay).
    await eventually(() => page.locator('.cm-tooltip-autocomplete').innerText()).toContain('accountAgeDays');
    await page.waitForTimeout(150);
    await page.keyboard.press('Enter');
    await eventually(() => editorText(page, '#rule-editor')).toBe('accountAgeDays');
    await page.keyboard.type(' >= 10 and plan == "premium"');
    expect(await editorText(page, '#rule-editor')).toBe('accountAgeDays >= 10 and plan == "premium"');

    await eventually(() => verdict(page)).toBe('Matches');
    await eventually(() => page.locator('.trace-tree > li > .trace-row .trace-text').innerText()).toBe(
      'accountAgeDays >= 10 and plan == "premium"',
    );
    expect(await page.locator('.chip[data-attribute="plan"]').innerText()).toContain('in context');
    expect(await page.locator('.js code').innerText()).toContain('root.plan');
    expect(problemsOf(page)).toEqual([]);
  });

  it('marks a syntax error at the right column, in the editor and in the list', async () => {
    const page = shared;
    await replaceText(page, '#rule-editor', 'plan == "a" and and x');
    await eventually(() => page.locator('#rule-diagnostics li').first().innerText()).toContain('line 1, column 17');
    expect(await page.locator('#rule-diagnostics li').first().innerText()).toContain(
      "expected a value after 'and' but found 'and'",
    );
    expect(await verdict(page)).toBe('Invalid rule');

    const marks = page.locator('#rule-editor .cm-lintRange-error');
    await eventually(() => marks.count()).toBe(1);
    expect(await marks.innerText()).toBe('and');
    // The squiggle sits over characters 16–19 of the line: compare with the rendered text's own geometry.
    const geometry = await page.evaluate(() => {
      const line = document.querySelector('#rule-editor .cm-line')!;
      const mark = document.querySelector('#rule-editor .cm-lintRange-error')!.getBoundingClientRect();
      const walker = document.createTreeWalker(line, NodeFilter.SHOW_TEXT);
      const range = document.createRange();
      let seen = 0;
      for (let node = walker.nextNode(); node; node = walker.nextNode()) {
        const length = node.textContent!.length;
        if (seen <= 16 && 16 < seen + length) range.setStart(node, 16 - seen);
        if (seen < 19 && 19 <= seen + length) range.setEnd(node, 19 - seen);
        seen += length;
      }
      const expected = range.getBoundingClientRect();
      return { markLeft: mark.left, markRight: mark.right, left: expected.left, right: expected.right };
    });
    expect(Math.abs(geometry.markLeft - geometry.left)).toBeLessThan(1.5);
    expect(Math.abs(geometry.markRight - geometry.right)).toBeLessThan(1.5);

    // The message is on hover too.
    await marks.hover();
    await eventually(() => page.locator('.cm-tooltip-lint').innerText()).toContain("expected a value after 'and'");

    // Fixing the rule clears the marks.
    await replaceText(page, '#rule-editor', 'plan == "a"');
    await eventually(() => page.locator('#rule-diagnostics li').count()).toBe(0);
    await eventually(() => verdict(page)).toBe('Does not match');
    expect(await marks.count()).toBe(0);
  });

  it('re-evaluates when the context changes, marks absent attributes and reports JSON errors', async () => {
    const page = shared;
    await replaceText(page, '#rule-editor', 'plan == "premium" and not beta');
    await replaceText(page, '#context-editor', '{"plan": "premium"}');
    await eventually(() => verdict(page)).toBe('Matches');
    expect(await page.locator('.chip[data-attribute="beta"]').innerText()).toContain('missing');

    await replaceText(page, '#context-editor', '{"plan": "free", "beta": false}');
    await eventually(() => verdict(page)).toBe('Does not match');
    expect(await page.locator('.chip[data-attribute="beta"]').innerText()).toContain('in context');

    await replaceText(page, '#context-editor', '{"plan": }');
    await eventually(() => page.locator('#context-diagnostics li').innerText()).toContain('line 1, column 10');
    expect(await page.locator('#context-editor .cm-lintRange-error').innerText()).toBe('}');
    await eventually(() => verdict(page)).toBe('Compiles');
  });

  it('highlights the span of a hovered or focused trace node in the editor', async () => {
    const page = shared;
    await replaceText(page, '#context-editor', '{"plan": "premium", "country": "GB"}');
    await replaceText(
      page,
      '#rule-editor',
      '(plan == "premium" or accountAgeDays > 30) and country in ["US", "CA", "GB"]',
    );
    await eventually(() => verdict(page)).toBe('Matches');
    await eventually(() => page.locator('.trace-tree > li > .trace-row .trace-text').innerText()).toBe(
      '(plan == "premium" or accountAgeDays > 30) and country in ["US", "CA", "GB"]',
    );
    const highlight = page.locator('#rule-editor .cm-trace-highlight');
    expect(await highlight.count()).toBe(0);

    const inNode = page.locator('.trace-item[data-start]', {
      has: page.locator(':scope > .trace-row .trace-kind', { hasText: /^in$/ }),
    });
    await inNode.locator(':scope > .trace-row').hover();
    await eventually(() => highlighted(page)).toBe('country in ["US", "CA", "GB"]');

    await page.mouse.move(1, 1);
    await eventually(() => highlight.count()).toBe(0);

    // Keyboard: the tree is one tab stop; arrow keys move and the highlight follows focus.
    await page.locator('.trace-tree > li').focus();
    await eventually(() => highlighted(page)).toBe(
      '(plan == "premium" or accountAgeDays > 30) and country in ["US", "CA", "GB"]',
    );
    await page.keyboard.press('ArrowDown');
    await eventually(() => highlighted(page)).toBe('(plan == "premium" or accountAgeDays > 30)');
    await page.keyboard.press('ArrowDown');
    await eventually(() => highlighted(page)).toBe('plan == "premium"');
    expect(problemsOf(page)).toEqual([]);
  });

  it('flag mode explains the seed flag and highlights the rule that matched; the link restores it without the key', async () => {
    const page = await open();
    await page.getByRole('radio', { name: 'Flag' }).check();
    await page.locator('#api-key').fill(adminKey);
    await page.locator('#key-form button[type="submit"]').click();
    await page.locator('#flag-select option[value="new_checkout"]').waitFor({ state: 'attached' });
    await page.locator('#flag-select').selectOption('new_checkout');
    await page.locator('#env-select').selectOption('production');
    await replaceText(page, '#context-editor', '{"email":"a@company.com"}');

    const first = page.locator('.rule-card[data-rule-index="0"]');
    await eventually(() => first.getAttribute('data-status')).toBe('matched');
    expect(await first.getAttribute('class')).toContain('rule-matched');
    expect(await page.locator('.rule-card.rule-matched').count()).toBe(1);
    expect(await page.locator('.rule-card[data-rule-index="1"]').getAttribute('data-status')).toBe('skipped');
    expect(await verdict(page)).toBe('Serves “on”');
    expect(await page.locator('.reason').getAttribute('data-reason')).toBe('TARGETING_MATCH');

    // Hovering a node of the rule's trace highlights it in that rule's condition.
    await first.locator('.trace-item .trace-row', { hasText: 'attribute' }).first().hover();
    await eventually(() => highlighted(page, '.rule-card[data-rule-index="0"]')).toBe('email');

    // A rollout: the bucket and whether the user is in it.
    await replaceText(page, '#context-editor', '{"targetingKey":"u1","plan":"premium"}');
    await eventually(() => page.locator('.reason').getAttribute('data-reason')).toBe('SPLIT');
    expect(await page.locator('.rule-card[data-rule-index="1"]').getAttribute('data-status')).toBe('matched');
    expect(await page.locator('[data-in-rollout]').innerText()).toMatch(/^(yes|no)/);
    await page.screenshot({ path: join(artifacts, 'playground-flag-1280.png'), fullPage: true });

    await replaceText(page, '#context-editor', '{"email":"a@company.com"}');
    await eventually(() => page.locator('.reason').getAttribute('data-reason')).toBe('TARGETING_MATCH');
    expect(await page.evaluate(() => sessionStorage.getItem('vexil.playground.apiKey'))).toBe(adminKey);

    // The shared link: state from the page's own URL, never the key.
    await page.locator('#share').click();
    const link = await page.locator('#share-status').getAttribute('data-link');
    expect(link).toBe(page.url());
    const hash = new URL(link!).hash;
    expect(decodeState(hash)).toMatchObject({
      mode: 'flag',
      flag: 'new_checkout',
      environment: 'production',
      context: '{"email":"a@company.com"}',
    });
    expect(link).not.toContain(adminKey);
    expect(Buffer.from(hash.slice(3), 'base64url').toString()).not.toContain(adminKey);

    const restored = await open(hash);
    expect(await restored.getByRole('radio', { name: 'Flag' }).isChecked()).toBe(true);
    expect(await restored.locator('#rule-section').isHidden()).toBe(true);
    expect(await editorText(restored, '#context-editor')).toBe('{"email":"a@company.com"}');
    expect(await restored.locator('#api-key').inputValue()).toBe('');
    expect(await restored.locator('#flag-status').innerText()).toContain('new_checkout');
    await restored.locator('#api-key').fill(adminKey);
    await restored.locator('#api-key').press('Enter');
    await eventually(() => restored.locator('.rule-card[data-rule-index="0"]').getAttribute('data-status')).toBe(
      'matched',
    );
    expect(await restored.locator('#flag-select').inputValue()).toBe('new_checkout');
    expect(await restored.locator('#env-select').inputValue()).toBe('production');
    expect([...problemsOf(page), ...problemsOf(restored)]).toEqual([]);
  });

  it('flag mode shows an individual target: "target: vip-1 → off", served before any rule', async () => {
    await graphql(
      `mutation($config: EnvironmentConfigInput!) {
        setFlagEnvironment(key: "new_checkout", environment: "production", expectedVersion: 1, config: $config) { version }
      }`,
      {
        config: {
          on: true,
          offVariation: 'off',
          defaultServe: { variation: 'off' },
          targets: [{ variation: 'off', values: ['vip-1', 'vip-2'] }],
        },
      },
    );
    const page = await open();
    await page.getByRole('radio', { name: 'Flag' }).check();
    await page.locator('#api-key').fill(adminKey);
    await page.locator('#key-form button[type="submit"]').click();
    await page.locator('#flag-select option[value="new_checkout"]').waitFor({ state: 'attached' });
    await page.locator('#flag-select').selectOption('new_checkout');
    await page.locator('#env-select').selectOption('production');
    // Staff would match rule 1 and get "on": the target decides first.
    await replaceText(page, '#context-editor', '{"targetingKey":"vip-1","email":"a@company.com"}');

    await eventually(() => page.locator('.reason').getAttribute('data-reason')).toBe('TARGET_MATCH');
    expect(await page.locator('.target-match').innerText()).toBe('target: vip-1 → off');
    expect(await verdict(page)).toBe('Serves “off”');
    expect(await page.locator('.rule-card.rule-matched').count()).toBe(0);
    expect(await page.locator('.rule-card[data-rule-index="0"]').getAttribute('data-status')).toBe('skipped');

    await replaceText(page, '#context-editor', '{"targetingKey":"someone","email":"a@company.com"}');
    await eventually(() => page.locator('.reason').getAttribute('data-reason')).toBe('TARGETING_MATCH');
    expect(await page.locator('.target-match').count()).toBe(0);
    expect(problemsOf(page)).toEqual([]);
    await page.close();
  });

  it('restores the rule, the context and the mode from a link the page made', async () => {
    const page = await open();
    await replaceText(page, '#rule-editor', 'lower(email) endsWith "@example.com" && attrs["x-team"] == "payments"');
    await replaceText(page, '#context-editor', '{"email": "Zoë@Example.com", "attrs": {"x-team": "payments"}}');
    await eventually(() => verdict(page)).toBe('Matches');
    await eventually(() => decodeState(new URL(page.url()).hash)?.context).toBe(
      '{"email": "Zoë@Example.com", "attrs": {"x-team": "payments"}}',
    );

    const restored = await open(new URL(page.url()).hash);
    expect(await restored.getByRole('radio', { name: 'Rule' }).isChecked()).toBe(true);
    expect(await editorText(restored, '#rule-editor')).toBe(
      'lower(email) endsWith "@example.com" && attrs["x-team"] == "payments"',
    );
    expect(await editorText(restored, '#context-editor')).toBe(
      '{"email": "Zoë@Example.com", "attrs": {"x-team": "payments"}}',
    );
    await eventually(() => verdict(restored)).toBe('Matches');
    expect(await restored.locator('.chip[data-attribute=\'attrs["x-team"]\']').innerText()).toContain('in context');
  });

  it('takes screenshots at 1280×800 and 420×800', async () => {
    for (const width of [1280, 420]) {
      const page = await open('', { width, height: 800 });
      await eventually(() => verdict(page)).toBe('Matches');
      await page.locator('.trace-tree').waitFor();
      // Narrow windows stack into one column: the result panel sits below the editors.
      const [input, output] = await Promise.all([
        page.locator('.column-input').boundingBox(),
        page.locator('.column-output').boundingBox(),
      ]);
      if (width >= 900) expect(output!.x).toBeGreaterThan(input!.x + input!.width - 1);
      else expect(output!.y).toBeGreaterThan(input!.y + input!.height - 1);
      // Nothing overflows the window horizontally.
      expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(width);
      await page.screenshot({ path: join(artifacts, `playground-${width}.png`) });
      await page.screenshot({ path: join(artifacts, `playground-${width}-full.png`), fullPage: true });
      expect(problemsOf(page)).toEqual([]);
    }
  });
});
