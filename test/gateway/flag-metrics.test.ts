/**
 * Change annotations in Prometheus: vexil_flag_info shows each flag's state per environment and
 * vexil_flag_changes_total counts committed changes, so dashboards can overlay flag flips on error
 * rates. Scraped from the real /metrics endpoint of an in-process gateway.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { dataOf, startTestGateway, type TestGateway } from '../support/gateway.js';

let gateway: TestGateway | undefined;
afterEach(async () => {
  await gateway?.stop();
  gateway = undefined;
});

const scrape = async (test: TestGateway) => (await fetch(`${test.url}/metrics`)).text();
const seriesOf = (text: string, name: string) => text.split('\n').filter((line) => line.startsWith(`${name}{`));

const toggle = `mutation Toggle($key: String!, $environment: String!, $on: Boolean!) {
  toggleFlag(key: $key, environment: $environment, on: $on, comment: "INC-1") { key }
}`;

describe('flag change annotations in /metrics', () => {
  it('show every flag per environment with its kind, kill switch and version, following changes', async () => {
    gateway = await startTestGateway();
    const before = seriesOf(await scrape(gateway), 'vexil_flag_info');
    expect(before).toContain(
      'vexil_flag_info{flag="new_checkout",environment="production",kind="release",on="true",version="1"} 1',
    );
    dataOf(await gateway.gql(toggle, { key: 'new_checkout', environment: 'production', on: false }));
    await expect
      .poll(async () => seriesOf(await scrape(gateway!), 'vexil_flag_info'))
      .toContain(
        'vexil_flag_info{flag="new_checkout",environment="production",kind="release",on="false",version="2"} 1',
      );
    const info = seriesOf(await scrape(gateway), 'vexil_flag_info');
    expect(info.filter((line) => line.includes('version="1"'))).toEqual([]);
  });

  it('count each committed change by flag, environment and action', async () => {
    gateway = await startTestGateway();
    dataOf(await gateway.gql(toggle, { key: 'new_checkout', environment: 'production', on: false }));
    dataOf(await gateway.gql(toggle, { key: 'new_checkout', environment: 'production', on: true }));
    dataOf(await gateway.gql(toggle, { key: 'new_checkout', environment: 'staging', on: false }));
    await expect
      .poll(async () => seriesOf(await scrape(gateway!), 'vexil_flag_changes_total'))
      .toEqual(
        expect.arrayContaining([
          'vexil_flag_changes_total{flag="new_checkout",environment="production",change="toggle"} 2',
          'vexil_flag_changes_total{flag="new_checkout",environment="staging",change="toggle"} 1',
        ]),
      );
  });

  it('export at most VEXIL_METRICS_MAX_FLAGS flags and say how many were left out', async () => {
    gateway = await startTestGateway({ config: { metricsMaxFlags: 0 } });
    const text = await scrape(gateway);
    expect(seriesOf(text, 'vexil_flag_info')).toEqual([]);
    expect(text).toContain('vexil_flags_not_exported 1');
    dataOf(await gateway.gql(toggle, { key: 'new_checkout', environment: 'production', on: false }));
    await expect
      .poll(async () => seriesOf(await scrape(gateway!), 'vexil_flag_changes_total'))
      .toContain('vexil_flag_changes_total{flag="_other",environment="production",change="toggle"} 1');
    expect(
      seriesOf(await scrape(gateway), 'vexil_flag_changes_total').filter((line) =>
        line.includes('flag="new_checkout"'),
      ),
    ).toEqual([]);
  });
});
