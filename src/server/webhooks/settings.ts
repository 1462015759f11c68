/** Webhook dispatcher settings from the environment, with their defaults (README, Configuration). */

export interface WebhookSettings {
  /** `VEXIL_WEBHOOKS=false` stops this instance from sending (others sharing the store still do). @default true */
  enabled: boolean;
  /** `VEXIL_WEBHOOK_POLL_MS`: how often the outbox is looked at. @default 1000 */
  pollMs: number;
  /** `VEXIL_WEBHOOK_TIMEOUT_MS`: how long one attempt may take. @default 10000 */
  timeoutMs: number;
  /** `VEXIL_WEBHOOK_RETRY_BASE_MS`: the first retry's backoff ceiling, doubled per attempt. @default 10000 */
  retryBaseMs: number;
  /** `VEXIL_WEBHOOK_RETRY_CAP_MS`: the largest backoff ceiling. @default 3600000 */
  retryCapMs: number;
  /** `VEXIL_WEBHOOK_GIVE_UP_MS`: after this long since the first attempt a delivery is FAILED. @default 86400000 */
  giveUpMs: number;
  /** `VEXIL_WEBHOOK_CONCURRENCY`: attempts in flight at once per instance. @default 8 */
  concurrency: number;
}

function integer(value: string | undefined, fallback: number, name: string, min = 0): number {
  if (value === undefined || value === '') return fallback;
  const parsed = Number(value);
  if (!Number.isInteger(parsed) || parsed < min)
    throw new Error(`${name} must be an integer of at least ${min}, got '${value}'`);
  return parsed;
}

export function webhookSettings(env: NodeJS.ProcessEnv): WebhookSettings {
  return {
    enabled: env.VEXIL_WEBHOOKS !== 'false',
    pollMs: integer(env.VEXIL_WEBHOOK_POLL_MS, 1000, 'VEXIL_WEBHOOK_POLL_MS', 1),
    timeoutMs: integer(env.VEXIL_WEBHOOK_TIMEOUT_MS, 10_000, 'VEXIL_WEBHOOK_TIMEOUT_MS', 1),
    retryBaseMs: integer(env.VEXIL_WEBHOOK_RETRY_BASE_MS, 10_000, 'VEXIL_WEBHOOK_RETRY_BASE_MS'),
    retryCapMs: integer(env.VEXIL_WEBHOOK_RETRY_CAP_MS, 3_600_000, 'VEXIL_WEBHOOK_RETRY_CAP_MS'),
    giveUpMs: integer(env.VEXIL_WEBHOOK_GIVE_UP_MS, 86_400_000, 'VEXIL_WEBHOOK_GIVE_UP_MS'),
    concurrency: integer(env.VEXIL_WEBHOOK_CONCURRENCY, 8, 'VEXIL_WEBHOOK_CONCURRENCY', 1),
  };
}
