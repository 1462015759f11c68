/**
 * Change annotations by time range: `auditLog(since, until)` in GraphQL and `GET /annotations`, the
 * JSON Grafana's JSON API / Infinity data sources read (time, title, text, tags), with the keys
 * that may read it.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { dataOf, errorOf, standardKeys, startTestGateway, type TestGateway } from '../support/gateway.js';

let gateway: TestGateway;
let keys: Awaited<ReturnType<typeof standardKeys>>;
let before: number;
let between: number;

const toggle = (environment: string, on: boolean, comment: string) =>
  gateway.gql(
    `mutation { toggleFlag(key: "new_checkout", environment: "${environment}", on: ${on}, comment: "${comment}") { version } }`,
  );

beforeAll(async () => {
  gateway = await startTestGateway();
  keys = await standardKeys(gateway);
  before = Date.now();
  await new Promise((resolve) => setTimeout(resolve, 5));
  dataOf(await toggle('production', false, 'INC-42'));
  await new Promise((resolve) => setTimeout(resolve, 5));
  between = Date.now();
  await new Promise((resolve) => setTimeout(resolve, 5));
  dataOf(await toggle('staging', false, 'tidy'));
});
afterAll(async () => gateway?.stop());

const annotations = (search: string, key: string | null = keys.readOnly) =>
  fetch(`${gateway.url}/annotations${search}`, { headers: key ? { authorization: `Bearer ${key}` } : {} });

describe('auditLog by time range', () => {
  it('returns the changes committed in [since, until)', async () => {
    const query = `query($since: String, $until: String) { auditLog(kind: "flag", since: $since, until: $until) { entries { action environment comment } } }`;
    const window = dataOf(
      await gateway.gql<{ auditLog: { entries: unknown[] } }, unknown>(
        query,
        { since: new Date(before).toISOString(), until: new Date(between).toISOString() },
        keys.readOnly,
      ),
    );
    expect(window.auditLog.entries).toEqual([{ action: 'toggle', environment: 'production', comment: 'INC-42' }]);
    const since = dataOf(
      await gateway.gql<{ auditLog: { entries: unknown[] } }, unknown>(query, {
        since: new Date(before).toISOString(),
      }),
    );
    expect(since.auditLog.entries).toHaveLength(2);
    const bad = errorOf(await gateway.gql(query, { since: 'last tuesday' }));
    expect(bad.extensions).toMatchObject({ code: 'VALIDATION', field: 'since' });
  });
});

describe('GET /annotations', () => {
  it('lists flag changes in Grafana’s annotation shape, newest first', async () => {
    const response = await annotations(`?from=${before}&to=${Date.now() + 1000}`);
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toMatch(/application\/json/);
    const body = await response.json();
    expect(body).toEqual([
      expect.objectContaining({
        title: 'new_checkout: toggle in staging',
        tags: ['vexil', 'flag:new_checkout', 'action:toggle', 'environment:staging'],
        environment: 'staging',
      }),
      expect.objectContaining({
        title: 'new_checkout: toggle in production',
        text: expect.stringContaining('INC-42'),
        environment: 'production',
        flag: 'new_checkout',
        action: 'toggle',
      }),
    ]);
    expect(body[1].time).toBeGreaterThanOrEqual(before);
    expect(body[1].time).toBeLessThan(between);
  });

  it('filters by flag, environment and ISO-8601 times', async () => {
    const production = await (
      await annotations(`?from=${new Date(before).toISOString()}&environment=production`)
    ).json();
    expect(production.map((entry: { environment: string }) => entry.environment)).toEqual(['production']);
    expect(await (await annotations(`?from=${before}&flag=other_flag`)).json()).toEqual([]);
    expect(await (await annotations(`?from=${before}&to=${before + 1}`)).json()).toEqual([]);
  });

  it('needs an admin or read-only key, and says what is wrong with a bad query', async () => {
    expect((await annotations('', null)).status).toBe(401);
    expect((await annotations('', 'vxl_ro_not-a-key')).status).toBe(401);
    const evaluation = await annotations('', keys.evalProd);
    expect(evaluation.status).toBe(403);
    expect((await evaluation.json()).error).toMatch(/admin or read-only key/);
    expect((await annotations('', gateway.adminKey)).status).toBe(200);
    const bad = await annotations('?from=yesterday');
    expect(bad.status).toBe(400);
    expect((await bad.json()).error).toMatch(/from must be/);
    expect((await annotations('?limit=5000')).status).toBe(400);
    expect(
      (
        await fetch(`${gateway.url}/annotations`, {
          method: 'POST',
          headers: { authorization: `Bearer ${keys.readOnly}` },
        })
      ).status,
    ).toBe(405);
  });
});
