/** Argument parsing shared by the `vexil flags …` subcommands (Node's util.parseArgs). */
import { parseArgs, type ParseArgsConfig } from 'node:util';
import { CliFailure, gatewayOptions, gatewayTarget, type GatewayTarget, type OutputFormat } from '../gateway-client.js';

type Options = NonNullable<ParseArgsConfig['options']>;

export interface Parsed<V> {
  values: V & { url?: string; key?: string; format?: string };
  positionals: string[];
}

/** Parses `args` with the gateway options added; a bad option is a usage error (exit 2). */
export function parseCommand<O extends Options>(
  args: string[],
  options: O,
  positionals: { min: number; max: number; names: string },
): Parsed<Record<string, string | boolean | string[] | undefined>> {
  let parsed;
  try {
    parsed = parseArgs({ args, options: { ...options, ...gatewayOptions }, allowPositionals: true, strict: true });
  } catch (error) {
    throw new CliFailure((error as Error).message, 2);
  }
  const count = parsed.positionals.length;
  if (count < positionals.min) throw new CliFailure(`missing ${positionals.names}`, 2);
  if (count > positionals.max) throw new CliFailure(`unexpected argument '${parsed.positionals[positionals.max]}'`, 2);
  return parsed as Parsed<Record<string, string | boolean | string[] | undefined>>;
}

/** The running gateway these commands need (`--url` / VEXIL_URL is required). */
export function requireGateway(values: Parsed<unknown>['values']): GatewayTarget {
  const target = gatewayTarget(values);
  if (!target)
    throw new CliFailure('needs a running gateway: pass --url (or set VEXIL_URL) and --key (or VEXIL_API_KEY)', 2);
  return target;
}

/** `--format`: table (the default, for people) or json (for scripts). */
export function tableOrJson(values: Parsed<unknown>['values']): OutputFormat {
  const format = values.format ?? 'table';
  if (format !== 'json' && format !== 'table')
    throw new CliFailure(`--format must be table or json, not '${format}'`, 2);
  return format;
}

export function stringOption(values: Parsed<unknown>['values'], name: string): string | undefined {
  const value = (values as Record<string, unknown>)[name];
  return typeof value === 'string' ? value : undefined;
}

export function requiredOption(values: Parsed<unknown>['values'], name: string): string {
  const value = stringOption(values, name);
  if (value === undefined || value === '') throw new CliFailure(`--${name} is required`, 2);
  return value;
}
