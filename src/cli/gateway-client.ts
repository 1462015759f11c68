/**
 * What CLI commands that talk to a running gateway share: the `--url` / `--key` / `--format` options
 * (with VEXIL_URL / VEXIL_API_KEY), one GraphQL POST with the key as a bearer token, and the mapping
 * of what can go wrong to one line on stderr and an exit code:
 *
 * - 2: usage errors and connection errors (nothing answered, or not a GraphQL answer);
 * - 1: a refusal by the gateway, naming its error code (`FORBIDDEN`, `VALIDATION`, …).
 */
import type { CommandContext } from './main.js';

/** Options to spread into a command's `parseArgs` options. */
export const gatewayOptions = {
  url: { type: 'string' },
  key: { type: 'string' },
  format: { type: 'string' },
} as const;

export type OutputFormat = 'json' | 'table';

export interface GatewayTarget {
  /** The GraphQL endpoint (`…/graphql`). */
  endpoint: string;
  /** The API key sent as `Authorization: Bearer …`. */
  key: string;
}

/** A failure to report as one line (`vexil <command>: <message>`) with its exit code. */
export class CliFailure extends Error {
  constructor(
    message: string,
    readonly exitCode: 1 | 2,
    /** The gateway's error code, for a refusal. */
    readonly code?: string,
  ) {
    super(message);
    this.name = 'CliFailure';
  }
}

interface GatewayValues {
  url?: string | undefined;
  key?: string | undefined;
  format?: string | undefined;
}

/** `--format`, default json. */
export function outputFormat(values: GatewayValues): OutputFormat {
  const format = values.format ?? 'json';
  if (format !== 'json' && format !== 'table')
    throw new CliFailure(`--format must be json or table, not '${format}'`, 2);
  return format;
}

/** The gateway to talk to, or null when neither --url nor VEXIL_URL is given. */
export function gatewayTarget(values: GatewayValues, env: NodeJS.ProcessEnv = process.env): GatewayTarget | null {
  const url = values.url ?? (env.VEXIL_URL || undefined);
  // A key given for a gateway that is not named would be ignored: say so rather than write the store.
  if (url === undefined && values.key !== undefined)
    throw new CliFailure('--key is used only with --url (or VEXIL_URL): name the gateway to send it to', 2);
  if (url === undefined) return null;
  const key = values.key ?? (env.VEXIL_API_KEY || undefined);
  if (!key) throw new CliFailure('--url needs an API key: pass --key or set VEXIL_API_KEY', 2);
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    throw new CliFailure(`--url '${url}' is not a URL (e.g. http://127.0.0.1:4000)`, 2);
  }
  if (parsed.protocol !== 'http:' && parsed.protocol !== 'https:')
    throw new CliFailure(`--url '${url}' must be an http(s) URL`, 2);
  // The gateway's base URL (as it logs it) or its /graphql endpoint.
  if (parsed.pathname === '/' || parsed.pathname === '') parsed.pathname = '/graphql';
  return { endpoint: parsed.toString(), key };
}

interface GraphqlResponse<T> {
  data?: T | null;
  errors?: Array<{ message?: string; extensions?: { code?: string; field?: string } }>;
}

/** Sends one GraphQL operation; resolves to its data or throws a CliFailure. */
export async function gatewayRequest<T>(
  target: GatewayTarget,
  query: string,
  variables: Record<string, unknown> = {},
  timeoutMs = 30_000,
): Promise<T> {
  let response: Response;
  try {
    response = await fetch(target.endpoint, {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        accept: 'application/graphql-response+json, application/json',
        authorization: `Bearer ${target.key}`,
      },
      body: JSON.stringify({ query, variables }),
      signal: AbortSignal.timeout(timeoutMs),
    });
  } catch (error) {
    throw new CliFailure(
      `cannot reach the gateway at ${target.endpoint}: ${reason(error)}; is it running there (--url / VEXIL_URL)?`,
      2,
    );
  }
  const text = await response.text().catch(() => '');
  let body: GraphqlResponse<T>;
  try {
    body = JSON.parse(text) as GraphqlResponse<T>;
  } catch {
    throw new CliFailure(
      `${target.endpoint} answered HTTP ${response.status} without a GraphQL response; is --url the gateway's address?`,
      2,
    );
  }
  const error = body.errors?.[0];
  if (error) {
    const code = error.extensions?.code ?? `HTTP_${response.status}`;
    const field = error.extensions?.field ? ` (field ${error.extensions.field})` : '';
    throw new CliFailure(`the gateway refused: ${code}: ${oneLine(error.message ?? 'no message')}${field}`, 1, code);
  }
  if (body.data === null || body.data === undefined)
    throw new CliFailure(`${target.endpoint} answered HTTP ${response.status} without data`, 2);
  return body.data;
}

/** Prints one record as JSON (one line) or as an aligned two-column table. */
export function printRecord(context: CommandContext, format: OutputFormat, record: Record<string, unknown>): void {
  if (format === 'json') {
    context.stdout(JSON.stringify(record));
    return;
  }
  const width = Math.max(...Object.keys(record).map((name) => name.length));
  context.stdout(
    Object.entries(record)
      .map(([name, value]) => `${name.padEnd(width)}  ${value === null || value === undefined ? '-' : String(value)}`)
      .join('\n'),
  );
}

/** Runs a command body, turning a CliFailure into its one line and exit code. */
export async function reportFailures(
  command: string,
  context: CommandContext,
  body: () => Promise<number>,
): Promise<number> {
  try {
    return await body();
  } catch (error) {
    if (!(error instanceof CliFailure)) throw error;
    context.stderr(`vexil ${command}: ${error.message}`);
    return error.exitCode;
  }
}

function reason(error: unknown): string {
  const cause = (error as { cause?: { code?: string; message?: string } })?.cause;
  if (cause?.code) return cause.code;
  if ((error as Error)?.name === 'TimeoutError') return 'no answer in time';
  return oneLine(cause?.message ?? (error as Error)?.message ?? String(error));
}

function oneLine(text: string): string {
  return text.replace(/\s*\n\s*/g, ' ').trim();
}
