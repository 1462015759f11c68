/** Turns committed change records into the engine's changes. API keys do not concern the engine. */
import type { EngineChange } from '../flags/engine.js';
import type { Environment, Flag, Segment } from '../flags/model.js';
import type { ChangeRecord } from './types.js';

export function toEngineChange(record: ChangeRecord): EngineChange | null {
  const { ref } = record;
  switch (ref.kind) {
    case 'flag':
      return { kind: 'flag', key: ref.key, flag: (record.after as Flag | null) ?? null };
    case 'segment': {
      const document = (record.after ?? record.before) as Segment | null;
      const environment = ref.environment ?? document?.environment;
      if (environment === undefined) return null;
      return { kind: 'segment', environment, key: ref.key, segment: (record.after as Segment | null) ?? null };
    }
    case 'environment':
      return { kind: 'environment', key: ref.key, environment: (record.after as Environment | null) ?? null };
    default:
      return null;
  }
}

/** The engine changes of a batch of records, in order, API-key records left out. */
export function toEngineChanges(records: readonly ChangeRecord[]): EngineChange[] {
  const changes: EngineChange[] = [];
  for (const record of records) {
    const change = toEngineChange(record);
    if (change) changes.push(change);
  }
  return changes;
}
