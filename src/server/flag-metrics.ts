/**
 * Change annotations for dashboards: `vexil_flag_info` (one series per exported flag and
 * environment, value 1, labels saying its kind, kill-switch state and version) and
 * `vexil_flag_changes_total` (committed changes by flag, environment and action), so Grafana can
 * overlay flag changes on error rates. Both are read from the engine and the change feed, never from
 * the evaluation path.
 *
 * Label cardinality is bounded: `vexil_flag_info` exports at most `maxFlags` flags (in key order;
 * `vexil_flags_not_exported` says how many were left out), and `vexil_flag_changes_total` counts the
 * changes of flags beyond that many distinct keys under `flag="_other"`.
 */
import { Counter, Gauge, type Registry } from 'prom-client';
import type { FlagEngine } from '../flags/engine.js';
import type { Flag } from '../flags/model.js';
import type { EngineSync } from '../store/engine-sync.js';
import type { ChangeRecord } from '../store/types.js';

export interface FlagMetricsOptions {
  /** `VEXIL_METRICS_MAX_FLAGS`. @default 2000 */
  maxFlags: number;
}

export const OTHER_FLAGS_LABEL = '_other';

export function registerFlagMetrics(
  registry: Registry,
  engine: FlagEngine,
  sync: EngineSync,
  { maxFlags }: FlagMetricsOptions,
): void {
  const liveFlags = () => [...engine.allFlags()].filter((flag) => !flag.archived);
  new Gauge({
    name: 'vexil_flags_not_exported',
    help: 'Flags left out of vexil_flag_info (more than VEXIL_METRICS_MAX_FLAGS).',
    registers: [registry],
    collect() {
      this.set(Math.max(0, liveFlags().length - maxFlags));
    },
  });
  new Gauge({
    name: 'vexil_flag_info',
    help: 'One series per flag and environment (value 1): kind, kill switch (on) and version, for change annotations.',
    labelNames: ['flag', 'environment', 'kind', 'on', 'version'] as const,
    registers: [registry],
    collect() {
      this.reset();
      const flags = liveFlags().sort((a, b) => (a.key < b.key ? -1 : 1));
      for (const flag of flags.slice(0, maxFlags)) {
        for (const [environment, config] of Object.entries(flag.environments)) {
          this.set(
            {
              flag: flag.key,
              environment,
              kind: flag.kind.toLowerCase(),
              on: String(config.on),
              version: String(flag.version),
            },
            1,
          );
        }
      }
    },
  });
  const changes = new Counter({
    name: 'vexil_flag_changes_total',
    help: 'Committed flag changes, by flag, environment (or "all" for flag-wide changes) and action.',
    labelNames: ['flag', 'environment', 'change'] as const,
    registers: [registry],
  });
  const labelled = new Set<string>();
  sync.on('change', (record: ChangeRecord) => {
    if (record.ref.kind !== 'flag') return;
    if (!labelled.has(record.ref.key) && labelled.size < maxFlags) labelled.add(record.ref.key);
    const flag = labelled.has(record.ref.key) ? record.ref.key : OTHER_FLAGS_LABEL;
    for (const environment of changedEnvironments(record)) changes.inc({ flag, environment, change: record.action });
  });
}

/** The environments whose configuration a flag change touched; `all` when only flag-wide fields changed. */
export function changedEnvironments(record: ChangeRecord): string[] {
  const before = (record.before as Flag | null)?.environments ?? {};
  const after = (record.after as Flag | null)?.environments ?? {};
  if (record.action === 'create' || record.action === 'delete') return ['all'];
  const touched = [...new Set([...Object.keys(before), ...Object.keys(after)])].filter(
    (environment) => JSON.stringify(before[environment]) !== JSON.stringify(after[environment]),
  );
  return touched.length > 0 ? touched.sort() : ['all'];
}
