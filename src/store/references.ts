/**
 * What flags refer to (segments and prerequisite flags, read from their compiled rules) and the part
 * of the stored world a write must check those references against.
 */
import { compileRule } from '../dsl/index.js';
import type { Flag } from '../flags/model.js';
import type { FlagWorld } from '../flags/references.js';
import { ruleResolvers } from '../flags/resolvers.js';
import { maxPageSize } from './paging.js';
import type { Page, StoreBackend } from './types.js';

/** Segment names and flag keys a rule refers to; empty for a rule that does not compile. */
export function ruleReferences(
  condition: string,
  salt: string,
): { segments: readonly string[]; flags: readonly string[] } {
  try {
    return compileRule(condition, { salt, resolvers: ruleResolvers });
  } catch {
    return { segments: [], flags: [] };
  }
}

export function prerequisiteKeys(flag: Flag): Set<string> {
  const keys = new Set<string>();
  for (const config of Object.values(flag.environments))
    for (const rule of config.rules) for (const key of ruleReferences(rule.condition, flag.salt).flags) keys.add(key);
  return keys;
}

/** Every flag, page by page. */
export async function* allFlags(backend: StoreBackend): AsyncGenerator<Flag> {
  let after: string | null = null;
  for (;;) {
    const page: Page<Flag> = await backend.listFlags({}, { first: maxPageSize, after });
    yield* page.items;
    if (!page.hasNextPage || page.endCursor === null) return;
    after = page.endCursor;
  }
}

/** Keys of the other flags that use `key` as a prerequisite. */
export async function dependentsOf(backend: StoreBackend, key: string): Promise<string[]> {
  const dependents: string[] = [];
  for await (const flag of allFlags(backend))
    if (flag.key !== key && prerequisiteKeys(flag).has(key)) dependents.push(flag.key);
  return dependents;
}

/** Keys of the flags whose rules in `environment` use the segment `key`. */
export async function segmentUsers(backend: StoreBackend, environment: string, key: string): Promise<string[]> {
  const users: string[] = [];
  for await (const flag of allFlags(backend)) {
    const config = flag.environments[environment];
    if (config?.rules.some((rule) => ruleReferences(rule.condition, flag.salt).segments.includes(key)))
      users.push(flag.key);
  }
  return users;
}

/**
 * The part of the stored world a flag's references reach: the environments, the segments its rules
 * name, and its prerequisites transitively (for the cycle check). Loaded up front because
 * `checkFlagReferences` is synchronous.
 */
export async function loadFlagWorld(backend: StoreBackend, flag: Flag): Promise<FlagWorld> {
  const environments = new Set((await backend.listEnvironments()).map((environment) => environment.key));
  const segments = await existingSegments(backend, flag, environments);
  const flags = await prerequisiteClosure(backend, flag);
  return {
    environmentExists: (environment) => environments.has(environment),
    segmentExists: (environment, key) => segments.has(`${environment}\u0000${key}`),
    flag: (key) => flags.get(key) ?? undefined,
  };
}

/** `environment\0key` of each segment the flag's rules name that exists. */
async function existingSegments(
  backend: StoreBackend,
  flag: Flag,
  environments: ReadonlySet<string>,
): Promise<Set<string>> {
  const segmentIds = new Map<string, { environment: string; key: string }>();
  for (const [environment, config] of Object.entries(flag.environments)) {
    if (!environments.has(environment)) continue;
    for (const rule of config.rules)
      for (const key of ruleReferences(rule.condition, flag.salt).segments)
        segmentIds.set(`${environment}\u0000${key}`, { environment, key });
  }
  const segments = new Set<string>();
  await Promise.all(
    [...segmentIds].map(async ([id, ref]) => {
      if (await backend.get({ kind: 'segment', ...ref })) segments.add(id);
    }),
  );
  return segments;
}

/** The flag's prerequisites, theirs, and so on (null for a missing one), loaded level by level. */
async function prerequisiteClosure(backend: StoreBackend, flag: Flag): Promise<Map<string, Flag | null>> {
  const flags = new Map<string, Flag | null>();
  let pending = [...prerequisiteKeys(flag)].filter((key) => key !== flag.key);
  while (pending.length > 0) {
    const loaded = await Promise.all(pending.map((key) => backend.get({ kind: 'flag', key })));
    const next = new Set<string>();
    pending.forEach((key, index) => {
      const found = loaded[index] ?? null;
      flags.set(key, found);
      if (found)
        for (const prerequisite of prerequisiteKeys(found))
          if (prerequisite !== flag.key && !flags.has(prerequisite)) next.add(prerequisite);
    });
    pending = [...next].filter((key) => !flags.has(key));
  }
  return flags;
}
