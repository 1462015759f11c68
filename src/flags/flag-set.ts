/**
 * The flag set of one environment: what a server key downloads (GET /sdk/v1/flag-set) so the server
 * provider can evaluate in-process with this very engine. It holds the engine's input for that
 * environment and nothing else: each flag's variations, salt, version and that environment's config
 * (never another environment's), and the environment's segments, without names, descriptions, owners
 * or timestamps. `engineStateOf` turns it back into what `FlagEngine.load` takes.
 */
import type { FlagEngine, EngineState } from './engine.js';
import type { FlagEnvironmentConfig, FlagKind, Segment, ValueType, Variation } from './model.js';

export interface FlagSetFlag {
  key: string;
  kind: FlagKind;
  valueType: ValueType;
  variations: Variation[];
  salt: string;
  version: number;
  archived: boolean;
  /** This environment's config; null when the flag has none here. */
  config: FlagEnvironmentConfig | null;
}

export type FlagSetSegment = Pick<Segment, 'key' | 'included' | 'excluded' | 'condition' | 'version'>;

export interface FlagSetDocument {
  environment: string;
  flags: FlagSetFlag[];
  segments: FlagSetSegment[];
}

/** The environment's flag set, or null when the environment does not exist. */
export function flagSetOf(engine: FlagEngine, environment: string): FlagSetDocument | null {
  if (!engine.environment(environment)) return null;
  const flags: FlagSetFlag[] = [];
  for (const flag of engine.allFlags()) {
    const { key, kind, valueType, salt, version, archived } = flag;
    const variations = flag.variations.map(({ key, value }) => ({ key, value }));
    flags.push({
      key,
      kind,
      valueType,
      variations,
      salt,
      version,
      archived,
      config: flag.environments[environment] ?? null,
    });
  }
  const segments = [...engine.segmentsIn(environment)].map(({ key, included, excluded, condition, version }) => ({
    key,
    included,
    excluded,
    condition,
    version,
  }));
  return { environment, flags, segments };
}

const epoch = new Date(0).toISOString();

/** The engine state of a flag set: one environment, metadata the engine does not read left blank. */
export function engineStateOf(document: FlagSetDocument): EngineState {
  const { environment } = document;
  return {
    environments: [{ key: environment, name: environment, createdAt: epoch }],
    flags: document.flags.map(({ config, ...flag }) => ({
      ...flag,
      name: flag.key,
      description: '',
      tags: [],
      owner: '',
      createdAt: epoch,
      updatedAt: epoch,
      expiresAt: null,
      environments: config ? { [environment]: config } : {},
    })),
    segments: document.segments.map((segment) => ({
      ...segment,
      environment,
      name: segment.key,
      description: '',
      createdAt: epoch,
      updatedAt: epoch,
    })),
  };
}
