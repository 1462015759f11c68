/**
 * Rules are compiled to JavaScript with `new Function`; user text must only ever reach the generated
 * code as data. Each hostile source below either fails with a RuleError or compiles into a rule that
 * treats the hostile text as a plain string — and in no case runs it: the global canary stays unset
 * and process.exit is never called.
 */
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { checkRule, compileRule, RuleCompiler, RuleError } from '../../src/index.js';

const R = String.raw;
const canary = '__vexilPwned';
const globals = globalThis as Record<string, unknown>;

let exitSpy: ReturnType<typeof vi.spyOn>;
beforeEach(() => {
  delete globals[canary];
  exitSpy = vi.spyOn(process, 'exit').mockImplementation((() => {
    throw new Error('process.exit was called');
  }) as never);
});
afterEach(() => {
  expect(globals[canary]).toBeUndefined();
  expect(exitSpy).not.toHaveBeenCalled();
  exitSpy.mockRestore();
});

const payload = `globalThis.${canary} = 1`;

/** Hostile string values, each of which would break out of a naively quoted JavaScript literal. */
const hostileStrings = [
  `"); ${payload}; ("`,
  `'); ${payload}; ('`,
  `\`); ${payload}; (\``,
  `\${${payload}}`,
  `*/ ${payload}; /*`,
  `\n${payload}\n`,
  `\u2028${payload}\u2029`,
  `\\"); ${payload}; //`,
  `</script><script>${payload}</script>`,
  `"); process.exit(1); ("`,
  `\u0000${payload}`,
];

/** Writes `value` as a rule string literal (double-quoted, escaping what the language requires). */
function literal(value: string): string {
  return `"${value.replace(/\\/g, '\\\\').replace(/"/g, '\\"').replace(/\n/g, '\\n')}"`;
}

describe('hostile text inside string literals', () => {
  it.each(hostileStrings)('keeps %j as data in a comparison', (value) => {
    const rule = compileRule(`x == ${literal(value)}`);
    expect(rule.evaluate({ x: value })).toBe(true);
    expect(rule.evaluate({ x: 'other' })).toBe(false);
  });

  it.each(hostileStrings)('keeps %j as data in a list, a function argument and a pattern', (value) => {
    const rule = compileRule(
      `x in [${literal(value)}, "b"] and lower(${literal(value)}) == lower(x) and x startsWith ${literal(value)} and x matches ${literal(value.replace(/[\\^$.*+?()[\]{}|]/g, '\\$&'))}`,
    );
    expect(rule.evaluate({ x: value })).toBe(true);
  });

  it.each(hostileStrings)('keeps %j as data in a bracketed attribute name', (value) => {
    const rule = compileRule(`attrs[${literal(value)}] == true`);
    expect(rule.evaluate({ attrs: { [value]: true } })).toBe(true);
    expect(rule.evaluate({ attrs: {} })).toBe(false);
    expect(rule.attributes).toEqual([`attrs[${JSON.stringify(value)}]`]);
  });

  it.each(hostileStrings)('keeps %j as data when rules holding it are chained into one function', (value) => {
    const compiler = new RuleCompiler();
    const chain = compiler.chain([
      compiler.compile(`attrs[${literal(value)}] == true`),
      compiler.compile(`x in [${literal(value)}, "b"] and x startsWith ${literal(value)}`),
      compiler.compile(`x == ${literal(value)}`),
    ]);
    expect(chain({ attrs: { [value]: true } })).toBe(0);
    expect(chain({ x: value })).toBe(1);
    expect(chain({ x: 'other' })).toBe(-1);
  });

  it.each(hostileStrings)('keeps %j as data in a bucket salt, a segment name and a flag key', (value) => {
    const seen: string[] = [];
    const rule = compileRule(`bucket(x) != null and segment(${literal(value)}) and flag(${literal(value)}) == 1`, {
      salt: value,
      resolvers: {
        segment: (name) => seen.push(name) > 0,
        flag: (key) => (seen.push(key), 1),
      },
    });
    expect(rule.evaluate({ x: 'user-1' })).toBe(true);
    expect(seen).toEqual([value, value]);
  });

  it('writes user text into the generated code only as JSON string literals', () => {
    const value = `"); ${payload}; ("`;
    const rule = compileRule(`attrs[${literal(value)}] == ${literal(value)}`, { salt: value });
    expect(rule.js).toContain(JSON.stringify(value));
    // Outside its string literals the code mentions none of the user's text.
    const code = rule.js.replace(/"(?:[^"\\]|\\.)*"/g, '""');
    expect(code).not.toContain(canary);
    expect(code).not.toContain('globalThis');
  });

  it('escapes U+2028 and U+2029 in the generated code', () => {
    const rule = compileRule('x == "a\u2028b\u2029c"');
    expect(rule.js).not.toMatch(/[\u2028\u2029]/);
    expect(rule.evaluate({ x: 'a\u2028b\u2029c' })).toBe(true);
  });
});

describe('hostile sources', () => {
  it.each([
    `"); process.exit(1); ("`,
    R`attrs["\"]); globalThis.__vexilPwned = 1; (\""] == 1`,
    `x == "\`\${globalThis.__vexilPwned = 1}\`"`,
    'x == `${globalThis.__vexilPwned = 1}`',
    'x == "a" + (globalThis.__vexilPwned = 1)',
    "x == 'a'; globalThis.__vexilPwned = 1; //'",
    'x == "a"\u2028globalThis.__vexilPwned = 1',
    'x == "\u2028"); globalThis.__vexilPwned = 1; ("',
    'constructor.constructor("globalThis.__vexilPwned = 1")()',
    'lower.constructor("globalThis.__vexilPwned = 1")()',
    '__proto__.constructor.constructor("globalThis.__vexilPwned = 1")() == 1',
    'rt.fnLower("x") == "x"',
    'eval("globalThis.__vexilPwned = 1")',
    'Function("globalThis.__vexilPwned = 1")()',
    'process.exit(1)',
    'ctx.constructor.constructor("globalThis.__vexilPwned = 1")',
    'x == 1 /* */ ; globalThis.__vexilPwned = 1',
    'x == 1 // comment',
    'x == 1e3; globalThis.__vexilPwned = 1',
    'x == 0x1; globalThis.__vexilPwned = 1',
    'x == "\\u0022); globalThis.__vexilPwned = 1; (\\u0022"',
    'x in [1, 2]; globalThis.__vexilPwned = 1',
    'x matches "/); globalThis.__vexilPwned = 1; (/"',
  ])('%s either fails with a RuleError or evaluates as plain data', (source) => {
    let rule;
    try {
      rule = compileRule(source);
    } catch (error) {
      expect(error).toBeInstanceOf(RuleError);
      expect(checkRule(source).ok).toBe(false);
      return;
    }
    for (const context of [{}, { x: 'a' }, { x: 1 }, { attrs: { '"]); globalThis.__vexilPwned = 1; ("': 1 } }]) {
      expect(typeof rule.evaluate(context)).toBe('boolean');
      expect(typeof rule.explain(context).matched).toBe('boolean');
    }
  });

  it('reads a hostile bracketed attribute name as a key of the context', () => {
    const key = '"]); globalThis.__vexilPwned = 1; ("';
    const rule = compileRule(R`attrs["\"]); globalThis.__vexilPwned = 1; (\""] == 1`);
    expect(rule.evaluate({ attrs: { [key]: 1 } })).toBe(true);
    expect(rule.evaluate({ attrs: {} })).toBe(false);
  });

  it('reads a \\u-escaped quote as a character of the string', () => {
    const rule = compileRule(R`x == "\u0022); globalThis.__vexilPwned = 1; (\u0022"`);
    expect(rule.evaluate({ x: '"); globalThis.__vexilPwned = 1; ("' })).toBe(true);
  });

  it('cannot reach the Function constructor through attribute paths', () => {
    const rule = compileRule('constructor.constructor == null and lower.constructor == null and x.__proto__ == null');
    expect(rule.evaluate({ x: {} })).toBe(true);
  });

  it('cannot reach runtime helpers or the constant pool by name', () => {
    const rule = compileRule(
      'rt == null and k == null and ctx == null and scope == null and eq == null and fnLower == null and globalThis == null and process == null',
    );
    expect(rule.evaluate({})).toBe(true);
    expect(rule.evaluate({ rt: 1 })).toBe(false);
  });

  it('treats a hostile context as data', () => {
    const rule = compileRule('x == "a" or user.plan == "pro" or tags contains "x"');
    const context = JSON.parse(
      `{"x": "${'\\u2028'}", "user": {"__proto__": {"plan": "pro"}, "constructor": {"prototype": {"plan": "pro"}}}, "tags": {"length": 1, "0": "x"}}`,
    );
    expect(rule.evaluate(context)).toBe(false);
    expect(({} as Record<string, unknown>).plan).toBeUndefined();
  });
});
