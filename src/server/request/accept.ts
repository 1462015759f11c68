/**
 * Which media type answers a request, decided from its Accept header exactly as graphql-yoga decides
 * (plugins/use-result-processor.ts and result-processor/accept.ts), so a lane never answers in
 * another type than yoga would. Yoga's rules, as they are:
 *   - a missing or empty header accepts anything; spaces are ignored, names compared in lower case;
 *   - an entry whose charset is not utf-8 is dropped; q-values are not weighed (`;q=0` still accepts);
 *   - JSON wins whenever any entry accepts it; then multipart/mixed (not for subscriptions); then SSE;
 *   - among the JSON types the first entry accepting one decides, and a wildcard entry (any type,
 *     `application/*`) picks the legacy application/json;
 *   - a subscription streams over SSE only (yoga has no multipart for subscriptions).
 * Clients send the same few headers again and again, so the answer is kept per (short) header value.
 */
export type JsonMediaType = 'application/graphql-response+json' | 'application/json';
export type ResultMediaType = JsonMediaType | 'multipart/mixed' | 'text/event-stream';

export interface Negotiated {
  /** The type of a single result (query, mutation, or errors before anything ran); null: 406. */
  result: ResultMediaType | null;
  /** The type of a subscription's single result (an error its subscribe resolver raised); null: 406. */
  subscriptionResult: JsonMediaType | 'text/event-stream' | null;
  /** Whether a subscription's stream of results can go out (as SSE). */
  stream: boolean;
}

const json: readonly ResultMediaType[] = ['application/graphql-response+json', 'application/json'];
const sse: readonly ResultMediaType[] = ['text/event-stream'];
const multipart: readonly ResultMediaType[] = ['multipart/mixed'];

/** Yoga's processors in the order it tries them: a later match replaces an earlier one. */
const forResults = [sse, multipart, json];
const forSubscriptionResults = [sse, json];

/** The accepted types, last entry first (as yoga walks them), without those in another charset. */
function acceptedTypes(accept: string | undefined): string[] {
  const types: string[] = [];
  for (const entry of (accept || '*/*').replace(/\s/g, '').toLowerCase().split(',')) {
    const [type, ...params] = entry.split(';');
    const charset = params.find((param) => param.includes('charset=')) ?? 'charset=utf-8';
    if (charset === 'charset=utf-8') types.push(type!);
  }
  return types.reverse();
}

function matches(offered: string, accepted: string): boolean {
  const [type, subtype] = offered.split('/');
  const [acceptedType, acceptedSubtype] = accepted.split('/');
  return (acceptedType === '*' || acceptedType === type) && (acceptedSubtype === '*' || acceptedSubtype === subtype);
}

/** Yoga's loop: every processor, every accepted type, every type the processor offers; the last match wins. */
function choose(
  accepted: readonly string[],
  processors: ReadonlyArray<readonly ResultMediaType[]>,
): ResultMediaType | null {
  let chosen: ResultMediaType | null = null;
  for (const offers of processors)
    for (const type of accepted) for (const offered of offers) if (matches(offered, type)) chosen = offered;
  return chosen;
}

const maxRemembered = 256;
const maxRememberedLength = 512;
const remembered = new Map<string, Negotiated>();

export function negotiate(accept: string | undefined): Negotiated {
  const key = accept ?? '';
  let negotiated = remembered.get(key);
  if (negotiated) return negotiated;
  const accepted = acceptedTypes(accept);
  negotiated = Object.freeze({
    result: choose(accepted, forResults),
    subscriptionResult: choose(accepted, forSubscriptionResults) as Negotiated['subscriptionResult'],
    stream: choose(accepted, [sse]) !== null,
  });
  // Headers are the client's to choose: keep only short ones, and forget them all rather than grow without bound.
  if (key.length > maxRememberedLength) return negotiated;
  if (remembered.size >= maxRemembered) remembered.clear();
  remembered.set(key, negotiated);
  return negotiated;
}

export function isJson(type: ResultMediaType | null): type is JsonMediaType {
  return type === 'application/graphql-response+json' || type === 'application/json';
}
