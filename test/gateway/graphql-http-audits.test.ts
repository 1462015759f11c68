/**
 * GraphQL-over-HTTP conformance: every server audit of the `graphql-http` package, each as its own
 * test, against the running gateway's /graphql. MUST audits have to pass; SHOULD and MAY audits may
 * warn (they are recommendations), and are listed at the end of the run.
 */
import { type AuditResult, serverAudits } from 'graphql-http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestGateway, type TestGateway } from '../support/gateway.js';

let gw: TestGateway;
const recommendations: AuditResult[] = [];

beforeAll(async () => {
  gw = await startTestGateway({ seed: false });
});

afterAll(async () => {
  await gw?.stop();
  if (recommendations.length > 0) {
    console.info(
      `graphql-http SHOULD/MAY audits not passed:\n${recommendations.map((result) => `  [${result.status}] ${result.id} ${result.name}${'reason' in result ? `: ${result.reason}` : ''}`).join('\n')}`,
    );
  }
});

const audits = serverAudits({ url: () => gw.endpoint, fetchFn: fetch });

describe('graphql-http server audits', () => {
  it('include MUST audits to check', () => {
    expect(audits.filter((audit) => audit.name.startsWith('MUST')).length).toBeGreaterThan(10);
  });

  for (const audit of audits) {
    it(`${audit.id} ${audit.name}`, async () => {
      const result = await audit.fn();
      if (audit.name.startsWith('MUST')) {
        expect(result.status, 'reason' in result ? result.reason : '').toBe('ok');
      } else {
        if (result.status !== 'ok') recommendations.push(result);
        // A recommendation may warn, but an audit of any level must not fail as an error.
        expect(result.status).not.toBe('error');
      }
    });
  }
});
