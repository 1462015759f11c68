/**
 * The page script of clients-web-browser.test.ts, bundled with vite: OpenFeature's web SDK and OFREP
 * web provider as an application would use them, with what the test reads exposed on `window`.
 */
import { OFREPWebProvider } from '@openfeature/ofrep-web-provider';
import { type EvaluationContext, OpenFeature, ProviderEvents } from '@openfeature/web-sdk';

const changes: Array<string[] | undefined> = [];

async function start(baseUrl: string, secret: string, context: EvaluationContext, pollInterval: number): Promise<void> {
  const provider = new OFREPWebProvider({
    baseUrl,
    headers: [['Authorization', `Bearer ${secret}`]],
    pollInterval,
    changeDetection: 'polling',
  });
  OpenFeature.getClient().addHandler(ProviderEvents.ConfigurationChanged, (details) =>
    changes.push(details?.flagsChanged),
  );
  await OpenFeature.setProviderAndWait(provider, context);
}

function details(type: 'boolean' | 'string' | 'number' | 'object', flag: string, fallback: never) {
  const client = OpenFeature.getClient();
  const evaluation = {
    boolean: client.getBooleanDetails,
    string: client.getStringDetails,
    number: client.getNumberDetails,
    object: client.getObjectDetails,
  }[type].call(client, flag, fallback);
  return JSON.parse(JSON.stringify(evaluation));
}

Object.assign(window, { ofrepTest: { start, details, changes } });
