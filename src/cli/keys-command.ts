/**
 * `vexil keys create`: issues an API key and prints its secret once. With `--url` (or VEXIL_URL) it
 * asks the running gateway (its `createApiKey` mutation, with an admin key); without, it writes the
 * store directly, which only works while no gateway has it open.
 */
import { parseArgs } from 'node:util';
import {
  gatewayOptions,
  gatewayRequest,
  gatewayTarget,
  type GatewayTarget,
  outputFormat,
  printRecord,
  reportFailures,
} from './gateway-client.js';
import { type ApiKeyKind, isEnvironmentBound } from '../store/types.js';
import type { Command } from './main.js';

const usage = `Usage: vexil keys create --kind admin|evaluation|read-only|server --name NAME [--environment ENV]
                         [--url URL --key ADMIN_KEY] [--format json|table]

Prints {"id", "name", "kind", "environment", "secret"} (as JSON by default). The secret is shown only
this once.

  --url, VEXIL_URL        a running gateway (e.g. http://127.0.0.1:4000): the key is created there
  --key, VEXIL_API_KEY    an admin key of that gateway
  --format                json (default) or table

Without --url the key is written to the store directly: MONGODB_URI, or the embedded store in
VEXIL_DATA_DIR (default ./.vexil), which must exist and must not be open in a running gateway (there,
use --url). Exit codes: 0 created, 1 refused by the gateway, 2 usage, input or connection error.
`;

const kinds = new Set(['admin', 'evaluation', 'read-only', 'server']);

export interface KeyRequest {
  name: string;
  kind: ApiKeyKind;
  environment: string | null;
}

interface CreatedKey {
  id: string;
  name: string;
  kind: string;
  environment: string | null;
  secret: string;
}

const createApiKeyMutation = `mutation VexilCliCreateApiKey($name: String!, $kind: ApiKeyKind!, $environment: String) {
  createApiKey(name: $name, kind: $kind, environment: $environment) { secret apiKey { id name kind environment } }
}`;

async function createThroughGateway(target: GatewayTarget, request: KeyRequest): Promise<CreatedKey> {
  const kind = request.kind.replace('-', '_').toUpperCase();
  const data = await gatewayRequest<{
    createApiKey: { secret: string; apiKey: { id: string; name: string; kind: string; environment: string | null } };
  }>(target, createApiKeyMutation, {
    name: request.name,
    kind,
    environment: request.environment,
  });
  const { apiKey, secret } = data.createApiKey;
  return { id: apiKey.id, name: apiKey.name, kind: request.kind, environment: apiKey.environment, secret };
}

export const keysCommand: Command = {
  name: 'keys',
  summary: 'create API keys',
  usage,
  async run(args, context) {
    const [action, ...rest] = args;
    if (action !== 'create') return context.usageError(action ? `unknown action '${action}'` : 'missing action');
    let values;
    try {
      ({ values } = parseArgs({
        args: rest,
        options: {
          kind: { type: 'string' },
          name: { type: 'string' },
          environment: { type: 'string' },
          ...gatewayOptions,
        },
      }));
    } catch (error) {
      return context.usageError((error as Error).message);
    }
    if (!values.kind || !kinds.has(values.kind))
      return context.usageError('--kind must be admin, evaluation, read-only or server');
    if (!values.name) return context.usageError('--name is required');
    if (isEnvironmentBound(values.kind as ApiKeyKind) && !values.environment)
      return context.usageError(`${values.kind} keys need --environment`);
    if (!isEnvironmentBound(values.kind as ApiKeyKind) && values.environment)
      return context.usageError('only evaluation and server keys are bound to an environment');
    const request: KeyRequest = {
      name: values.name,
      kind: values.kind as KeyRequest['kind'],
      environment: values.environment ?? null,
    };
    return reportFailures('keys create', context, async () => {
      const format = outputFormat(values);
      const target = gatewayTarget(values);
      let created: CreatedKey;
      if (target) created = await createThroughGateway(target, request);
      else {
        const { createInStore } = await import('./keys-in-store.js');
        const outcome = await createInStore(request, process.env);
        if ('refused' in outcome) {
          // Same shape as before the gateway client existed: scripts read it from stderr.
          context.stderr(JSON.stringify({ error: outcome.refused }));
          return 2;
        }
        created = outcome;
      }
      printRecord(context, format, { ...created });
      return 0;
    });
  },
};
