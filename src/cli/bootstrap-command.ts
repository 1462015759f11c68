/**
 * `vexil bootstrap [--context JSON]`: downloads a bootstrap document for a client to embed as its
 * defaults. With an evaluation key, the bulk evaluation of `--context` (the OFREP bulk response,
 * `POST /ofrep/v1/evaluate/flags`); with a server key, the environment's flag set
 * (`GET /sdk/v1/flag-set`). Either is what the providers' `bootstrap` option takes.
 */
import { runWithHelp } from './actions.js';
import { CliFailure } from './gateway-client.js';
import { parseCommand, requireGateway, stringOption } from './flags/options.js';
import type { Command, CommandContext } from './main.js';

const usage = `Usage: vexil bootstrap [--context JSON]

Prints a bootstrap document (JSON) for VexilServerProvider / VexilWebProvider's \`bootstrap\` option:
with an evaluation key, the evaluations of --context (OFREP's bulk response); with a server key
(vxl_srv_…), the environment's flag set.

  --context JSON        the evaluation context, e.g. '{"targetingKey":"u1","plan":"pro"}' (default {})
  --url URL  --key KEY  (defaults: VEXIL_URL, VEXIL_API_KEY)

Exit codes: 0 done, 1 the gateway refused, 2 usage or connection error.
`;

function parseContext(text: string | undefined): unknown {
  if (text === undefined) return {};
  try {
    const context = JSON.parse(text) as unknown;
    if (context && typeof context === 'object' && !Array.isArray(context)) return context;
  } catch {}
  throw new CliFailure(`--context must be a JSON object, not '${text}'`, 2);
}

async function download(args: string[], context: CommandContext): Promise<number> {
  const { values } = parseCommand(args, { context: { type: 'string' } }, { min: 0, max: 0, names: '' });
  const target = requireGateway(values);
  const evaluationContext = parseContext(stringOption(values, 'context'));
  const base = new URL(target.endpoint);
  const server = target.key.startsWith('vxl_srv_');
  base.pathname = server ? '/sdk/v1/flag-set' : '/ofrep/v1/evaluate/flags';
  let response: Response;
  try {
    response = await fetch(base, {
      method: server ? 'GET' : 'POST',
      headers: { authorization: `Bearer ${target.key}`, 'content-type': 'application/json' },
      ...(server ? {} : { body: JSON.stringify({ context: evaluationContext }) }),
      signal: AbortSignal.timeout(30_000),
    });
  } catch (error) {
    throw new CliFailure(`cannot reach the gateway at ${base.origin}: ${(error as Error).message}`, 2);
  }
  const text = await response.text();
  if (!response.ok) {
    let message = text.slice(0, 200);
    try {
      const body = JSON.parse(text) as { error?: string; errorDetails?: string; errorCode?: string };
      message = body.error ?? `${body.errorCode ?? ''} ${body.errorDetails ?? ''}`.trim();
    } catch {}
    throw new CliFailure(`the gateway refused (HTTP ${response.status}): ${message}`, response.status < 500 ? 1 : 2);
  }
  context.stdout(text);
  return 0;
}

export const bootstrapCommand: Command = {
  name: 'bootstrap',
  summary: 'download a bootstrap document (evaluations or flag set) for the providers',
  usage,
  run: runWithHelp('bootstrap', usage, download),
};
