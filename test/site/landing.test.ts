/** `GET /` answers a landing page whose every link works, GraphiQL's only in dev mode. */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { repoRoot, startTestGateway, type TestGateway } from '../support/gateway.js';

let gw: TestGateway;
let dev: TestGateway;

beforeAll(async () => {
  [gw, dev] = await Promise.all([
    startTestGateway({ seed: false }),
    startTestGateway({ seed: false, config: { dev: true } }),
  ]);
});

afterAll(async () => {
  await Promise.all([gw?.stop(), dev?.stop()]);
});

function links(html: string): string[] {
  return [...html.matchAll(/<a href="([^"]+)"/g)].map((match) => match[1]!);
}

async function page(gateway: TestGateway): Promise<{ response: Response; html: string }> {
  const response = await fetch(`${gateway.url}/`);
  return { response, html: await response.text() };
}

describe('the landing page', () => {
  it('is served at / as HTML that loads nothing from elsewhere', async () => {
    const { response, html } = await page(gw);
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toBe('text/html; charset=utf-8');
    expect(response.headers.get('content-security-policy')).toContain("default-src 'none'");
    expect(html).toContain('<title>Vexil feature-flag gateway</title>');
    expect(html).not.toMatch(/<(?:script|link|img)\b/i);
    expect(html).not.toMatch(/(?:src|href)="(?:https?:)?\/\//i);
  });

  it('links the reference, diagrams, health, readiness and metrics, and each link answers 200', async () => {
    const { html } = await page(gw);
    const hrefs = links(html);
    expect(hrefs).toEqual(
      expect.arrayContaining(['/grammar/reference.html', '/grammar/', '/healthz', '/readyz', '/metrics']),
    );
    expect(hrefs.includes('/playground/')).toBe(existsSync(join(repoRoot, 'dist/playground/index.html')));
    for (const href of hrefs) expect((await fetch(`${gw.url}${href}`)).status, href).toBe(200);
  });

  it('links GraphiQL only in dev mode, and says how to turn it on otherwise', async () => {
    expect(links((await page(gw)).html)).not.toContain('/graphql');
    expect((await page(gw)).html).toContain('vexil serve --dev');
    const { html } = await page(dev);
    expect(links(html)).toContain('/graphql');
    const graphiql = await fetch(`${dev.url}/graphql`, { headers: { accept: 'text/html' } });
    expect(graphiql.status).toBe(200);
    expect(await graphiql.text()).toContain('YogaGraphiQL');
  });

  it('answers HEAD without a body, other methods with 405 and other paths with the JSON 404', async () => {
    const head = await fetch(`${gw.url}/`, { method: 'HEAD' });
    expect(head.status).toBe(200);
    expect(await head.text()).toBe('');
    const post = await fetch(`${gw.url}/`, { method: 'POST', body: '{}' });
    expect(post.status).toBe(405);
    expect(post.headers.get('allow')).toBe('GET, HEAD');
    expect(await post.json()).toEqual({ error: 'method not allowed' });
    const missing = await fetch(`${gw.url}/nothing-here`);
    expect(missing.status).toBe(404);
    expect(await missing.json()).toEqual({ error: 'not found' });
  });
});
