/**
 * The shareable state (mode, rule, context, and flag/environment in flag mode) lives in the URL hash as
 * base64url-encoded JSON, so a copied link reproduces the view. The API key is deliberately not part of it.
 */

export type Mode = 'rule' | 'flag';

export interface PlaygroundState {
  mode: Mode;
  rule: string;
  context: string;
  flag?: string;
  environment?: string;
}

interface Encoded {
  v: 1;
  m: Mode;
  r: string;
  c: string;
  f?: string;
  e?: string;
}

const prefix = '#s=';

export const defaultState: PlaygroundState = {
  mode: 'rule',
  rule: '(plan == "premium" or accountAgeDays > 30) and country in ["US", "CA", "GB"]',
  context: JSON.stringify(
    {
      targetingKey: 'user_123',
      userId: 'user_123',
      email: 'ada@example.com',
      plan: 'premium',
      accountAgeDays: 12,
      country: 'GB',
      attrs: { 'x-team': 'payments' },
    },
    null,
    2,
  ),
};

function toBase64Url(text: string): string {
  const bytes = new TextEncoder().encode(text);
  let binary = '';
  for (const byte of bytes) binary += String.fromCharCode(byte);
  return btoa(binary).replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '');
}

function fromBase64Url(text: string): string {
  const base64 = text.replace(/-/g, '+').replace(/_/g, '/');
  const binary = atob(base64 + '='.repeat((4 - (base64.length % 4)) % 4));
  return new TextDecoder('utf-8', { fatal: true }).decode(Uint8Array.from(binary, (char) => char.charCodeAt(0)));
}

/** The hash for a state, e.g. `#s=eyJ2IjoxLC…`. Flag and environment are kept only in flag mode. */
export function encodeState(state: PlaygroundState): string {
  const encoded: Encoded = { v: 1, m: state.mode, r: state.rule, c: state.context };
  if (state.mode === 'flag') {
    if (state.flag) encoded.f = state.flag;
    if (state.environment) encoded.e = state.environment;
  }
  return prefix + toBase64Url(JSON.stringify(encoded));
}

/** The state in a hash, or null when there is none or it is not one of ours (a hand-edited link). */
export function decodeState(hash: string): PlaygroundState | null {
  if (!hash.startsWith(prefix)) return null;
  try {
    const value = JSON.parse(fromBase64Url(hash.slice(prefix.length))) as Partial<Encoded> | null;
    if (
      !value ||
      value.v !== 1 ||
      (value.m !== 'rule' && value.m !== 'flag') ||
      typeof value.r !== 'string' ||
      typeof value.c !== 'string'
    )
      return null;
    const state: PlaygroundState = { mode: value.m, rule: value.r, context: value.c };
    if (typeof value.f === 'string') state.flag = value.f;
    if (typeof value.e === 'string') state.environment = value.e;
    return state;
  } catch {
    return null;
  }
}
