/**
 * Live changes: one `flagChanged` subscription over SSE (graphql-sse, bundled) while signed in. Pages
 * read `lastChange` to refetch what they show; a new value is a new object, so every change notifies.
 */
import { effect, signal } from '@preact/signals';
import { createClient } from 'graphql-sse';
import { print } from 'graphql';
import { type ConsoleFlagChangedSubscription, ConsoleFlagChangedDocument } from '../client/generated/graphql.js';
import { apiKey } from './session.js';

export type FlagChange = ConsoleFlagChangedSubscription['flagChanged'];

export const lastChange = signal<FlagChange | null>(null);
export const liveState = signal<'connecting' | 'live' | 'offline'>('offline');

const query = print(ConsoleFlagChangedDocument);

effect(() => {
  const key = apiKey.value;
  if (!key) return;
  liveState.value = 'connecting';
  const client = createClient({
    url: '/graphql',
    headers: { authorization: `Bearer ${key}` },
    retryAttempts: 1000,
    on: { connected: () => void (liveState.value = 'live') },
  });
  const stop = client.subscribe<ConsoleFlagChangedSubscription>(
    { query },
    {
      next: (message) => {
        liveState.value = 'live';
        if (message.data) lastChange.value = message.data.flagChanged;
      },
      error: () => void (liveState.value = 'offline'),
      complete: () => void (liveState.value = 'offline'),
    },
  );
  return () => {
    stop();
    client.dispose();
    liveState.value = 'offline';
  };
});
