/**
 * Shared helpers of the gateway tests (test/gateway/*): an in-process gateway on an ephemeral port in
 * a temporary data directory, a typed GraphQL client over fetch, API key helpers, and the spawned
 * `node dist/cli/main.js` (built first when stale) for the CLI, printing and shutdown tests.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readdirSync, rmSync, statSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { TypedDocumentNode } from '@graphql-typed-document-node/core';
import { print } from 'graphql';
import { CreateApiKeyDocument } from '../../src/client/generated/graphql.js';
import { startApp } from '../../src/server/app.js';
import { configFromEnvironment, type GatewayConfig } from '../../src/server/config.js';
import type { Gateway } from '../../src/server/gateway.js';

export const repoRoot = fileURLToPath(new URL('../../', import.meta.url));
export const cliMain = join(repoRoot, 'dist/cli/main.js');

// ----------------------------------------------------------------------------------------------------
// GraphQL over fetch

export interface GqlError {
  message: string;
  path?: ReadonlyArray<string | number>;
  locations?: Array<{ line: number; column: number }>;
  extensions?: Record<string, unknown> & { code?: string };
}

export interface GqlResult<T> {
  status: number;
  headers: Headers;
  data: T | null | undefined;
  errors: GqlError[] | undefined;
  /** The raw response text, for assertions that something is absent from the whole body. */
  text: string;
}

export interface RawRequest {
  method?: 'GET' | 'POST';
  key?: string | null;
  headers?: Record<string, string>;
  body?: string;
  /** Appended to the endpoint (for GET requests). */
  search?: string;
}

export function authorization(key: string | null | undefined): Record<string, string> {
  return key ? { authorization: `Bearer ${key}` } : {};
}

/** Sends one GraphQL request (POST JSON) and parses the response whatever its status. */
export async function gqlAt<TResult, TVariables>(
  endpoint: string,
  document: TypedDocumentNode<TResult, TVariables> | string,
  variables?: TVariables,
  key?: string | null,
  headers: Record<string, string> = {},
): Promise<GqlResult<TResult>> {
  const query = typeof document === 'string' ? document : print(document);
  const response = await fetch(endpoint, {
    method: 'POST',
    headers: {
      'content-type': 'application/json',
      accept: 'application/graphql-response+json, application/json',
      ...authorization(key),
      ...headers,
    },
    body: JSON.stringify({ query, ...(variables === undefined ? {} : { variables }) }),
  });
  return parseResponse<TResult>(response);
}

/** Creates an evaluation key through the gateway at `endpoint` with an admin key; returns its secret. */
export async function createEvaluationKeyAt(
  endpoint: string,
  adminKey: string,
  name: string,
  environment = 'production',
): Promise<string> {
  const result = await gqlAt(endpoint, CreateApiKeyDocument, { name, kind: 'EVALUATION', environment }, adminKey);
  return dataOf(result).createApiKey.secret;
}

export async function parseResponse<T>(response: Response): Promise<GqlResult<T>> {
  const text = await response.text();
  let body: { data?: T | null; errors?: GqlError[] } = {};
  try {
    body = JSON.parse(text) as typeof body;
  } catch {
    // not JSON: data and errors stay undefined; the test looks at status and text
  }
  return { status: response.status, headers: response.headers, data: body.data, errors: body.errors, text };
}

/** The data of a result that must have succeeded; throws with the errors otherwise. */
export function dataOf<T>(result: GqlResult<T>): T {
  if (result.errors?.length || result.data === null || result.data === undefined) {
    throw new Error(`expected data, got HTTP ${result.status}: ${result.text.slice(0, 2000)}`);
  }
  return result.data;
}

/** The single error of a result that must have failed; throws otherwise. */
export function errorOf(result: GqlResult<unknown>): GqlError {
  if (!result.errors || result.errors.length === 0)
    throw new Error(`expected an error, got HTTP ${result.status}: ${result.text.slice(0, 2000)}`);
  return result.errors[0]!;
}

export function codeOf(result: GqlResult<unknown>): string | undefined {
  return errorOf(result).extensions?.code;
}

// ----------------------------------------------------------------------------------------------------
// in-process gateway

export type KeyKind = 'ADMIN' | 'READ_ONLY' | 'EVALUATION' | 'SERVER';

export interface TestGateway {
  gateway: Gateway;
  /** http://127.0.0.1:<port> */
  url: string;
  /** url + /graphql */
  endpoint: string;
  dataDir: string;
  /** The bootstrap admin key's secret. */
  adminKey: string;
  /** A typed request; `key` defaults to the admin key (pass null for none). */
  gql<TResult, TVariables>(
    document: TypedDocumentNode<TResult, TVariables> | string,
    variables?: TVariables,
    key?: string | null,
  ): Promise<GqlResult<TResult>>;
  /** A raw HTTP request to /graphql. */
  request(options?: RawRequest): Promise<Response>;
  /** Creates an API key with the admin key and returns its secret and id. */
  createKey(kind: KeyKind, environment?: string, name?: string): Promise<{ secret: string; id: string }>;
  /** Closes the gateway; removes the data directory unless `keepDataDir`. */
  stop(options?: { keepDataDir?: boolean }): Promise<void>;
}

export interface StartOptions {
  /** Reuse this data directory (restart tests); default a fresh temporary one. */
  dataDir?: string;
  /** Whether the example flag is created on first start (VEXIL_SEED). @default true */
  seed?: boolean;
  /** VEXIL_BOOTSTRAP_ADMIN_KEY. @default a fresh vxl_admin_ secret */
  adminKey?: string;
  /** Config overrides (port, host, dataDir, logLevel are set by the helper unless given here). */
  config?: Partial<GatewayConfig>;
  /** Environment variables for configFromEnvironment. */
  env?: NodeJS.ProcessEnv;
}

export function newAdminSecret(): string {
  return `vxl_admin_${randomBytes(32).toString('base64url')}`;
}

export async function tempDir(prefix = 'vexil-gw-'): Promise<string> {
  return mkdtemp(join(tmpdir(), prefix));
}

/**
 * Under vitest, modules it transforms (src/, tests) would get `graphql` as index.mjs while graphql-yoga,
 * loaded by Node, gets index.js: two GraphQLError classes, so yoga masks every API error (code and
 * message) as "Unexpected error.". vitest.config.ts aliases `graphql` to Node's resolution so every
 * module shares one instance; this check fails loudly if that alias is ever lost.
 */
export async function assertSingleGraphqlInstance(): Promise<void> {
  const viaImport = (await import('graphql')).GraphQLError;
  const viaNode = (createRequire(import.meta.url)('graphql') as typeof import('graphql')).GraphQLError;
  if (viaImport !== viaNode) {
    throw new Error(
      "two instances of 'graphql' are loaded: vitest.config.ts must alias 'graphql' to require.resolve('graphql')",
    );
  }
}

/** Starts the full application in-process on 127.0.0.1 and an ephemeral port. */
export async function startTestGateway(options: StartOptions = {}): Promise<TestGateway> {
  await assertSingleGraphqlInstance();
  const dataDir = options.dataDir ?? (await tempDir());
  const adminKey = options.adminKey ?? newAdminSecret();
  const config = configFromEnvironment(options.env ?? {}, {
    port: 0,
    host: '127.0.0.1',
    dataDir,
    bootstrapAdminKey: adminKey,
    logLevel: 'silent',
    seedExample: options.seed !== false,
    ...options.config,
  });
  let gateway: Gateway;
  try {
    gateway = await startApp(config);
  } catch (error) {
    if (!options.dataDir) await rm(dataDir, { recursive: true, force: true });
    throw error;
  }
  const endpoint = `${gateway.url}/graphql`;
  const test: TestGateway = {
    gateway,
    url: gateway.url,
    endpoint,
    dataDir,
    adminKey,
    gql: (document, variables, key = adminKey) => gqlAt(endpoint, document, variables, key),
    request: ({ method = 'POST', key = null, headers = {}, body, search = '' } = {}) =>
      fetch(`${endpoint}${search}`, {
        method,
        headers: { ...authorization(key), ...headers },
        ...(body === undefined ? {} : { body }),
      }),
    async createKey(kind, environment, name = `${kind.toLowerCase()}-${randomBytes(3).toString('hex')}`) {
      const created = dataOf(
        await test.gql(CreateApiKeyDocument, { name, kind, ...(environment ? { environment } : {}) }),
      ).createApiKey;
      return { secret: created.secret, id: created.apiKey.id };
    },
    async stop({ keepDataDir = false } = {}) {
      await gateway.close();
      if (!keepDataDir) await rm(dataDir, { recursive: true, force: true });
    },
  };
  return test;
}

/** The usual cast of keys: read-only, and evaluation keys for production and staging. */
export async function standardKeys(
  gateway: TestGateway,
): Promise<{ admin: string; readOnly: string; evalProd: string; evalStaging: string; ids: Record<string, string> }> {
  const readOnly = await gateway.createKey('READ_ONLY', undefined, 'read-only-key');
  const evalProd = await gateway.createKey('EVALUATION', 'production', 'eval-production');
  const evalStaging = await gateway.createKey('EVALUATION', 'staging', 'eval-staging');
  return {
    admin: gateway.adminKey,
    readOnly: readOnly.secret,
    evalProd: evalProd.secret,
    evalStaging: evalStaging.secret,
    ids: { readOnly: readOnly.id, evalProd: evalProd.id, evalStaging: evalStaging.id },
  };
}

// ----------------------------------------------------------------------------------------------------
// the built CLI

/** Source files whose compiled counterpart in dist/ is missing or older (tsc --incremental emits only what changed). */
function staleSources(directory = join(repoRoot, 'src'), relative = ''): string[] {
  const stale: string[] = [];
  for (const entry of readdirSync(directory, { withFileTypes: true })) {
    const path = join(directory, entry.name);
    if (entry.isDirectory()) stale.push(...staleSources(path, join(relative, entry.name)));
    else if (entry.name.endsWith('.ts') && !entry.name.endsWith('.d.ts')) {
      const output = join(repoRoot, 'dist', relative, entry.name.replace(/\.ts$/, '.js'));
      const built = statSync(output, { throwIfNoEntry: false });
      if (!built || built.mtimeMs < statSync(path).mtimeMs) stale.push(path);
    }
  }
  return stale;
}

const buildLock = join(tmpdir(), 'vexil-gateway-tests-build.lock');
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

function distIsCurrent(): boolean {
  return existsSync(cliMain) && staleSources().length === 0;
}

/**
 * Builds dist/ (tsc, incremental) when a compiled file is missing or older than its source. A lock
 * directory keeps two test files from building at once. tsc emits even when some module has type
 * errors (another engineer's work in progress); only a missing CLI is fatal.
 */
export async function ensureBuilt(): Promise<void> {
  while (!distIsCurrent()) {
    try {
      mkdirSync(buildLock);
    } catch {
      const age = Date.now() - (statSync(buildLock, { throwIfNoEntry: false })?.mtimeMs ?? Date.now());
      if (age > 180_000) rmSync(buildLock, { recursive: true, force: true });
      await sleep(250);
      continue;
    }
    try {
      if (distIsCurrent()) return;
      const tsc = createRequire(import.meta.url).resolve('typescript/bin/tsc');
      const build = await run(
        process.execPath,
        [
          tsc,
          '-p',
          'tsconfig.json',
          '--incremental',
          '--tsBuildInfoFile',
          join(repoRoot, 'node_modules/.cache/vexil-gateway-tests.tsbuildinfo'),
        ],
        {},
      );
      if (!existsSync(cliMain)) throw new Error(`build failed:\n${build.stdout}${build.stderr}`);
      return;
    } finally {
      rmSync(buildLock, { recursive: true, force: true });
    }
  }
}

export interface RunResult {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
}

/** Runs a process to completion without blocking the event loop. */
export function run(
  command: string,
  args: string[],
  env: NodeJS.ProcessEnv,
  cwd = repoRoot,
  timeoutMs = 60_000,
): Promise<RunResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { cwd, env, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => (stdout += chunk));
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
    const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
    child.on('error', reject);
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      resolve({ code, signal, stdout, stderr });
    });
  });
}

/** The environment of a spawned CLI: only what a test sets, plus PATH and HOME (no inherited VEXIL_*). */
export function cliEnv(env: NodeJS.ProcessEnv = {}): NodeJS.ProcessEnv {
  return { PATH: process.env.PATH, HOME: process.env.HOME, ...env };
}

/** `node dist/cli/main.js …` to completion. */
export function vexil(args: string[], env: NodeJS.ProcessEnv = {}): Promise<RunResult> {
  return run(process.execPath, [cliMain, ...args], cliEnv(env));
}

export interface ServeProcess {
  child: ChildProcess;
  url: string;
  endpoint: string;
  port: number;
  stdout(): string;
  stderr(): string;
  /** Resolves when the process has exited. */
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  /** Sends a signal and waits for the exit. */
  stop(signal?: NodeJS.Signals): Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
}

/**
 * Spawns `node dist/cli/main.js serve` with PORT=0 on 127.0.0.1 and resolves once its JSON log says
 * "vexil is listening" (the log line carries the URL with the ephemeral port).
 */
export function spawnServe({
  dataDir,
  env = {},
  args = [],
  timeoutMs = 30_000,
}: {
  dataDir: string;
  env?: NodeJS.ProcessEnv;
  args?: string[];
  timeoutMs?: number;
}): Promise<ServeProcess> {
  const child = spawn(process.execPath, [cliMain, 'serve', ...args], {
    cwd: repoRoot,
    env: cliEnv({ PORT: '0', HOST: '127.0.0.1', VEXIL_DATA_DIR: dataDir, LOG_LEVEL: 'info', ...env }),
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  child.stdout!.setEncoding('utf8');
  child.stderr!.setEncoding('utf8');
  child.stderr!.on('data', (chunk: string) => (stderr += chunk));
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
    child.on('exit', (code, signal) => resolve({ code, signal })),
  );
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`vexil serve did not start within ${timeoutMs} ms\nstdout:\n${stdout}\nstderr:\n${stderr}`));
    }, timeoutMs);
    void exited.then(({ code, signal }) => {
      clearTimeout(timer);
      reject(
        new Error(`vexil serve exited (${code ?? signal}) before listening\nstdout:\n${stdout}\nstderr:\n${stderr}`),
      );
    });
    child.stdout!.on('data', (chunk: string) => {
      stdout += chunk;
      const listening = jsonLines(stdout).find((line) => line.msg === 'vexil is listening');
      if (!listening) return;
      clearTimeout(timer);
      const url = String(listening.url);
      resolve({
        child,
        url,
        endpoint: `${url}/graphql`,
        port: Number(new URL(url).port),
        stdout: () => stdout,
        stderr: () => stderr,
        exited,
        stop: (signal = 'SIGTERM') => {
          if (child.exitCode === null && child.signalCode === null) child.kill(signal);
          return exited;
        },
      });
    });
  });
}

/** The lines of an output that parse as JSON objects (pino log records). */
export function jsonLines(output: string): Array<Record<string, unknown>> {
  const records: Array<Record<string, unknown>> = [];
  for (const line of output.split('\n')) {
    if (!line.startsWith('{')) continue;
    try {
      records.push(JSON.parse(line) as Record<string, unknown>);
    } catch {
      // a partial line still being written
    }
  }
  return records;
}
