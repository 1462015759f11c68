/** Which JSON media type answers a request, from its Accept header. */
export type JsonMediaType = 'application/graphql-response+json' | 'application/json';

/** The response type the client prefers (in Accept order, as yoga chooses), or null if it wants neither. */
export function negotiate(accept: string | undefined): JsonMediaType | null {
  if (!accept) return 'application/json';
  for (const part of accept.split(',')) {
    const type = part.split(';')[0]!.trim().toLowerCase();
    if (type === 'application/graphql-response+json') return type;
    if (type === 'application/json' || type === '*/*' || type === 'application/*') return 'application/json';
  }
  return null;
}
