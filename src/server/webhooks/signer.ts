/** The signature of a delivery: GitHub-style `sha256=<hex HMAC-SHA256 of the raw body>`. */
import { createHmac } from 'node:crypto';

export function signature(secret: string, body: string): string {
  return `sha256=${createHmac('sha256', secret).update(body, 'utf8').digest('hex')}`;
}
