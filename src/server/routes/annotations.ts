/**
 * `GET /annotations?from=…&to=…[&flag=KEY][&environment=E][&limit=N]`: flag changes in a time range,
 * as the JSON that Grafana's JSON API and Infinity data sources read for annotations — one object per
 * change with `time` (ms since the epoch), `title`, `text` and `tags` — so a dashboard can show
 * flag flips on its error-rate panels. `from`/`to` take ms since the epoch (Grafana's `${__from}`,
 * `${__to}`) or ISO-8601. Admin and read-only keys (`Authorization: Bearer …`).
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { FlagStore } from '../../store/store.js';
import { type ChangeRecord, environmentOf } from '../../store/types.js';
import type { KeyRegistry } from '../key-registry.js';
import { sendJson } from '../respond.js';
import { admitKeyedGet } from './keyed-get.js';

export interface Annotation {
  time: number;
  title: string;
  text: string;
  tags: string[];
  flag: string;
  environment: string | null;
  action: string;
  actor: string;
  version: number;
}

const maxLimit = 1000;

class BadRequest extends Error {}

/** A time parameter: ms since the epoch, or an ISO-8601 date. */
function timeParam(params: URLSearchParams, name: string): string | undefined {
  const value = params.get(name);
  if (value === null || value === '') return undefined;
  const time = /^\d+$/.test(value) ? Number(value) : Date.parse(value);
  if (!Number.isFinite(time))
    throw new BadRequest(`${name} must be ms since the epoch or an ISO-8601 date, not '${value}'`);
  return new Date(time).toISOString();
}

function toAnnotation(record: ChangeRecord): Annotation {
  const environment = environmentOf(record);
  const where = environment ? ` in ${environment}` : '';
  return {
    time: Date.parse(record.at),
    title: `${record.ref.key}: ${record.action}${where}`,
    text: `${record.actor}${record.comment ? ` — ${record.comment}` : ''} (version ${record.version})`,
    tags: [
      'vexil',
      `flag:${record.ref.key}`,
      `action:${record.action}`,
      ...(environment ? [`environment:${environment}`] : []),
    ],
    flag: record.ref.key,
    environment,
    action: record.action,
    actor: record.actor,
    version: record.version,
  };
}

export function annotationsRoute({ store, keys }: { store: FlagStore; keys: KeyRegistry }) {
  return {
    prefix: '/annotations',
    async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
      const admitted = admitKeyedGet(
        req,
        res,
        '/annotations',
        keys,
        'send an admin or read-only key: Authorization: Bearer <secret>',
      );
      if (!admitted) return;
      const { url, principal } = admitted;
      if (principal.kind === 'evaluation' || principal.kind === 'server')
        return sendJson(res, 403, {
          error: `annotations need an admin or read-only key; ${principal.kind} keys only evaluate`,
        });
      try {
        sendJson(res, 200, await annotations(store, url.searchParams));
      } catch (error) {
        if (error instanceof BadRequest) return sendJson(res, 400, { error: error.message });
        throw error;
      }
    },
  };
}

async function annotations(store: FlagStore, params: URLSearchParams): Promise<Annotation[]> {
  const since = timeParam(params, 'from');
  const until = timeParam(params, 'to');
  const limit = Number(params.get('limit') ?? maxLimit);
  if (!Number.isInteger(limit) || limit < 1 || limit > maxLimit)
    throw new BadRequest(`limit must be an integer from 1 to ${maxLimit}`);
  const flag = params.get('flag') || undefined;
  const environment = params.get('environment') || undefined;
  const filter = {
    ref: { kind: 'flag' as const, ...(flag ? { key: flag } : {}), ...(environment ? { environment } : {}) },
    ...(since ? { since } : {}),
    ...(until ? { until } : {}),
  };
  const found: Annotation[] = [];
  let after: string | null = null;
  do {
    const page = await store.auditLog(filter, { first: Math.min(500, limit - found.length), after });
    found.push(...page.items.map(toAnnotation));
    after = page.hasNextPage ? page.endCursor : null;
  } while (after !== null && found.length < limit);
  return found;
}
