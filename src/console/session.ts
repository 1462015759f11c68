/**
 * Who is signed in: the pasted API key (kept in sessionStorage only: gone with the tab, never in the URL
 * or localStorage) and what the gateway says it is (the `viewer` query).
 */
import { computed, signal } from '@preact/signals';
import { type ViewerQuery, ViewerDocument } from '../client/generated/graphql.js';
import { ApiError, request } from '../playground/api.js';

export type Viewer = NonNullable<ViewerQuery['viewer']>;

const storageKey = 'vexil.console.key';

export const apiKey = signal<string | null>(null);
export const viewer = signal<Viewer | null>(null);
export const canWrite = computed(() => viewer.value?.kind === 'ADMIN');

const needed = 'the console needs an admin key (to change flags) or a read-only key (to look)';

/** Why a key cannot sign in, as a sentence; null when it can. */
function refusal(found: Viewer | null | 'evaluation-only'): string | null {
  if (!found) return 'That key was not accepted (unknown or revoked). Paste an admin or read-only key.';
  // The gateway answers FORBIDDEN to keys that may only evaluate flags (evaluation keys).
  if (found === 'evaluation-only') return `This key may only evaluate flags (an evaluation key): ${needed}.`;
  if (found.kind === 'ADMIN' || found.kind === 'READ_ONLY') return null;
  return `This is a ${found.kind.toLowerCase().replace('_', '-')} key: ${needed}.`;
}

/** Checks the key with the gateway; on success keeps it for this tab. Returns the refusal, if any. */
export async function signIn(key: string): Promise<string | null> {
  let found: Viewer | null | 'evaluation-only';
  try {
    found = (await request(ViewerDocument, {}, { key })).viewer;
  } catch (error) {
    if (error instanceof ApiError && (error.code === 'UNAUTHENTICATED' || error.status === 401)) found = null;
    else if (error instanceof ApiError && error.code === 'FORBIDDEN') found = 'evaluation-only';
    else
      return `The gateway could not check the key (${error instanceof Error ? error.message : String(error)}). Try again.`;
  }
  const reason = refusal(found);
  if (reason) return reason;
  sessionStorage.setItem(storageKey, key);
  apiKey.value = key;
  viewer.value = found as Viewer;
  return null;
}

export function signOut(): void {
  sessionStorage.removeItem(storageKey);
  apiKey.value = null;
  viewer.value = null;
}

/** Signs in again with the key of this tab's session (a reload), if there is one. */
export async function resume(): Promise<void> {
  const key = sessionStorage.getItem(storageKey);
  if (key && (await signIn(key))) signOut();
}
