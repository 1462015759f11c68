/**
 * One HTTP attempt of a delivery: a POST with the signed body, a timeout (AbortSignal), redirects not
 * followed (a 3xx counts as a failure: the signed body must go to the URL the admin gave).
 */
import type { WebhookAttempt, WebhookDelivery } from '../../store/webhooks/model.js';
import { signature } from './signer.js';

/** Read before the response body is thrown away, so an error answer says a little about itself. */
const errorExcerptChars = 200;

export async function sendDelivery(
  url: string,
  secret: string,
  delivery: WebhookDelivery,
  options: { timeoutMs: number; now: () => number; signal?: AbortSignal },
): Promise<WebhookAttempt> {
  const started = options.now();
  const attempt = { number: delivery.attempts.length + 1, at: new Date(started).toISOString() };
  try {
    const response = await fetch(url, {
      method: 'POST',
      redirect: 'manual',
      signal: options.signal
        ? AbortSignal.any([AbortSignal.timeout(options.timeoutMs), options.signal])
        : AbortSignal.timeout(options.timeoutMs),
      headers: {
        'content-type': 'application/json',
        'user-agent': 'Vexil-Webhooks/1',
        'x-vexil-signature': signature(secret, delivery.body),
        'x-vexil-delivery': delivery.id,
        'x-vexil-event': delivery.event,
        'x-vexil-timestamp': String(Math.floor(started / 1000)),
      },
      body: delivery.body,
    });
    const text = await response.text().catch(() => '');
    const ok = response.status >= 200 && response.status < 300;
    return {
      ...attempt,
      statusCode: response.status,
      error: ok ? null : `HTTP ${response.status}${text ? `: ${text.slice(0, errorExcerptChars)}` : ''}`,
      durationMs: Math.max(0, options.now() - started),
    };
  } catch (error) {
    return {
      ...attempt,
      statusCode: null,
      error: describe(error, options.timeoutMs),
      durationMs: Math.max(0, options.now() - started),
    };
  }
}

function describe(error: unknown, timeoutMs: number): string {
  const err = error as { name?: string; message?: string; cause?: { code?: string; message?: string } };
  if (err.name === 'TimeoutError') return `no answer within ${timeoutMs} ms`;
  if (err.name === 'AbortError') return 'cut short: the gateway was shutting down';
  return err.cause?.code ?? err.cause?.message ?? err.message ?? String(error);
}
