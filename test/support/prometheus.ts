/**
 * A real Prometheus for tests: Debian's `prometheus` binary (test/setup/prepare.sh installs it) on
 * loopback, scraping every second a small node:http service whose counters the test controls.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import { type AddressInfo, createServer as createNetServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export const prometheusBinary = process.env.PROMETHEUS_PATH ?? '/usr/bin/prometheus';
export const hasPrometheus = existsSync(prometheusBinary);

/**
 * Serves `checkout_requests_total` and `checkout_errors_total` (label variation="on"); every scrape
 * counts 1000 more requests, `errorRatio` of them errors, so rate(errors)/rate(requests) is the ratio.
 */
export class ErrorRateService {
  errorRatio = 0;
  private requests = 0;
  private errors = 0;
  private server!: Server;
  port = 0;

  async start(): Promise<void> {
    this.server = createServer((req, res) => {
      if (req.url !== '/metrics') return void res.writeHead(404).end();
      this.requests += 1000;
      this.errors += Math.round(1000 * this.errorRatio);
      res.writeHead(200, { 'content-type': 'text/plain; version=0.0.4' });
      res.end(
        [
          '# TYPE checkout_requests_total counter',
          `checkout_requests_total{variation="on"} ${this.requests}`,
          '# TYPE checkout_errors_total counter',
          `checkout_errors_total{variation="on"} ${this.errors}`,
          '',
        ].join('\n'),
      );
    });
    await new Promise<void>((resolve) => this.server.listen(0, '127.0.0.1', resolve));
    this.port = (this.server.address() as AddressInfo).port;
  }

  async stop(): Promise<void> {
    await new Promise<void>((resolve) => this.server?.close(() => resolve()));
  }
}

async function freePort(): Promise<number> {
  const server = createNetServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

export class TestPrometheus {
  url = '';
  private child: ChildProcess | undefined;
  private dir = '';
  private output = '';

  /** Starts Prometheus scraping `target` (host:port) every second and waits until it is ready. */
  async start(target: string, timeoutMs = 120_000): Promise<void> {
    this.dir = await mkdtemp(join(tmpdir(), 'vexil-prometheus-'));
    const config = join(this.dir, 'prometheus.yml');
    await writeFile(
      config,
      `global:\n  scrape_interval: 1s\n  evaluation_interval: 1s\nscrape_configs:\n  - job_name: checkout\n    static_configs:\n      - targets: ['${target}']\n`,
    );
    const port = await freePort();
    this.url = `http://127.0.0.1:${port}`;
    this.child = spawn(
      prometheusBinary,
      [
        `--config.file=${config}`,
        `--storage.tsdb.path=${join(this.dir, 'data')}`,
        `--web.listen-address=127.0.0.1:${port}`,
      ],
      { stdio: ['ignore', 'pipe', 'pipe'] },
    );
    this.child.stdout!.on('data', (chunk: Buffer) => (this.output += chunk.toString()));
    this.child.stderr!.on('data', (chunk: Buffer) => (this.output += chunk.toString()));
    const deadline = Date.now() + timeoutMs;
    while (Date.now() < deadline) {
      if (this.child.exitCode !== null) throw new Error(`prometheus exited:\n${this.output}`);
      const ready = await fetch(`${this.url}/-/ready`).then(
        (response) => response.ok,
        () => false,
      );
      if (ready) return;
      await new Promise((resolve) => setTimeout(resolve, 250));
    }
    throw new Error(`prometheus was not ready within ${timeoutMs} ms:\n${this.output}`);
  }

  /** The value of an instant query, or null (no data yet, NaN, an error). */
  async value(query: string): Promise<number | null> {
    const response = await fetch(`${this.url}/api/v1/query?query=${encodeURIComponent(query)}`).catch(() => null);
    const body = (await response?.json().catch(() => null)) as {
      data?: { result?: Array<{ value: [number, string] }> };
    } | null;
    const value = Number(body?.data?.result?.[0]?.value[1]);
    return Number.isFinite(value) ? value : null;
  }

  /** Stops Prometheus and waits for its exit. */
  async stop(): Promise<void> {
    const child = this.child;
    if (child && child.exitCode === null && child.signalCode === null) {
      const exited = new Promise((resolve) => child.once('exit', resolve));
      child.kill('SIGTERM');
      await exited;
    }
  }

  async cleanup(): Promise<void> {
    await this.stop();
    if (this.dir) await rm(this.dir, { recursive: true, force: true });
  }
}
