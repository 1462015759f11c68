/** Gateway configuration: environment variables, overridden by CLI flags, with documented defaults. */
import { type WebhookSettings, webhookSettings } from './webhooks/settings.js';

export interface GatewayConfig {
  /** `PORT`. @default 4000 */
  port: number;
  /** `HOST`. @default "0.0.0.0" */
  host: string;
  /** `MONGODB_URI`; absent → the embedded store in `dataDir`. */
  mongodbUri: string | undefined;
  /** `VEXIL_DATA_DIR`. @default "./.vexil" */
  dataDir: string;
  /** `VEXIL_BOOTSTRAP_ADMIN_KEY`: becomes the first admin key of a store that has none. */
  bootstrapAdminKey: string | undefined;
  /** `LOG_LEVEL` (pino levels). @default "info" */
  logLevel: string;
  /** `NODE_ENV=development` or `--dev`: enables GraphiQL. */
  dev: boolean;
  /** `VEXIL_MAX_BODY_BYTES`. @default 1048576 */
  maxBodyBytes: number;
  /** `VEXIL_USAGE_FLUSH_MS`: how often usage counters are merged into the store. @default 10000 */
  usageFlushMs: number;
  /** `VEXIL_STICKY_MAX_PER_FLAG`: sticky assignments kept per flag environment. @default 100000 */
  stickyMaxPerFlag: number;
  /** `VEXIL_SHUTDOWN_GRACE_MS`: how long in-flight requests may take to finish on shutdown. @default 10000 */
  shutdownGraceMs: number;
  /** `VEXIL_FAST_LANE=false` turns off the direct path for JSON POST queries (see server/fast-lane.ts). @default true */
  fastLane: boolean;
  /** `VEXIL_EVALUATION_PLAN=false` makes the fast lane execute evaluation queries with graphql-js instead of a plan (see server/evaluation-plan/). @default true */
  evaluationPlan: boolean;
  /** `VEXIL_MAX_SUBSCRIPTIONS_PER_KEY`. @default 1000 */
  maxSubscriptionsPerKey: number;
  /** `VEXIL_MAX_SUBSCRIPTIONS_PER_CONNECTION`. @default 100 */
  maxSubscriptionsPerConnection: number;
  /** `VEXIL_METRICS_MAX_FLAGS`: most flags exported as `vexil_flag_info` series (label cardinality). @default 2000 */
  metricsMaxFlags: number;
  /** `VEXIL_OFREP_RATE_LIMIT`: OFREP requests a second per key (token bucket, burst of one second), 0 for none. @default 0 */
  ofrepRateLimit: number;
  /** `VEXIL_DEFAULT_EXPIRY_RELEASE`: days until a release flag created without `expiresAt` expires. @default 40 */
  defaultExpiryReleaseDays: number;
  /** `VEXIL_DEFAULT_EXPIRY_EXPERIMENT`: days until an experiment flag created without `expiresAt` expires. @default 90 */
  defaultExpiryExperimentDays: number;
  /** `VEXIL_SEED`: create the example flag `new_checkout` on an empty store. @default true */
  seedExample: boolean;
  /** `VEXIL_FLAGS_FILE` or `--flags`: serve this flags file, read-only and reloaded on change; absent → a store. */
  flagsFile: string | undefined;
  /** `VEXIL_SNAPSHOT_INTERVAL_MS`: least time between two writes of the last-known-good snapshot (MongoDB store). @default 5000 */
  snapshotIntervalMs: number;
  /** `VEXIL_STORE_RETRY_MAX_MS`: longest wait between reconnection attempts while serving the snapshot. @default 30000 */
  storeRetryMaxMs: number;
  /** `VEXIL_WEBHOOK_*`: the webhook dispatcher (webhooks/settings.ts). */
  webhooks: WebhookSettings;
  /** `VEXIL_PROMETHEUS_URL`: the Prometheus that rollout guards query; absent: a guarded stage never advances by itself. */
  prometheusUrl: string | undefined;
  /** `VEXIL_ROLLOUT_INTERVAL_MS`: how often the rollout scheduler looks at running plans, 0 for never. @default 10000 */
  rolloutIntervalMs: number;
  /** `VEXIL_ROLLOUT_GUARD_INTERVAL_MS`: how often a guard is checked during a stage's hold. @default 60000 */
  rolloutGuardIntervalMs: number;
}

function integer(value: string | undefined, fallback: number, name: string): number {
  if (value === undefined || value === '') return fallback;
  const parsed = Number(value);
  if (!Number.isInteger(parsed) || parsed < 0)
    throw new Error(`${name} must be a non-negative integer, got '${value}'`);
  return parsed;
}

export function configFromEnvironment(
  env: NodeJS.ProcessEnv = process.env,
  overrides: Partial<GatewayConfig> = {},
): GatewayConfig {
  return {
    port: integer(env.PORT, 4000, 'PORT'),
    host: env.HOST || '0.0.0.0',
    mongodbUri: env.MONGODB_URI || undefined,
    dataDir: env.VEXIL_DATA_DIR || './.vexil',
    bootstrapAdminKey: env.VEXIL_BOOTSTRAP_ADMIN_KEY || undefined,
    logLevel: env.LOG_LEVEL || 'info',
    dev: env.NODE_ENV === 'development',
    maxBodyBytes: integer(env.VEXIL_MAX_BODY_BYTES, 1024 * 1024, 'VEXIL_MAX_BODY_BYTES'),
    usageFlushMs: integer(env.VEXIL_USAGE_FLUSH_MS, 10_000, 'VEXIL_USAGE_FLUSH_MS'),
    stickyMaxPerFlag: integer(env.VEXIL_STICKY_MAX_PER_FLAG, 100_000, 'VEXIL_STICKY_MAX_PER_FLAG'),
    shutdownGraceMs: integer(env.VEXIL_SHUTDOWN_GRACE_MS, 10_000, 'VEXIL_SHUTDOWN_GRACE_MS'),
    fastLane: env.VEXIL_FAST_LANE !== 'false',
    evaluationPlan: env.VEXIL_EVALUATION_PLAN !== 'false',
    maxSubscriptionsPerKey: integer(env.VEXIL_MAX_SUBSCRIPTIONS_PER_KEY, 1000, 'VEXIL_MAX_SUBSCRIPTIONS_PER_KEY'),
    maxSubscriptionsPerConnection: integer(
      env.VEXIL_MAX_SUBSCRIPTIONS_PER_CONNECTION,
      100,
      'VEXIL_MAX_SUBSCRIPTIONS_PER_CONNECTION',
    ),
    metricsMaxFlags: integer(env.VEXIL_METRICS_MAX_FLAGS, 2000, 'VEXIL_METRICS_MAX_FLAGS'),
    ofrepRateLimit: integer(env.VEXIL_OFREP_RATE_LIMIT, 0, 'VEXIL_OFREP_RATE_LIMIT'),
    defaultExpiryReleaseDays: integer(env.VEXIL_DEFAULT_EXPIRY_RELEASE, 40, 'VEXIL_DEFAULT_EXPIRY_RELEASE'),
    defaultExpiryExperimentDays: integer(env.VEXIL_DEFAULT_EXPIRY_EXPERIMENT, 90, 'VEXIL_DEFAULT_EXPIRY_EXPERIMENT'),
    seedExample: env.VEXIL_SEED !== 'false',
    flagsFile: env.VEXIL_FLAGS_FILE || undefined,
    snapshotIntervalMs: integer(env.VEXIL_SNAPSHOT_INTERVAL_MS, 5000, 'VEXIL_SNAPSHOT_INTERVAL_MS'),
    storeRetryMaxMs: integer(env.VEXIL_STORE_RETRY_MAX_MS, 30_000, 'VEXIL_STORE_RETRY_MAX_MS'),
    webhooks: webhookSettings(env),
    prometheusUrl: env.VEXIL_PROMETHEUS_URL || undefined,
    rolloutIntervalMs: integer(env.VEXIL_ROLLOUT_INTERVAL_MS, 10_000, 'VEXIL_ROLLOUT_INTERVAL_MS'),
    rolloutGuardIntervalMs: integer(env.VEXIL_ROLLOUT_GUARD_INTERVAL_MS, 60_000, 'VEXIL_ROLLOUT_GUARD_INTERVAL_MS'),
    ...overrides,
  };
}
