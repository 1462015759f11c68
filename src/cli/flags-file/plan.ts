/**
 * What an import changes: the difference between the file's flag set and the gateway's, as an
 * ordered list of writes (environments first, then segments, then flags with prerequisites before
 * the flags that use them, removals last), so that every write is valid when it is made.
 */
import type { EngineState } from '../../flags/engine.js';
import { prerequisitesOf } from '../../flags/references.js';
import type { Flag, Segment } from '../../flags/model.js';
import { type FlagEntry, type SegmentEntry, toFlagsFile } from '../../flags-file/document.js';

export type PlannedChange =
  | { kind: 'create-environment'; key: string; name: string }
  | { kind: 'create-segment' | 'update-segment'; id: string; segment: SegmentEntry; version: number; fields: string[] }
  | { kind: 'delete-segment'; id: string; segment: Segment }
  | { kind: 'create-flag' | 'update-flag'; key: string; flag: FlagEntry; version: number; fields: string[] }
  | { kind: 'archive-flag' | 'restore-flag'; key: string; version: number }
  /** A plan is written by its own mutation after the flag's write (`plan` null: remove it). */
  | { kind: 'set-rollout'; key: string; environment: string; plan: unknown | null; version: number };

export interface ImportPlan {
  changes: PlannedChange[];
  /** Problems that make the import impossible as a whole (nothing is written). */
  refusals: string[];
}

const same = (a: unknown, b: unknown) => JSON.stringify(a) === JSON.stringify(b);

/** Top-level fields (and `environments.<env>`) whose values differ. */
function changedFields(current: object, wanted: object): string[] {
  const fields: string[] = [];
  const a = current as Record<string, unknown>;
  const b = wanted as Record<string, unknown>;
  for (const field of new Set([...Object.keys(a), ...Object.keys(b)])) {
    if (field === 'environments') {
      const left = (a.environments ?? {}) as Record<string, unknown>;
      const right = (b.environments ?? {}) as Record<string, unknown>;
      for (const environment of new Set([...Object.keys(left), ...Object.keys(right)]))
        if (!same(left[environment], right[environment])) fields.push(`environments.${environment}`);
    } else if (!same(a[field], b[field])) fields.push(field);
  }
  return fields;
}

export function planImport(
  wanted: EngineState,
  current: EngineState,
  { prune = false, now = new Date() } = {},
): ImportPlan {
  const changes: PlannedChange[] = [];
  const refusals: string[] = [];
  const currentEnvironments = new Set(current.environments.map((environment) => environment.key));
  for (const environment of wanted.environments)
    if (!currentEnvironments.has(environment.key))
      changes.push({ kind: 'create-environment', key: environment.key, name: environment.name });
  planSegments(wanted, current, prune, changes);
  planFlags(wanted, current, prune, now, changes, refusals);
  if (prune) {
    const extra = current.environments.filter(
      (environment) => !wanted.environments.some((entry) => entry.key === environment.key),
    );
    if (extra.length > 0)
      refusals.push(
        `--prune cannot remove environments (${extra.map((environment) => environment.key).join(', ')}): add them to the file`,
      );
  }
  return { changes, refusals };
}

function planSegments(wanted: EngineState, current: EngineState, prune: boolean, changes: PlannedChange[]): void {
  const id = (segment: Segment) => `${segment.environment}/${segment.key}`;
  const existing = new Map(current.segments.map((segment) => [id(segment), segment]));
  const wantedEntries = toFlagsFile(wanted).segments;
  const currentEntries = new Map(
    toFlagsFile(current).segments.map((entry) => [`${entry.environment}/${entry.key}`, entry]),
  );
  for (const entry of wantedEntries) {
    const key = `${entry.environment}/${entry.key}`;
    const before = currentEntries.get(key);
    if (!before) changes.push({ kind: 'create-segment', id: key, segment: entry, version: 0, fields: [] });
    else if (!same(before, entry))
      changes.push({
        kind: 'update-segment',
        id: key,
        segment: entry,
        version: existing.get(key)!.version,
        fields: changedFields(before, entry),
      });
  }
  if (!prune) return;
  // Deleted after the flags changed, so that no rule still uses them (see planImport's order).
  const removals = current.segments.filter((segment) => !wanted.segments.some((entry) => id(entry) === id(segment)));
  changes.push(...removals.map((segment) => ({ kind: 'delete-segment' as const, id: id(segment), segment })));
}

function planFlags(
  wanted: EngineState,
  current: EngineState,
  prune: boolean,
  now: Date,
  changes: PlannedChange[],
  refusals: string[],
): void {
  const existing = new Map(current.flags.map((flag) => [flag.key, flag]));
  const currentEntries = new Map(toFlagsFile(current).flags.map((entry) => [entry.key, entry]));
  const wantedEntries = new Map(toFlagsFile(wanted).flags.map((entry) => [entry.key, entry]));
  const removals: PlannedChange[] = [];
  for (const flag of inPrerequisiteOrder(wanted.flags)) {
    const entry = wantedEntries.get(flag.key)!;
    const before = currentEntries.get(flag.key);
    const version = existing.get(flag.key)?.version ?? 0;
    const { archived: wantArchived = false, ...body } = entry;
    const beforeBody = before ? (({ archived: _archived, ...rest }) => rest)(before) : undefined;
    const fields = beforeBody ? changedFields(withoutPlans(beforeBody), withoutPlans(body)) : [];
    if (fields.includes('salt') || fields.includes('valueType'))
      refusals.push(
        `flag '${flag.key}': ${fields.includes('salt') ? 'salt' : 'valueType'} cannot change (it would reassign users); create a new flag instead`,
      );
    if ((!before || fields.includes('expiresAt')) && entry.expiresAt && Date.parse(entry.expiresAt) <= now.getTime())
      refusals.push(`flag '${flag.key}': expiresAt ${entry.expiresAt} is in the past`);
    const archivedBefore = before?.archived ?? false;
    // Each write expects the version the previous one left. A flag comes back before it is edited,
    // and is archived only after every edit.
    let next = version;
    if (!wantArchived && archivedBefore) changes.push({ kind: 'restore-flag', key: flag.key, version: next++ });
    if (!before) changes.push({ kind: 'create-flag', key: flag.key, flag: entry, version: next++, fields: [] });
    else if (fields.length > 0)
      changes.push({ kind: 'update-flag', key: flag.key, flag: entry, version: next++, fields });
    for (const [environment, plan] of changedPlans(before, entry))
      changes.push({ kind: 'set-rollout', key: flag.key, environment, plan, version: next++ });
    if (wantArchived && !archivedBefore) removals.push({ kind: 'archive-flag', key: flag.key, version: next });
  }
  if (prune)
    for (const flag of current.flags)
      if (!wantedEntries.has(flag.key) && !flag.archived)
        removals.push({ kind: 'archive-flag', key: flag.key, version: flag.version });
  // Flag changes before segment deletions (rules may stop using a segment), archives last.
  const segmentDeletes = changes.filter((change) => change.kind === 'delete-segment');
  changes.splice(
    0,
    changes.length,
    ...changes.filter((change) => change.kind !== 'delete-segment'),
    ...segmentDeletes,
    ...removals,
  );
}

type Body = Omit<FlagEntry, 'archived'>;

function withoutPlans(body: Body): Body {
  const environments = Object.entries(body.environments).map(([key, { rollout: _plan, ...config }]) => [key, config]);
  return { ...body, environments: Object.fromEntries(environments) };
}

/** The environments whose plan (as the file writes it) differs, with the plan wanted (null: none). */
function changedPlans(before: FlagEntry | undefined, wanted: FlagEntry): Array<[string, unknown | null]> {
  const environments = new Set([...Object.keys(before?.environments ?? {}), ...Object.keys(wanted.environments)]);
  return [...environments].flatMap((environment): Array<[string, unknown | null]> => {
    const plan = wanted.environments[environment]?.rollout ?? null;
    if (!wanted.environments[environment] || same(before?.environments[environment]?.rollout ?? null, plan)) return [];
    return [[environment, plan]];
  });
}

/** Flags ordered so that each comes after the flags its rules use as prerequisites. */
function inPrerequisiteOrder(flags: readonly Flag[]): Flag[] {
  const byKey = new Map(flags.map((flag) => [flag.key, flag]));
  const ordered: Flag[] = [];
  const placed = new Set<string>();
  const visit = (flag: Flag) => {
    if (placed.has(flag.key)) return;
    placed.add(flag.key); // cycles are refused by validation before we get here
    for (const key of prerequisitesOf(flag)) {
      const prerequisite = byKey.get(key);
      if (prerequisite) visit(prerequisite);
    }
    ordered.push(flag);
  };
  [...flags].sort((a, b) => (a.key < b.key ? -1 : 1)).forEach(visit);
  return ordered;
}

export function describeChange(change: PlannedChange): string {
  switch (change.kind) {
    case 'create-environment':
      return `+ environment ${change.key}`;
    case 'create-segment':
      return `+ segment ${change.id}`;
    case 'update-segment':
      return `~ segment ${change.id}: ${change.fields.join(', ')}`;
    case 'delete-segment':
      return `- segment ${change.id} (delete)`;
    case 'create-flag':
      return `+ flag ${change.key}`;
    case 'update-flag':
      return `~ flag ${change.key}: ${change.fields.join(', ')}`;
    case 'archive-flag':
      return `- flag ${change.key} (archive)`;
    case 'restore-flag':
      return `+ flag ${change.key} (restore)`;
    case 'set-rollout':
      return `~ flag ${change.key}: environments.${change.environment}.rollout${change.plan ? '' : ' (remove)'}`;
  }
}
