/**
 * Rule chains (src/dsl/rule-chain.ts): a flag's rules as one generated function answering which rule
 * matches first. The chain must answer exactly what calling the rules one by one answers, for every
 * context, however the rules' generated code and the chain's own names could collide.
 */
import { describe, expect, it } from 'vitest';
import { type CompiledRule, RuleCompiler, type RuleResolvers } from '../../src/index.js';
import { corpus } from './corpus-data.js';

/** What the chain must answer: the index of the first rule whose own evaluator says true, or -1. */
function firstByHand(rules: readonly CompiledRule[], context: unknown, scope?: unknown): number {
  return rules.findIndex((rule) => rule.evaluate(context, scope));
}

const plainCases = corpus.filter((c) => c.salt === undefined && c.segments === undefined && c.flags === undefined);

describe('rule chains', () => {
  it('answers what the rules answer one by one, over every corpus rule and context', () => {
    const compiler = new RuleCompiler();
    const rules = plainCases.map((c) => compiler.compile(c.rule));
    const contexts = plainCases.map((c) => c.context);
    // Windows of every length up to 8 at every offset, and the whole corpus as one chain.
    const chains: Array<[CompiledRule[], ReturnType<RuleCompiler['chain']>]> = [[rules, compiler.chain(rules)]];
    for (let length = 1; length <= 8; length++)
      for (let start = 0; start + length <= rules.length; start += length) {
        const window = rules.slice(start, start + length);
        chains.push([window, compiler.chain(window)]);
      }
    let matched = 0;
    for (const [window, chain] of chains)
      for (const context of contexts) {
        const expected = firstByHand(window, context);
        expect(chain(context)).toBe(expected);
        expect(chain(context, undefined, true)).toBe(expected);
        if (expected >= 0) matched++;
      }
    expect(matched).toBeGreaterThan(1000);
    // A matching corpus rule is found at its own position, behind rules that do not match its context.
    plainCases.forEach((c, i) => {
      if (c.expected) expect(compiler.chain([compiler.compile('false'), rules[i]!])(c.context)).toBe(1);
    });
  });

  it('keeps the literals of each rule apart when rules of one template follow each other', () => {
    const compiler = new RuleCompiler();
    const rules = ['a', 'b', 'c'].map((plan, i) => compiler.compile(`plan == "${plan}" and age > ${i * 10}`));
    expect(compiler.templateCount).toBe(1);
    const chain = compiler.chain(rules);
    expect(chain({ plan: 'a', age: 1 })).toBe(0);
    expect(chain({ plan: 'b', age: 11 })).toBe(1);
    expect(chain({ plan: 'b', age: 10 })).toBe(-1);
    expect(chain({ plan: 'c', age: 21 })).toBe(2);
  });

  it('shares one chain template between flags whose rules have the same shapes, each with its own literals', () => {
    const compiler = new RuleCompiler();
    const chainOf = (i: number) =>
      compiler.chain([
        compiler.compile(`email endsWith "@c${i}.com"`),
        compiler.compile(`userId in ["u${i}", "v${i}"]`),
      ]);
    const chains = Array.from({ length: 50 }, (_, i) => chainOf(i));
    expect(compiler.chainTemplateCount).toBe(1);
    chains.forEach((chain, i) => {
      expect(chain({ email: `x@c${i}.com` })).toBe(0);
      expect(chain({ userId: `v${i}` })).toBe(1);
      expect(chain({ userId: `v${(i + 1) % 50}`, email: `x@c${(i + 1) % 50}.com` })).toBe(-1);
    });
  });

  it("reads attributes named like the chain's own variables from the context, never the variables", () => {
    const compiler = new RuleCompiler();
    const names = ['r0p0', 'p0', 'k0', 't0', 'root', 'ctx', 'scope', 'plain', 'fallback', 'P', 'K', 'rt', 'chain'];
    const rules = names.map((name, i) => compiler.compile(`${name} == ${i}`));
    rules.push(compiler.compile('attrs["r1p0"] == "x" or attrs["p0"] == "y"'));
    const chain = compiler.chain(rules);
    names.forEach((name, i) => expect(chain({ [name]: i })).toBe(i));
    expect(chain({ attrs: { r1p0: 'x' } })).toBe(names.length);
    expect(chain({ attrs: { p0: 'y' } })).toBe(names.length);
    expect(chain({ r0p0: 'r0p0', p0: 'p0', ctx: {} })).toBe(-1);
  });

  it('treats a rule that throws as not matching and goes on to the next, as the rules one by one do', () => {
    const compiler = new RuleCompiler();
    const rules = [compiler.compile('plan == "x"'), compiler.compile('country == "FR"'), compiler.compile('true')];
    const chain = compiler.chain(rules);
    const throwing = Object.defineProperty({ country: 'FR' }, 'plan', {
      enumerable: true,
      get() {
        throw new Error('getter');
      },
    });
    expect(chain(throwing)).toBe(1);
    expect(chain(throwing, undefined, true)).toBe(1);
    const { proxy, revoke } = Proxy.revocable({ plan: 'x' }, {});
    revoke();
    expect(chain(proxy)).toBe(firstByHand(rules, proxy));
    expect(chain(proxy)).toBe(2);
  });

  it('reads nothing from a context that is not a plain object', () => {
    const compiler = new RuleCompiler();
    class User {
      plan = 'premium';
    }
    const rules = [compiler.compile('plan == "premium"'), compiler.compile('plan == null')];
    const chain = compiler.chain(rules);
    for (const context of [new User(), Object.create({ plan: 'premium' }), [], 'premium', 42, null, undefined])
      expect(chain(context)).toBe(1);
  });

  it('passes the scope to resolvers, and chains rules of different resolvers one by one', () => {
    const compiler = new RuleCompiler();
    const seen: unknown[] = [];
    const resolvers: RuleResolvers = {
      segment: (name, _context, scope) => {
        seen.push(scope);
        return name === 'beta';
      },
      flag: (key) => (key === 'dark' ? 'on' : null),
    };
    const withResolvers = [
      compiler.compile('segment("staff")', { resolvers }),
      compiler.compile('flag("dark") == "on" and segment("beta")', { resolvers }),
    ];
    const scope = { snapshot: 1 };
    expect(compiler.chain(withResolvers)({}, scope)).toBe(1);
    expect(seen).toEqual([scope, scope]);
    const mixed = [compiler.compile('plan == "x"'), ...withResolvers];
    expect(compiler.chain(mixed)({}, scope)).toBe(2);
    expect(compiler.chain(mixed)({ plan: 'x' }, scope)).toBe(0);
  });

  it('answers -1 for no rules, and stays exact for chains too long to generate as one function', () => {
    const compiler = new RuleCompiler();
    expect(compiler.chain([])({ plan: 'x' })).toBe(-1);
    const rules = Array.from({ length: 300 }, (_, i) =>
      compiler.compile(`(email endsWith "@c${i}.com" or userId in ["u${i}", "v${i}"]) and plan == "p${i}"`),
    );
    const chain = compiler.chain(rules);
    expect(chain({ userId: 'v299', plan: 'p299' })).toBe(299);
    expect(chain({ email: 'a@c150.com', plan: 'p150' })).toBe(150);
    expect(chain({ userId: 'v299', plan: 'p298' })).toBe(-1);
  });
});
