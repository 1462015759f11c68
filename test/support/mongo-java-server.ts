/**
 * A MongoDB server for tests: mongo-java-server's in-memory backend (a Java program speaking the
 * MongoDB wire protocol), started through the small launcher in test/mongo-server/.
 *
 *   const mongo = await startMongoTestServer();        // in beforeAll, with a generous timeout
 *   const client = new MongoClient(mongo.uri);
 *   await mongo.stop();  await mongo.start();           // outage on the same port, data kept
 *   await mongo.close();                                // in afterAll
 *
 * The first call builds test/mongo-server/target/mongo-launcher.jar with Maven (about half a
 * minute with an empty ~/.m2; `.ci/run` builds it up front with test/mongo-server/build.sh).
 * The build blocks the event loop, so give the calling beforeAll a timeout of a few minutes.
 *
 * With MONGODB_URI set, no Java server is started: the handle points at that server instead and
 * cannot simulate outages (`canSimulateOutage` is false, stop/start throw).
 *
 * What mongo-java-server does not do: sessions and transactions (so no retryable writes either;
 * startSession/withTransaction fail with "Current topology does not support sessions"), and the
 * `hello` command (the driver falls back to isMaster). An empty change-stream getMore waits at
 * most 50 ms for news (a real mongod waits up to 1 s), so a waiting stream polls ~20 times/s.
 */
import { execFileSync, spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';

export interface MongoTestServer {
  /** Connection string for the `mongodb` driver. */
  readonly uri: string;
  readonly port: number;
  /** False for an external server (MONGODB_URI): stop() and start() then throw. */
  readonly canSimulateOutage: boolean;
  /** Outage: the port refuses connections and open connections are dropped; data is kept. */
  stop(): Promise<void>;
  /** Ends the outage: listens again on the same port, over the same data. */
  start(): Promise<void>;
  /** Shuts the server down (a no-op for an external server). Safe to call twice. */
  close(): Promise<void>;
}

const SERVER_DIR = fileURLToPath(new URL('../mongo-server/', import.meta.url));
const BUILD_SCRIPT = join(SERVER_DIR, 'build.sh');
const JAR = join(SERVER_DIR, 'target', 'mongo-launcher.jar');

/**
 * Driver options appended to the URI, and why:
 * - directConnection=true: talk to this one server as it is; mongo-java-server reports itself as
 *   a standalone, so there is no replica set to discover.
 * - retryWrites=false: retryable writes need sessions, which the server lacks; say so explicitly
 *   instead of relying on the driver noticing.
 * - serverSelectionTimeoutMS=5000: while the server is stopped an operation fails after 5 s
 *   instead of the default 30 s, well inside vitest's 30 s test timeout; a START within that
 *   window lets the waiting operation go through.
 * - heartbeatFrequencyMS=500 (the minimum): the driver's monitor notices a STOP or START within
 *   half a second even when no operation is waiting.
 * A test needing other values can pass them as MongoClient options, which take precedence.
 */
const DRIVER_OPTIONS = 'directConnection=true&retryWrites=false&serverSelectionTimeoutMS=5000&heartbeatFrequencyMS=500';

/** Small and quick to start: C1 only, serial GC, a bounded heap. Override with MONGO_TEST_SERVER_JAVA_OPTS. */
const DEFAULT_JAVA_OPTS = ['-XX:+UseSerialGC', '-XX:TieredStopAtLevel=1', '-Xmx512m'];

const READY_TIMEOUT_MS = 30_000;
const EXIT_TIMEOUT_MS = 5_000;
const STDERR_KEPT = 16 * 1024;

export async function startMongoTestServer(): Promise<MongoTestServer> {
  const external = process.env.MONGODB_URI;
  if (external) return externalServer(external);

  buildLauncher();
  const server = new LauncherProcess();
  try {
    await server.started;
  } catch (error) {
    server.kill();
    throw error;
  }
  return server;
}

function externalServer(uri: string): MongoTestServer {
  const outage = async (): Promise<never> => {
    throw new Error(
      'outage simulation needs the bundled server: MONGODB_URI points at an external MongoDB; ' +
        'unset it to run tests that stop and start the server (check canSimulateOutage)',
    );
  };
  return {
    uri,
    port: portOf(uri),
    canSimulateOutage: false,
    stop: outage,
    start: outage,
    close: async () => {},
  };
}

/** The first host's port, 27017 when absent (or 0 when it cannot be told, e.g. mongodb+srv). */
function portOf(uri: string): number {
  const match = /^mongodb:\/\/(?:[^@/]*@)?(?:\[[^\]]*\]|[^:,/?]*)(?::(\d+))?/.exec(uri);
  if (!match) return 0;
  return match[1] ? Number(match[1]) : 27017;
}

/** Runs build.sh (a quick no-op when the jar is up to date), synchronously. */
function buildLauncher(): void {
  try {
    execFileSync('bash', [BUILD_SCRIPT], { stdio: ['ignore', 'pipe', 'pipe'], encoding: 'utf8' });
  } catch (error) {
    const e = error as { code?: string; stdout?: string; stderr?: string; message: string };
    const output = `${e.stdout ?? ''}${e.stderr ?? ''}`.trim() || e.message;
    throw new Error(
      `could not build the mongo-java-server launcher (${BUILD_SCRIPT}); it needs Java 17+ and Maven ` +
        `(and Maven Central on first build), or set MONGODB_URI to use an existing MongoDB.\n${output}`,
    );
  }
  if (!existsSync(JAR)) throw new Error(`${BUILD_SCRIPT} succeeded but ${JAR} is missing`);
}

function javaExecutable(): string {
  return process.env.JAVA_HOME ? join(process.env.JAVA_HOME, 'bin', 'java') : 'java';
}

/** Every launcher still running, killed if the test process exits without close(). */
const running = new Set<ChildProcessWithoutNullStreams>();
let exitHookInstalled = false;

class LauncherProcess implements MongoTestServer {
  readonly canSimulateOutage = true;
  port = 0;
  uri = '';
  readonly started: Promise<void>;

  private readonly child: ChildProcessWithoutNullStreams;
  private stderrTail = '';
  private exited = false;
  private readonly exitPromise: Promise<void>;
  /** Resolved with the next stdout line; commands are sent one at a time. */
  private waiter: { resolve(line: string): void; reject(error: Error): void } | undefined;
  private queue: Promise<unknown> = Promise.resolve();

  constructor() {
    const extraOpts = process.env.MONGO_TEST_SERVER_JAVA_OPTS?.split(/\s+/).filter(Boolean);
    this.child = spawn(javaExecutable(), [...(extraOpts ?? DEFAULT_JAVA_OPTS), '-jar', JAR, '--port', '0'], {
      stdio: ['pipe', 'pipe', 'pipe'],
    });
    running.add(this.child);
    if (!exitHookInstalled) {
      exitHookInstalled = true;
      process.once('exit', () => {
        for (const child of running) child.kill('SIGKILL');
      });
    }
    // A test that forgets close() must not keep its worker alive; the launcher exits by itself on
    // stdin EOF once this process is gone.
    this.child.unref();
    for (const stream of [this.child.stdin, this.child.stdout, this.child.stderr]) {
      (stream as unknown as { unref?: () => void }).unref?.();
    }

    this.child.stderr.setEncoding('utf8');
    this.child.stderr.on('data', (chunk: string) => {
      if (process.env.MONGO_TEST_SERVER_LOG) process.stderr.write(chunk);
      this.stderrTail = (this.stderrTail + chunk).slice(-STDERR_KEPT);
    });
    // Writing to a launcher that just died raises EPIPE here; the exit handler reports it.
    this.child.stdin.on('error', () => {});
    createInterface({ input: this.child.stdout }).on('line', (line) => {
      const waiter = this.waiter;
      this.waiter = undefined;
      waiter?.resolve(line.trim());
    });

    this.exitPromise = new Promise((resolve) => {
      const onGone = (detail: string) => {
        if (this.exited) return;
        this.exited = true;
        running.delete(this.child);
        const waiter = this.waiter;
        this.waiter = undefined;
        waiter?.reject(this.failure(`the mongo-java-server launcher ${detail}`));
        resolve();
      };
      this.child.once('exit', (code, signal) => onGone(`exited (${signal ?? `code ${code}`})`));
      this.child.once('error', (error: NodeJS.ErrnoException) =>
        onGone(
          error.code === 'ENOENT'
            ? `could not start: '${javaExecutable()}' not found; install Java 17+ or set JAVA_HOME (or set MONGODB_URI)`
            : `could not start: ${error.message}`,
        ),
      );
    });

    this.started = this.expect(/^LISTENING (\d+)$/, 'start').then((match) => {
      this.port = Number(match[1]);
      this.uri = `mongodb://127.0.0.1:${this.port}/?${DRIVER_OPTIONS}`;
    });
  }

  stop(): Promise<void> {
    return this.command('STOP', /^STOPPED$/).then(() => undefined);
  }

  start(): Promise<void> {
    return this.command('START', /^LISTENING (\d+)$/).then((match) => {
      if (Number(match[1]) !== this.port) {
        throw this.failure(`the launcher came back on port ${match[1]} instead of ${this.port}`);
      }
    });
  }

  async close(): Promise<void> {
    if (this.exited) return;
    this.child.stdin.end('EXIT\n');
    const timer = setTimeout(() => this.kill(), EXIT_TIMEOUT_MS);
    await this.exitPromise;
    clearTimeout(timer);
  }

  kill(): void {
    if (!this.exited) this.child.kill('SIGKILL');
  }

  /** Sends one control line and waits for the reply, after any command already in flight. */
  private command(line: string, reply: RegExp): Promise<RegExpExecArray> {
    const result = this.queue.then(() => {
      if (this.exited) throw this.failure(`cannot ${line}: the launcher has exited`);
      const answer = this.expect(reply, line);
      this.child.stdin.write(`${line}\n`);
      return answer;
    });
    this.queue = result.catch(() => {});
    return result;
  }

  private expect(reply: RegExp, what: string): Promise<RegExpExecArray> {
    return new Promise<string>((resolve, reject) => {
      const timer = setTimeout(() => {
        this.waiter = undefined;
        reject(this.failure(`no reply to ${what} within ${READY_TIMEOUT_MS} ms`));
      }, READY_TIMEOUT_MS);
      this.waiter = {
        resolve: (value) => {
          clearTimeout(timer);
          resolve(value);
        },
        reject: (error) => {
          clearTimeout(timer);
          reject(error);
        },
      };
    }).then((line) => {
      const match = reply.exec(line);
      if (!match) throw this.failure(`unexpected reply to ${what}: ${line}`);
      return match;
    });
  }

  private failure(message: string): Error {
    const tail = this.stderrTail.trim();
    return new Error(tail ? `${message}\n--- launcher stderr ---\n${tail}` : message);
  }
}
