/**
 * The compiled snapshot is immutable and swapped atomically: evaluations interleaved with `apply`
 * (async chunks, as a server interleaves requests with change-feed events) each see entirely the old
 * or entirely the new state, never a mix.
 */
import { setImmediate as nextTick } from 'node:timers/promises';
import { describe, expect, it } from 'vitest';
import type { EvaluationResult, Flag } from '../../src/index.js';
import { contexts, engineWith, flag, PROD, rule, split, typedFlag } from '../fixtures/flags/flags.js';

const versions = 60;

/** Version n: variations hold `a-n` / `b-n`, a 50/50 split, and the rule threshold moves with n. */
function versioned(key: string, n: number): Flag {
  const base = typedFlag(key, 'string', [`a-${n}`, `b-${n}`], {
    version: n,
    config: { rules: [rule(`tier >= ${n}`, 'v1', `tier-${n}`)], defaultServe: split({ v0: 50_000, v1: 50_000 }) },
  });
  return {
    ...base,
    variations: [
      { key: 'a', value: `a-${n}` },
      { key: 'b', value: `b-${n}` },
    ],
    environments: renameVariations(base),
  };
}

function renameVariations(base: Flag): Flag['environments'] {
  const rename = (variation: string) => (variation === 'v0' ? 'a' : 'b');
  return Object.fromEntries(
    Object.entries(base.environments).map(([environment, cfg]) => [
      environment,
      {
        ...cfg,
        offVariation: rename(cfg.offVariation),
        rules: cfg.rules.map((entry) => ({ ...entry, serve: { variation: rename(entry.serve.variation!) } })),
        defaultServe: {
          rollout: {
            weights: cfg.defaultServe.rollout!.weights.map((weight) => ({
              ...weight,
              variation: rename(weight.variation),
            })),
          },
        },
      },
    ]),
  );
}

/** A result is consistent when its value, rule and variation all come from the version it claims. */
function consistent(result: EvaluationResult, tier: number): boolean {
  const n = result.flagVersion!;
  if (result.value !== `${result.variation}-${n}`) return false;
  if (result.reason === 'TARGETING_MATCH') return tier >= n && result.ruleId === `tier-${n}`;
  return result.reason === 'SPLIT' && tier < n;
}

describe('atomic snapshot swap', () => {
  it('gives every evaluation interleaved with applies one consistent flag version', async () => {
    const engine = engineWith([versioned('x', 1)]);
    const people = contexts(500).map((context, i) => ({ ...context, tier: i % (versions + 5) }));
    const seen = new Set<number>();
    let applied = 1;
    let done = false;
    const writer = (async () => {
      for (let n = 2; n <= versions; n++) {
        await nextTick();
        engine.apply([{ kind: 'flag', key: 'x', flag: versioned('x', n) }]);
        applied = n;
      }
      done = true;
    })();
    let checked = 0;
    while (!done) {
      for (const context of people) {
        const result = engine.evaluate('x', context, { environment: PROD });
        seen.add(result.flagVersion!);
        expect(result.flagVersion).toBe(applied);
        if (!consistent(result, context.tier))
          expect.unreachable(`inconsistent result ${JSON.stringify(result)} for tier ${context.tier}`);
        checked++;
      }
      await nextTick();
    }
    await writer;
    // The reader really ran between applies: it saw most versions come and go.
    expect(seen.size).toBeGreaterThan(versions / 2);
    expect(checked).toBeGreaterThan(versions * 100);
  });

  it('swaps several flags changed by one apply together: evaluateAll never mixes their versions', async () => {
    const keys = ['p', 'q', 'r', 's'];
    const engine = engineWith(keys.map((key) => versioned(key, 1)));
    let done = false;
    const writer = (async () => {
      for (let n = 2; n <= versions; n++) {
        await nextTick();
        engine.apply(keys.map((key) => ({ kind: 'flag' as const, key, flag: versioned(key, n) })));
      }
      done = true;
    })();
    const people = contexts(200).map((context, i) => ({ ...context, tier: i % (versions + 5) }));
    while (!done) {
      for (const context of people) {
        const results = engine.evaluateAll(context, { environment: PROD });
        expect(new Set(results.map((result) => result.flagVersion)).size).toBe(1);
        for (const result of results)
          if (!consistent(result, context.tier)) expect.unreachable(`inconsistent ${JSON.stringify(result)}`);
      }
      await nextTick();
    }
    await writer;
  });

  it('lets a prerequisite and its dependent, changed by one apply, agree in every evaluation', async () => {
    // Version n: the prerequisite serves true iff tier >= n; the dependent serves "yes-n" iff the prerequisite is true.
    const prerequisite = (n: number) => flag('gate', { version: n, config: { rules: [rule(`tier >= ${n}`, 'on')] } });
    const dependent = (n: number) =>
      typedFlag('door', 'string', [`no-${n}`, `yes-${n}`], {
        version: n,
        config: { rules: [rule('flag("gate") == true', 'v1')], defaultServe: { variation: 'v0' } },
      });
    const engine = engineWith([prerequisite(1), dependent(1)]);
    let done = false;
    const writer = (async () => {
      for (let n = 2; n <= versions; n++) {
        await nextTick();
        engine.apply([
          { kind: 'flag', key: 'gate', flag: prerequisite(n) },
          { kind: 'flag', key: 'door', flag: dependent(n) },
        ]);
      }
      done = true;
    })();
    while (!done) {
      for (let tier = 0; tier < versions + 5; tier++) {
        const result = engine.evaluate('door', { tier }, { environment: PROD });
        const n = result.flagVersion!;
        expect(result.value).toBe(tier >= n ? `yes-${n}` : `no-${n}`);
      }
      await nextTick();
    }
    await writer;
  });

  it('keeps a snapshot taken before an apply answering with the old state afterwards', () => {
    const engine = engineWith([versioned('x', 1)]);
    const old = engine.snapshot(PROD)!;
    engine.apply([{ kind: 'flag', key: 'x', flag: versioned('x', 2) }]);
    expect(old.evaluate('x', { tier: 1 }, { environment: PROD })).toMatchObject({ value: 'b-1', flagVersion: 1 });
    expect(engine.evaluate('x', { tier: 1 }, { environment: PROD })).toMatchObject({ flagVersion: 2 });
  });

  it('freezes the results it hands out, so a caller cannot alter the snapshot', () => {
    const engine = engineWith([flag('f')]);
    const result = engine.evaluate('f', {}, { environment: PROD });
    expect(Object.isFrozen(result)).toBe(true);
  });

  it('replaces the whole state on load, swapping every environment at once', () => {
    const engine = engineWith([versioned('x', 1)]);
    const before = engine.version;
    engine.load({
      environments: [{ key: PROD, name: PROD, createdAt: '2025-01-01T00:00:00.000Z' }],
      flags: [versioned('x', 5)],
      segments: [],
    });
    expect(engine.version).toBeGreaterThan(before);
    expect(engine.evaluate('x', { tier: 9 }, { environment: PROD })).toMatchObject({ value: 'b-5', flagVersion: 5 });
    expect(engine.evaluate('x', {}, { environment: 'staging' }).errorCode).toBe('GENERAL');
  });

  it('serves an environment created after it was asked for while unknown (the last environment looked up is remembered)', () => {
    const engine = engineWith([flag('f')]);
    expect(engine.evaluate('f', {}, { environment: 'qa' }).errorCode).toBe('GENERAL');
    engine.apply([
      { kind: 'environment', key: 'qa', environment: { key: 'qa', name: 'QA', createdAt: '2025-01-01T00:00:00.000Z' } },
    ]);
    expect(engine.evaluate('f', {}, { environment: 'qa' })).toMatchObject({ key: 'f', reason: 'DISABLED' });
    expect(engine.evaluate('f', {}, { environment: PROD }).errorCode).toBeUndefined();
    engine.apply([{ kind: 'flag', key: 'f', flag: null }]);
    expect(engine.evaluate('f', {}, { environment: PROD }).errorCode).toBe('FLAG_NOT_FOUND');
  });
});
