/** Prerequisites through flag("…") at evaluation time, and the cross-document checks of checkFlagReferences. */
import { describe, expect, it } from 'vitest';
import { checkFlagReferences, type Flag, prerequisitesOf, ValidationError } from '../../src/index.js';
import {
  config,
  engineWith,
  flag,
  issuesOf,
  percentOn,
  PROD,
  rule,
  segment,
  serve,
  typedFlag,
  world,
} from '../fixtures/flags/flags.js';

const dependsOn = (key: string, condition: string) => flag(key, { config: { rules: [rule(condition, 'on')] } });

describe('prerequisites at evaluation time', () => {
  const parent = flag('parent', { config: { rules: [rule('plan == "premium"', 'on')] } });
  const child = dependsOn('child', 'flag("parent") == true');

  it('serves the dependent rule when the prerequisite serves true to the same context', () => {
    const engine = engineWith([parent, child]);
    expect(engine.evaluate('child', { plan: 'premium' }, { environment: PROD })).toMatchObject({
      reason: 'TARGETING_MATCH',
      value: true,
    });
  });

  it('does not serve the dependent rule when the prerequisite serves false to the same context', () => {
    const engine = engineWith([parent, child]);
    expect(engine.evaluate('child', { plan: 'free' }, { environment: PROD })).toMatchObject({
      reason: 'DEFAULT',
      value: false,
    });
  });

  it('sees the prerequisite as off (its off variation) when it is switched off', () => {
    const engine = engineWith([
      { ...parent, environments: { production: config({ on: false, rules: parent.environments.production!.rules }) } },
      child,
    ]);
    expect(engine.evaluate('child', { plan: 'premium' }, { environment: PROD }).value).toBe(false);
  });

  it('follows the prerequisite per environment', () => {
    const perEnvironment = flag('parent', {
      environments: {
        staging: config({ defaultServe: serve('on') }),
        production: config({ defaultServe: serve('off') }),
      },
    });
    const engine = engineWith([perEnvironment, child]);
    expect(engine.evaluate('child', {}, { environment: 'staging' }).value).toBe(true);
    expect(engine.evaluate('child', {}, { environment: PROD }).value).toBe(false);
  });

  it('compares a string-valued prerequisite', () => {
    const engine = engineWith([
      typedFlag('tier', 'string', ['basic', 'gold'], { config: { rules: [rule('spend > 1000', 'v1')] } }),
      dependsOn('perk', 'flag("tier") == "gold"'),
    ]);
    expect(engine.evaluate('perk', { spend: 5000 }, { environment: PROD }).value).toBe(true);
    expect(engine.evaluate('perk', { spend: 5 }, { environment: PROD }).value).toBe(false);
  });

  it('gives the dependent the same split assignment as the prerequisite for the same context', () => {
    const rolled = flag('rolled', { config: { defaultServe: percentOn(50) } });
    const engine = engineWith([rolled, dependsOn('follower', 'flag("rolled") == true')]);
    for (let i = 0; i < 1000; i++) {
      const context = { targetingKey: `u${i}` };
      expect(engine.evaluate('follower', context, { environment: PROD }).value).toBe(
        engine.evaluate('rolled', context, { environment: PROD }).value,
      );
    }
  });

  it('reads a prerequisite that cannot be evaluated (missing targeting key) as null', () => {
    const engine = engineWith([
      flag('rolled', { config: { defaultServe: percentOn(50) } }),
      dependsOn('nullish', 'flag("rolled") == null'),
    ]);
    expect(engine.evaluate('nullish', {}, { environment: PROD }).value).toBe(true);
  });

  it('reads a missing or archived prerequisite as null', () => {
    const engine = engineWith([
      flag('old', { archived: true, config: { defaultServe: serve('on') } }),
      dependsOn('a', 'flag("old") == null'),
      dependsOn('b', 'flag("never") == null'),
    ]);
    expect(engine.evaluate('a', {}, { environment: PROD }).value).toBe(true);
    expect(engine.evaluate('b', {}, { environment: PROD }).value).toBe(true);
  });

  it('follows a chain of prerequisites', () => {
    const engine = engineWith([
      flag('c1', { config: { rules: [rule('vip', 'on')] } }),
      dependsOn('c2', 'flag("c1") == true'),
      dependsOn('c3', 'flag("c2") == true'),
    ]);
    expect(engine.evaluate('c3', { vip: true }, { environment: PROD }).value).toBe(true);
    expect(engine.evaluate('c3', { vip: false }, { environment: PROD }).value).toBe(false);
  });

  it('sees a changed prerequisite without the dependent being changed', () => {
    const engine = engineWith([parent, child]);
    engine.apply([
      {
        kind: 'flag',
        key: 'parent',
        flag: { ...parent, version: 2, environments: { production: config({ defaultServe: serve('on') }) } },
      },
    ]);
    expect(engine.evaluate('child', { plan: 'free' }, { environment: PROD }).value).toBe(true);
  });

  it('does not count prerequisite evaluations as usage of the prerequisite', () => {
    const engine = engineWith([parent, child]);
    engine.evaluate('child', { plan: 'premium' }, { environment: PROD });
    expect(engine.usage.read().map((entry) => entry.flagKey)).toEqual(['child']);
  });

  it('evaluates a cycle that bypassed validation without throwing or overflowing the stack', () => {
    const engine = engineWith([
      dependsOn('x', 'flag("y") == true'),
      dependsOn('y', 'flag("x") == true'),
      dependsOn('self', 'flag("self") == true'),
    ]);
    expect(engine.evaluate('x', {}, { environment: PROD })).toMatchObject({ reason: 'DEFAULT', value: false });
    expect(engine.evaluate('self', {}, { environment: PROD })).toMatchObject({ reason: 'DEFAULT', value: false });
  });
});

describe('prerequisitesOf', () => {
  it('lists every flag referenced in any environment', () => {
    const both = flag('both', {
      environments: {
        staging: config({ rules: [rule('flag("a") == true', 'on')] }),
        production: config({ rules: [rule('flag("b") == 1 or flag("a") == 2', 'on')] }),
      },
    });
    expect([...prerequisitesOf(both)].sort()).toEqual(['a', 'b']);
  });
});

describe('checkFlagReferences', () => {
  const cycleIssue = (fn: () => void) => issuesOf(fn).find((issue) => issue.message.includes('cycle'));

  it('accepts a flag whose segments, prerequisites and environments exist', () => {
    const candidate = flag('c', { config: { rules: [rule('segment("beta") and flag("p") == true', 'on')] } });
    const segments = ['development', 'staging', 'production'].map((environment) => segment('beta', { environment }));
    expect(() => checkFlagReferences(candidate, world([flag('p')], segments))).not.toThrow();
  });

  it('rejects a flag that requires itself', () => {
    const issue = cycleIssue(() => checkFlagReferences(dependsOn('self', 'flag("self") == true'), world([])));
    expect(issue).toMatchObject({ path: 'environments', code: 'VALIDATION' });
    expect(issue!.message).toContain('self → self');
  });

  it('rejects a 2-cycle: a requires b, which requires a', () => {
    const b = dependsOn('b', 'flag("a") == true');
    const issue = cycleIssue(() => checkFlagReferences(dependsOn('a', 'flag("b") == true'), world([b])));
    expect(issue?.message).toContain('a → b → a');
  });

  it('rejects a 3-cycle: a requires b, b requires c, c requires a', () => {
    const b = dependsOn('b', 'flag("c") == true');
    const c = dependsOn('c', 'flag("a") == true');
    const issue = cycleIssue(() => checkFlagReferences(dependsOn('a', 'flag("b") == true'), world([b, c])));
    expect(issue?.message).toContain('a → b → c → a');
  });

  it('rejects closing a cycle through a prerequisite used in one environment only', () => {
    const b = flag('b', { environments: { staging: config({ rules: [rule('flag("a") == true', 'on')] }) } });
    expect(cycleIssue(() => checkFlagReferences(dependsOn('a', 'flag("b") == true'), world([b])))).toBeDefined();
  });

  it('checks the candidate in place of its stored version: removing the dependency breaks the cycle', () => {
    const storedA = dependsOn('a', 'flag("b") == true');
    const b = dependsOn('b', 'flag("a") == true');
    expect(() => checkFlagReferences(flag('a'), world([storedA, b]))).not.toThrow();
  });

  it('accepts a diamond (shared prerequisite, no cycle)', () => {
    const d = flag('d');
    const b = dependsOn('b', 'flag("d") == true');
    const c = dependsOn('c', 'flag("d") == true');
    expect(() =>
      checkFlagReferences(dependsOn('a', 'flag("b") == true and flag("c") == true'), world([b, c, d])),
    ).not.toThrow();
  });

  it('rejects an unknown prerequisite, naming the rule', () => {
    const issues = issuesOf(() => checkFlagReferences(dependsOn('a', 'flag("ghost") == true'), world([])));
    expect(issues).toContainEqual(
      expect.objectContaining({
        path: 'environments.development.rules[0].condition',
        code: 'VALIDATION',
        ruleIndex: 0,
        message: expect.stringContaining("'ghost'"),
      }),
    );
  });

  it('rejects an unknown segment, naming the rule and environment', () => {
    const candidate = flag('a', {
      environments: { production: config({ rules: [rule('x == 1', 'on'), rule('segment("ghost")', 'on')] }) },
    });
    const issues = issuesOf(() =>
      checkFlagReferences(candidate, world([], [segment('ghost', { environment: 'staging' })])),
    );
    expect(issues).toEqual([
      expect.objectContaining({
        path: 'environments.production.rules[1].condition',
        code: 'VALIDATION',
        ruleIndex: 1,
        message: expect.stringContaining("unknown segment 'ghost'"),
      }),
    ]);
  });

  it('rejects an unknown environment', () => {
    const candidate = flag('a', { environments: { moon: config() } });
    expect(issuesOf(() => checkFlagReferences(candidate, world([])))).toEqual([
      expect.objectContaining({ path: 'environments.moon', code: 'VALIDATION' }),
    ]);
  });

  it('reports a condition that does not compile as a ValidationError with RULE_SYNTAX, not a RuleError', () => {
    // The store calls this on incoming documents; a syntax error must come back as a structured issue.
    const broken: Flag = flag('broken', { config: { rules: [rule('plan ==', 'on')] } });
    let thrown: unknown;
    try {
      checkFlagReferences(broken, world([]));
    } catch (error) {
      thrown = error;
    }
    expect(thrown).toBeInstanceOf(ValidationError);
    expect((thrown as ValidationError).issues).toContainEqual(
      expect.objectContaining({
        path: 'environments.development.rules[0].condition',
        code: 'RULE_SYNTAX',
        ruleIndex: 0,
        line: 1,
        column: 8,
      }),
    );
  });
});
