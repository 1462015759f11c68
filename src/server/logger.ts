/** Structured JSON logs (pino). Secrets never reach a log line: the Authorization header is redacted. */
import { pino, type Logger } from 'pino';

export type { Logger };

export function createLogger(level: string): Logger {
  return pino({
    level,
    base: { service: 'vexil' },
    redact: {
      paths: ['req.headers.authorization', 'headers.authorization', 'secret', '*.secret'],
      censor: '[redacted]',
    },
  });
}
