/**
 * The provider events both SDKs define (server and web spell them the same): what a `LiveListener`
 * hears, emitted through the SDK's own `OpenFeatureEventEmitter`, which this module cannot import
 * without tying the shared code to one SDK.
 */
import type { LiveListener } from './live-evaluations.js';

export interface ProviderEventSink {
  emit(event: string, details?: { message?: string; flagsChanged?: string[] }): void;
}

export function listenerFor(events: ProviderEventSink): LiveListener {
  return {
    ready: () => events.emit('PROVIDER_READY'),
    changed: (keys) => events.emit('PROVIDER_CONFIGURATION_CHANGED', { flagsChanged: keys }),
    stale: (message) => events.emit('PROVIDER_STALE', { message }),
    error: (message) => events.emit('PROVIDER_ERROR', { message }),
  };
}
