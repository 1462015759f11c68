/**
 * `GET /sdk/v1/flag-set`: the flag set of a server key's environment (src/flags/flag-set.ts), for the
 * server provider's local evaluation and as a bootstrap document. Server keys only: an evaluation key
 * never sees rules (403), and admin or read-only keys have the GraphQL API. The ETag is a hash of the
 * body, so `If-None-Match` answers 304 exactly while the environment's set is unchanged.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { FlagEngine } from '../../flags/engine.js';
import { flagSetOf } from '../../flags/flag-set.js';
import { etagOf, matchesIfNoneMatch } from '../../ofrep/etag.js';
import type { KeyRegistry } from '../key-registry.js';
import { sendBody, sendJson } from '../respond.js';
import { admitKeyedGet } from './keyed-get.js';

export const flagSetPath = '/sdk/v1/flag-set';

export function flagSetRoute({ engine, keys }: { engine: FlagEngine; keys: KeyRegistry }) {
  return {
    prefix: flagSetPath,
    async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
      const admitted = admitKeyedGet(req, res, flagSetPath, keys, 'send a server key: Authorization: Bearer <secret>');
      if (!admitted) return;
      const { principal } = admitted;
      if (principal.kind !== 'server' || principal.environment === null)
        return sendJson(res, 403, {
          error: `the flag set needs a server key; ${principal.kind} keys cannot read rules`,
        });
      const document = flagSetOf(engine, principal.environment);
      if (!document) return sendJson(res, 404, { error: `environment '${principal.environment}' does not exist` });
      const body = JSON.stringify(document);
      const etag = etagOf(body);
      res.setHeader('etag', etag);
      res.setHeader('cache-control', 'no-cache');
      if (matchesIfNoneMatch(req.headers['if-none-match'], etag)) {
        res.statusCode = 304;
        return void res.end();
      }
      sendBody(res, 200, 'application/json; charset=utf-8', body);
    },
  };
}
