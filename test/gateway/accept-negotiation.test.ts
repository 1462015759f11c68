/**
 * The media type of an answer follows the request's Accept header as graphql-yoga decides it
 * (src/server/request/accept.ts), whichever lane serves the request. A table of Accept headers, each
 * with the type yoga picks; every header is sent to the gateway's own server (the node:http lanes)
 * and to a server over the same gateway without them (what VEXIL_FAST_LANE=false builds: yoga alone),
 * and the answers must agree byte for byte: status, content type, body.
 *
 * Issue #13: urql sends `application/graphql-response+json, application/graphql+json,
 * application/json, text/event-stream, multipart/mixed`; a query must come back as JSON, never SSE.
 */
import { request, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { createHttpServer } from '../../src/server/http.js';
import { negotiate } from '../../src/server/request/accept.js';
import { EVALUATIONS_CHANGED } from '../support/live-clients.js';
import { authorization, standardKeys, startTestGateway, type TestGateway } from '../support/gateway.js';

vi.mock('graphql', async () => (await import('node:module')).createRequire(import.meta.url)('graphql'));

const urql =
  'application/graphql-response+json, application/graphql+json, application/json, text/event-stream, multipart/mixed';

/** Accept header (undefined: none sent) → the type yoga answers a query with (null: 406 Not Acceptable). */
const table: Array<[accept: string | undefined, type: string | null]> = [
  [undefined, 'application/json'],
  ['', 'application/json'],
  ['*/*', 'application/json'],
  ['application/*', 'application/json'],
  ['application/json', 'application/json'],
  ['application/graphql-response+json', 'application/graphql-response+json'],
  ['application/graphql-response+json, application/json', 'application/graphql-response+json'],
  ['application/json, application/graphql-response+json', 'application/json'],
  ['application/graphql-response+json; charset=utf-8', 'application/graphql-response+json'],
  ['APPLICATION/GRAPHQL-RESPONSE+JSON', 'application/graphql-response+json'],
  [urql, 'application/graphql-response+json'],
  ['text/event-stream, application/json', 'application/json'],
  ['text/event-stream, */*', 'application/json'],
  // yoga does not weigh q-values: an entry accepts whatever its q, and JSON beats SSE.
  ['text/event-stream;q=1, application/json;q=0.1', 'application/json'],
  ['application/json;q=0.5, application/graphql-response+json;q=1', 'application/json'],
  ['text/event-stream', 'text/event-stream'],
  ['TEXT/EVENT-STREAM', 'text/event-stream'],
  ['text/*', 'text/event-stream'],
  ['application/json; charset=iso-8859-1, text/event-stream', 'text/event-stream'],
  ['multipart/mixed', 'multipart/mixed'],
  ['text/event-stream, multipart/mixed', 'multipart/mixed'],
  ['text/html', null],
  ['application/json; charset=iso-8859-1', null],
];

let gw: TestGateway;
let yogaAlone: Server;
let yogaEndpoint: string;
let evalKey: string;

beforeAll(async () => {
  gw = await startTestGateway();
  evalKey = (await standardKeys(gw)).evalProd;
  const { yoga, metrics } = gw.gateway;
  yogaAlone = createHttpServer({ yoga, metrics, readiness: async () => ({ ready: true }), maxBodyBytes: 1024 * 1024 });
  await new Promise<void>((resolve) => yogaAlone.listen(0, '127.0.0.1', resolve));
  yogaEndpoint = `http://127.0.0.1:${(yogaAlone.address() as AddressInfo).port}/graphql`;
});

afterAll(async () => {
  await new Promise((resolve) => yogaAlone?.close(resolve));
  await gw?.stop();
});

interface Answer {
  status: number;
  type: string | null;
  body: string;
}

/** A request's GraphQL parameters (and extensions, which no lane serves). */
interface Payload {
  query: string;
  variables?: Record<string, unknown>;
  extensions?: Record<string, unknown>;
}

/** One request over node:http, which (unlike fetch) sends no Accept header unless given one. */
function ask(endpoint: string, accept: string | undefined, key: string, payload: Payload): Promise<Answer> {
  const body = JSON.stringify(payload);
  const headers = {
    'content-type': 'application/json',
    'content-length': Buffer.byteLength(body),
    ...(accept === undefined ? {} : { accept }),
    ...authorization(key),
  };
  return new Promise((resolve, reject) => {
    const req = request(endpoint, { method: 'POST', headers }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (chunk: Buffer) => chunks.push(chunk));
      res.on('end', () =>
        resolve({
          status: res.statusCode!,
          type: res.headers['content-type'] ?? null,
          body: Buffer.concat(chunks).toString('utf8'),
        }),
      );
      res.on('error', reject);
    });
    req.on('error', reject);
    req.end(body);
  });
}

/** The status, type and first message of a stream that does not end by itself (a live subscription). */
async function firstEvent(endpoint: string, accept: string, key: string, payload: Payload): Promise<Answer> {
  const response = await fetch(endpoint, {
    method: 'POST',
    headers: { 'content-type': 'application/json', accept, ...authorization(key) },
    body: JSON.stringify(payload),
  });
  const reader = response.body!.getReader();
  let body = '';
  while (!/event: next\ndata: .*\n\n/.test(body)) {
    const step = await reader.read();
    if (step.done) break;
    body += Buffer.from(step.value).toString('utf8');
  }
  await reader.cancel();
  return { status: response.status, type: response.headers.get('content-type'), body };
}

const mediaType = (answer: Answer) => answer.type?.split(';')[0] ?? null;

const evaluation = '{ evaluate(key: "new_checkout", context: { targetingKey: "u1" }) { key value variation } }';
const executed =
  '{ evaluate(key: "new_checkout", context: { targetingKey: "u1" }) { key value } environments { key } }';
const invalid = '{ evaluate(key: "new_checkout") { key } }';

describe('Accept negotiation', () => {
  it.each(table)('Accept %j: yoga answers a query with %s', (accept, type) => {
    expect(negotiate(accept).result).toBe(type);
  });

  it.each(table)('Accept %j: the lanes answer as yoga alone does (%s), byte for byte', async (accept, type) => {
    for (const query of [evaluation, executed, invalid]) {
      const viaLanes = await ask(gw.endpoint, accept, evalKey, { query });
      const viaYoga = await ask(yogaEndpoint, accept, evalKey, { query });
      expect(viaLanes, query).toEqual(viaYoga);
      expect(type === null ? viaLanes.status : mediaType(viaLanes), query).toBe(type ?? 406);
    }
  });

  it("answers urql's queries as JSON, one after the other", async () => {
    for (let round = 0; round < 3; round++) {
      const answer = await ask(gw.endpoint, urql, evalKey, { query: evaluation });
      expect(answer.type).toBe('application/graphql-response+json; charset=utf-8');
      expect(JSON.parse(answer.body)).toMatchObject({ data: { evaluate: { key: 'new_checkout' } } });
    }
  });

  const streams = ['text/event-stream', urql, 'text/event-stream, application/json', '*/*'];

  it.each(streams)('Accept %j: a subscription streams over SSE, as yoga streams it', async (accept) => {
    const payload = {
      query: EVALUATIONS_CHANGED,
      variables: { context: { targetingKey: 'u1' }, keys: ['new_checkout'] },
    };
    const viaLanes = await firstEvent(gw.endpoint, accept, evalKey, payload);
    expect(viaLanes).toEqual(await firstEvent(yogaEndpoint, accept, evalKey, payload));
    expect(mediaType(viaLanes)).toBe('text/event-stream');
  });

  it.each([...streams, 'application/json'])(
    'Accept %j: a subscription refused by its resolver is answered as yoga answers it',
    async (accept) => {
      const payload = {
        query: EVALUATIONS_CHANGED,
        variables: { context: { targetingKey: 'u1' }, environment: 'staging' },
      }; // FORBIDDEN for a production key
      const viaLanes = await ask(gw.endpoint, accept, evalKey, payload);
      expect(viaLanes).toEqual(await ask(yogaEndpoint, accept, evalKey, payload));
      expect(viaLanes.body).toContain('FORBIDDEN');
    },
  );
});

describe('what a lane leaves to yoga', () => {
  const subscription = {
    query: EVALUATIONS_CHANGED,
    variables: { context: { targetingKey: 'u1' }, keys: ['new_checkout'] },
    extensions: {},
  };

  it.each(['text/event-stream', urql])(
    'Accept %j: a subscription with extensions is streamed by yoga, as it comes',
    async (accept) => {
      const viaLanes = await firstEvent(gw.endpoint, accept, evalKey, subscription);
      expect(viaLanes).toEqual(await firstEvent(yogaEndpoint, accept, evalKey, subscription));
      expect(mediaType(viaLanes)).toBe('text/event-stream');
    },
  );

  it.each(['text/event-stream', urql])('Accept %j: an unknown key is answered by yoga, 401', async (accept) => {
    const viaLanes = await ask(gw.endpoint, accept, 'vxl_eval_unknown', { query: evaluation });
    expect(viaLanes).toEqual(await ask(yogaEndpoint, accept, 'vxl_eval_unknown', { query: evaluation }));
    expect(viaLanes.status).toBe(401);
  });
});
