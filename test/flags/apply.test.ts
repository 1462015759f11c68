/** `apply`: which flags a change touches, per environment, and that only what changed is recompiled. */
import { describe, expect, it } from 'vitest';
import type { EngineChange, FlagEngine } from '../../src/index.js';
import { config, engineWith, environments, flag, PROD, revise, rule, segment, serve } from '../fixtures/flags/flags.js';

const plain = flag('plain');
const parent = flag('parent', { config: { rules: [rule('vip', 'on')] } });
const child = flag('child', { config: { rules: [rule('flag("parent") == true', 'on')] } });
const grandchild = flag('grandchild', { config: { rules: [rule('flag("child") == true', 'on')] } });
const beta = segment('beta', { included: ['alice'] });
const stagingBeta = segment('beta', { environment: 'staging', included: ['alice'] });
const gated = flag('gated', { config: { rules: [rule('segment("beta")', 'on')] } });
const all = [plain, parent, child, grandchild, gated];

const asObject = (touched: Map<string, Set<string>>) =>
  Object.fromEntries([...touched].map(([environment, keys]) => [environment, [...keys].sort()]));
const fresh = () => engineWith(all, [beta, stagingBeta]);
const everyEnvironment = (keys: string[]) =>
  Object.fromEntries(environments.map((environment) => [environment.key, keys]));

describe('touched flags', () => {
  it('reports a changed flag in every environment', () => {
    expect(asObject(fresh().apply([{ kind: 'flag', key: 'plain', flag: revise(plain) }]))).toEqual(
      everyEnvironment(['plain']),
    );
  });

  it('reports the dependents of a changed prerequisite, transitively', () => {
    expect(asObject(fresh().apply([{ kind: 'flag', key: 'parent', flag: revise(parent) }]))).toEqual(
      everyEnvironment(['child', 'grandchild', 'parent']),
    );
  });

  it('reports the dependents of a deleted prerequisite', () => {
    expect(asObject(fresh().apply([{ kind: 'flag', key: 'child', flag: null }]))).toEqual(
      everyEnvironment(['child', 'grandchild']),
    );
  });

  it('reports a new flag', () => {
    expect(asObject(fresh().apply([{ kind: 'flag', key: 'brand-new', flag: flag('brand-new') }]))).toEqual(
      everyEnvironment(['brand-new']),
    );
  });

  it('reports the flags that use a changed segment, in its environment only', () => {
    const touched = fresh().apply([
      { kind: 'segment', environment: PROD, key: 'beta', segment: { ...beta, included: ['bob'], version: 2 } },
    ]);
    expect(asObject(touched)).toEqual({ production: ['gated'] });
  });

  it('reports the dependents of a flag that uses a changed segment', () => {
    const follower = flag('follower', { config: { rules: [rule('flag("gated") == true', 'on')] } });
    const engine = engineWith([...all, follower], [beta]);
    expect(asObject(engine.apply([{ kind: 'segment', environment: PROD, key: 'beta', segment: null }]))).toEqual({
      production: ['follower', 'gated'],
    });
  });

  it('reports nothing for a segment no flag uses', () => {
    expect(
      asObject(fresh().apply([{ kind: 'segment', environment: PROD, key: 'unused', segment: segment('unused') }])),
    ).toEqual({});
  });

  it('reports nothing for a deleted segment that no flag uses any more', () => {
    const engine = fresh();
    engine.apply([{ kind: 'flag', key: 'gated', flag: revise(gated, { config: { rules: [] } }) }]);
    expect(asObject(engine.apply([{ kind: 'segment', environment: PROD, key: 'beta', segment: null }]))).toEqual({});
  });

  it('reports every flag of a new environment', () => {
    const touched = fresh().apply([
      { kind: 'environment', key: 'qa', environment: { key: 'qa', name: 'QA', createdAt: '2025-01-01T00:00:00.000Z' } },
    ]);
    expect(asObject(touched)).toEqual({ qa: all.map((entry) => entry.key).sort() });
  });

  it('merges the touched flags of several changes applied together', () => {
    const changes: EngineChange[] = [
      { kind: 'flag', key: 'plain', flag: revise(plain) },
      { kind: 'segment', environment: PROD, key: 'beta', segment: null },
    ];
    const touched = asObject(fresh().apply(changes));
    expect(touched.production).toEqual(['gated', 'plain']);
    expect(touched.staging).toEqual(['plain']);
  });

  it('bumps the engine version once per apply', () => {
    const engine = fresh();
    const before = engine.version;
    engine.apply([
      { kind: 'flag', key: 'plain', flag: revise(plain) },
      { kind: 'flag', key: 'parent', flag: revise(parent) },
    ]);
    expect(engine.version).toBe(before + 1);
  });
});

describe('incremental recompilation', () => {
  const compiled = (engine: FlagEngine, key: string, environment = PROD) =>
    engine.snapshot(environment)!.flags.get(key);

  it('keeps the compiled object of an untouched flag when another flag changes', () => {
    const engine = fresh();
    const before = compiled(engine, 'plain');
    engine.apply([{ kind: 'flag', key: 'parent', flag: revise(parent) }]);
    expect(compiled(engine, 'plain')).toBe(before);
  });

  it('keeps the compiled objects of dependents (they read prerequisites at evaluation time)', () => {
    const engine = fresh();
    const before = compiled(engine, 'child');
    engine.apply([{ kind: 'flag', key: 'parent', flag: revise(parent) }]);
    expect(compiled(engine, 'child')).toBe(before);
  });

  it('recompiles the changed flag in every environment', () => {
    const engine = fresh();
    const before = environments.map((environment) => compiled(engine, 'parent', environment.key));
    engine.apply([{ kind: 'flag', key: 'parent', flag: revise(parent) }]);
    environments.forEach((environment, i) => expect(compiled(engine, 'parent', environment.key)).not.toBe(before[i]));
  });

  it('recompiles no flag when a segment changes, only the segment', () => {
    const engine = fresh();
    const flagsBefore = new Map(engine.snapshot(PROD)!.flags);
    const segmentBefore = engine.snapshot(PROD)!.segments.get('beta');
    engine.apply([
      { kind: 'segment', environment: PROD, key: 'beta', segment: { ...beta, included: ['bob'], version: 2 } },
    ]);
    for (const [key, entry] of flagsBefore) expect(compiled(engine, key)).toBe(entry);
    expect(engine.snapshot(PROD)!.segments.get('beta')).not.toBe(segmentBefore);
  });

  it('keeps the snapshots of environments a segment change does not concern', () => {
    const engine = fresh();
    const staging = engine.snapshot('staging');
    engine.apply([{ kind: 'segment', environment: PROD, key: 'beta', segment: null }]);
    expect(engine.snapshot('staging')).toBe(staging);
    expect(engine.snapshot('staging')!.segments.get('beta')).toBeDefined();
  });

  it('keeps compiled segments that did not change', () => {
    const engine = engineWith(all, [beta, segment('other', { included: ['x'] })]);
    const other = engine.snapshot(PROD)!.segments.get('other');
    engine.apply([{ kind: 'segment', environment: PROD, key: 'beta', segment: null }]);
    expect(engine.snapshot(PROD)!.segments.get('other')).toBe(other);
  });

  it('never mutates a snapshot: the previous snapshot still answers with the old flag', () => {
    const engine = fresh();
    const old = engine.snapshot(PROD)!;
    engine.apply([{ kind: 'flag', key: 'plain', flag: revise(plain, { config: { defaultServe: serve('on') } }) }]);
    expect(old.evaluate('plain', {}, { environment: PROD })).toMatchObject({ value: false, flagVersion: 1 });
    expect(engine.evaluate('plain', {}, { environment: PROD })).toMatchObject({ value: true, flagVersion: 2 });
  });

  it('recompiles everything on load', () => {
    const engine = fresh();
    const before = compiled(engine, 'plain');
    engine.load({ environments, flags: all, segments: [beta] });
    expect(compiled(engine, 'plain')).not.toBe(before);
    expect(engine.evaluate('plain', {}, { environment: PROD }).reason).toBe('DEFAULT');
  });

  it('compiles an added environment with the flags configured for it', () => {
    const qaFlag = flag('qa-only', { environments: { qa: config({ defaultServe: serve('on') }) } });
    const engine = engineWith([qaFlag]);
    engine.apply([
      { kind: 'environment', key: 'qa', environment: { key: 'qa', name: 'QA', createdAt: '2025-01-01T00:00:00.000Z' } },
    ]);
    expect(engine.evaluate('qa-only', {}, { environment: 'qa' })).toMatchObject({ reason: 'DEFAULT', value: true });
  });

  // A flag whose condition does not compile (written past validation) makes apply throw; the engine must
  // then be as it was, and later valid changes must still apply.
  const broken = flag('broken', { config: { rules: [rule('plan ==', 'on')] } });

  it('keeps serving when an applied flag has a condition that does not compile: that rule never matches', () => {
    const engine = fresh();
    expect(() => engine.apply([{ kind: 'flag', key: 'broken', flag: broken }])).not.toThrow();
    const result = engine.evaluate('broken', { plan: 'premium' }, { environment: PROD });
    expect(result.reason).not.toBe('TARGETING_MATCH');
    expect(result.reason).not.toBe('ERROR');
  });

  it('still applies later valid changes after an applied flag failed to compile', () => {
    const engine = fresh();
    engine.apply([{ kind: 'flag', key: 'broken', flag: broken }]);
    engine.apply([{ kind: 'flag', key: 'plain', flag: revise(plain, { config: { defaultServe: serve('on') } }) }]);
    expect(engine.evaluate('plain', {}, { environment: PROD })).toMatchObject({ value: true, flagVersion: 2 });
  });
});
