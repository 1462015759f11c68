/** The first step of a request the node:http lanes serve: its whole body. */
import type { IncomingMessage } from 'node:http';

/**
 * The whole request body. Its listeners go once it is read, so a long-lived request (SSE) does not keep
 * the body alive (and an IncomingMessage without 'error' listeners does not emit its errors).
 */
export function readBody(req: IncomingMessage): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    const onData = (chunk: Buffer) => chunks.push(chunk);
    const settle = (error?: Error) => {
      req.off('data', onData).off('end', settle).off('error', settle);
      if (error) reject(error);
      else resolve(chunks.length === 1 ? chunks[0]! : Buffer.concat(chunks));
    };
    req.on('data', onData).on('end', settle).on('error', settle);
  });
}
