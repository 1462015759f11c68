/**
 * Checks a rollout guard with one Prometheus instant query (`GET /api/v1/query`). Anything short of a
 * clear number (no Prometheus configured, unreachable, timeout, an error answer, an empty result, NaN)
 * is `unknown`, which the scheduler reads as "do not advance", never as "advance". A vector with
 * several series is judged by its largest value: a guard is only as good as its worst series.
 */
import type { GuardCheck, RolloutGuard } from '../../flags/rollout-plan.js';

export interface GuardCheckerOptions {
  /** `VEXIL_PROMETHEUS_URL`, e.g. http://prometheus:9090; absent: every guard is unknown. */
  prometheusUrl: string | undefined;
  /** How long one query may take. @default 5000 */
  timeoutMs?: number;
  /** @default () => new Date() */
  now?: () => Date;
}

export type GuardChecker = (guard: RolloutGuard) => Promise<GuardCheck>;

interface QueryAnswer {
  status?: string;
  error?: string;
  data?: { resultType?: string; result?: unknown };
}

export function prometheusGuard({
  prometheusUrl,
  timeoutMs = 5000,
  now = () => new Date(),
}: GuardCheckerOptions): GuardChecker {
  return async (guard) => {
    const at = now().toISOString();
    const unknown = (detail: string): GuardCheck => ({ at, value: null, outcome: 'unknown', detail });
    if (!prometheusUrl) return unknown('VEXIL_PROMETHEUS_URL is not set');
    let answer: QueryAnswer;
    try {
      const url = new URL('api/v1/query', prometheusUrl.endsWith('/') ? prometheusUrl : `${prometheusUrl}/`);
      url.searchParams.set('query', guard.query);
      const response = await fetch(url, { signal: AbortSignal.timeout(timeoutMs) });
      answer = (await response.json()) as QueryAnswer;
    } catch (error) {
      return unknown(`Prometheus unreachable: ${(error as Error).message}`);
    }
    if (answer.status !== 'success') return unknown(`Prometheus error: ${answer.error ?? 'no success status'}`);
    const value = largestValue(answer.data);
    if (value === null) return unknown('the query returned no number');
    const outcome = value > guard.max ? 'breach' : 'ok';
    return { at, value, outcome, detail: `${guard.query} = ${value} (max ${guard.max})` };
  };
}

/** The largest finite sample of a scalar or vector answer; null when there is none. */
function largestValue(data: QueryAnswer['data']): number | null {
  const samples: unknown[] =
    data?.resultType === 'scalar'
      ? [data.result]
      : data?.resultType === 'vector' && Array.isArray(data.result)
        ? data.result.map((series) => (series as { value?: unknown }).value)
        : [];
  let largest: number | null = null;
  for (const sample of samples) {
    const value = Array.isArray(sample) ? Number(sample[1]) : Number.NaN;
    if (Number.isFinite(value) && (largest === null || value > largest)) largest = value;
  }
  return largest;
}
