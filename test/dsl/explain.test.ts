import { describe, expect, it } from 'vitest';
import { compileRule, type ExplainNode } from '../../src/index.js';

function find(node: ExplainNode, text: string): ExplainNode | undefined {
  if (node.text === text) return node;
  for (const child of node.children) {
    const found = find(child, text);
    if (found) return found;
  }
  return undefined;
}

describe('explain()', () => {
  it('returns the whole evaluation tree of a comparison', () => {
    expect(compileRule('plan == "pro"').explain({ plan: 'pro' })).toEqual({
      matched: true,
      tree: {
        kind: 'binary',
        operator: '==',
        text: 'plan == "pro"',
        start: 0,
        end: 13,
        line: 1,
        column: 1,
        value: true,
        evaluated: true,
        children: [
          {
            kind: 'path',
            text: 'plan',
            start: 0,
            end: 4,
            line: 1,
            column: 1,
            value: 'pro',
            evaluated: true,
            children: [],
          },
          {
            kind: 'literal',
            text: '"pro"',
            start: 8,
            end: 13,
            line: 1,
            column: 9,
            value: 'pro',
            evaluated: true,
            children: [],
          },
        ],
      },
    });
  });

  it('names the operator of logical, not, membership and call nodes', () => {
    const tree = compileRule('not (a or b) and x not in [1] and lower(y) == "a"').explain({
      a: false,
      b: false,
      x: 2,
      y: 'A',
    }).tree;
    expect(tree).toMatchObject({ kind: 'logical', operator: 'and' });
    expect(find(tree, 'not (a or b)')).toMatchObject({ kind: 'not', operator: 'not', value: true });
    expect(find(tree, '(a or b)')).toMatchObject({ kind: 'logical', operator: 'or', value: false });
    expect(find(tree, 'x not in [1]')).toMatchObject({ kind: 'binary', operator: 'not in', value: true });
    expect(find(tree, '[1]')).toMatchObject({ kind: 'list', value: [1] });
    expect(find(tree, 'lower(y)')).toMatchObject({ kind: 'call', operator: 'lower', value: 'a' });
  });

  it('gives each node its span, line and column, across lines', () => {
    const source = 'plan == "pro"\n  and (age >= 18\n    or vip)';
    const tree = compileRule(source).explain({ plan: 'pro', age: 20 }).tree;
    const age = find(tree, 'age >= 18')!;
    expect(age).toMatchObject({ start: 21, end: 30, line: 2, column: 8 });
    expect(source.slice(age.start, age.end)).toBe('age >= 18');
    expect(find(tree, '(age >= 18\n    or vip)')).toMatchObject({ line: 2, column: 7, value: true });
    expect(find(tree, '18')).toMatchObject({ start: 28, line: 2, column: 15, value: 18 });
  });

  it('covers the parentheses in the text of a parenthesized expression', () => {
    const tree = compileRule('((a))').explain({ a: true }).tree;
    expect(tree).toMatchObject({ kind: 'path', text: '((a))', start: 0, end: 5, value: true });
  });

  it('reports missing attributes as null', () => {
    expect(compileRule('missing.deeper == 1').explain({}).tree.children[0]).toMatchObject({
      text: 'missing.deeper',
      value: null,
      evaluated: true,
    });
  });

  it('presents versions and dates as text', () => {
    const tree = compileRule('semver(v) >= semver("1.0.0-rc.1") and date(d) > date(0)').explain({
      v: '2.0.0',
      d: '2024-01-15T10:30:00+02:00',
    }).tree;
    expect(find(tree, 'semver(v)')?.value).toBe('2.0.0');
    expect(find(tree, 'semver("1.0.0-rc.1")')?.value).toBe('1.0.0-rc.1');
    expect(JSON.parse(JSON.stringify(find(tree, 'date(d)')?.value))).toBe('2024-01-15T08:30:00.000Z');
    expect(JSON.parse(JSON.stringify(tree))).toMatchObject({ value: true });
  });

  it('reports the values of function calls', () => {
    const tree = compileRule('len(tags) == 2 and bucket(id) >= 0').explain(
      { tags: ['a', 'b'], id: 'user-1' },
      undefined,
    ).tree;
    expect(find(tree, 'len(tags)')?.value).toBe(2);
    expect(typeof find(tree, 'bucket(id)')?.value).toBe('number');
  });

  it('marks every node it evaluated as evaluated', () => {
    const visit = (node: ExplainNode): ExplainNode[] => [node, ...node.children.flatMap(visit)];
    const nodes = visit(compileRule('a == 1 and b in [1, 2] and lower(c) == "x"').explain({ a: 1, b: 2, c: 'X' }).tree);
    expect(nodes).toHaveLength(13);
    expect(nodes.every((node) => node.evaluated)).toBe(true);
  });

  it('does not evaluate operands after an and that is already false or an or that is already true', () => {
    const and = compileRule('a and b == 1').explain({ a: false, b: 1 }).tree;
    const or = compileRule('a or b == 1').explain({ a: true, b: 1 }).tree;
    for (const tree of [and, or]) {
      expect(tree.children.filter((child) => child.evaluated).map((child) => child.text)).toEqual(['a']);
      expect(find(tree, 'b == 1')?.value).toBeUndefined();
    }
  });

  // Regression: explain() used to leave short-circuited operands out of the tree altogether.
  it('keeps short-circuited operands in the tree, marked evaluated: false and without a value', () => {
    const tree = compileRule('a and b == 1 and c').explain({ a: false }).tree;
    expect(tree.children.map((child) => [child.text, child.evaluated])).toEqual([
      ['a', true],
      ['b == 1', false],
      ['c', false],
    ]);
    expect(tree.children[1]).not.toHaveProperty('value');
    expect(tree.children[1]).toMatchObject({ kind: 'binary', operator: '==', line: 1, column: 7 });
  });

  it.each([
    ['beta', [{ beta: true }, { beta: 'true' }, { beta: 1 }, {}]],
    ['not beta', [{ beta: true }, { beta: 'true' }, {}]],
    ['a and b or c', [{ a: true, b: true }, { c: true }, { a: true, c: false }]],
    ['x == 1 or x == "1" or x == null', [{ x: 1 }, { x: '1' }, {}, { x: true }]],
    ['x != 1', [{ x: 1 }, { x: 2 }, {}]],
    ['x in [1, 2, 3, 4, 5, 6, 7, 8, 9, null]', [{ x: 9 }, { x: '9' }, {}]],
    ['x not in y', [{ x: 1, y: [1] }, { x: 1, y: 'a' }, { x: 1 }]],
    ['x contains "a" or x contains 1', [{ x: 'cat' }, { x: [1] }, { x: ['1'] }, { x: 1 }]],
    ['x startsWith "a" or x endsWith "z"', [{ x: 'abc' }, { x: 'xyz' }, { x: 1 }]],
    ['x matches "^a+$"', [{ x: 'aaa' }, { x: 'ab' }, { x: ['aaa'] }]],
    ['x < 5 or x >= "m"', [{ x: 1 }, { x: 'z' }, { x: '1' }, { x: null }]],
    ['semver(v) > semver("1.0.0")', [{ v: '1.0.1' }, { v: '1.0.0-rc.1' }, { v: 'bad' }]],
    ['date(d) < now()', [{ d: '2000-01-01' }, { d: '9999-01-01' }, { d: 5 }, {}]],
    ['bucket(id) < 50', [{ id: 'user-1' }, { id: 'user-2' }, { id: 42 }, { id: null }]],
    ['lower(x) == "a" and len(x) == 1', [{ x: 'A' }, { x: 'AB' }, { x: 1 }]],
    ['constructor == null and x.length == null', [{}, { x: 'abc' }, JSON.parse('{"constructor": 1}')]],
  ])('agrees with evaluate() for %s', (source, contexts) => {
    const rule = compileRule(source, { salt: 'explain' });
    for (const context of contexts) expect(rule.explain(context).matched).toBe(rule.evaluate(context));
    expect(new Set(contexts.map((context) => rule.evaluate(context))).size).toBe(2);
  });

  it('explains any context, including ones that are not objects', () => {
    const rule = compileRule('plan == "pro"');
    for (const context of [null, undefined, 1, 'pro', [], true]) {
      expect(rule.explain(context).matched).toBe(false);
      expect(rule.explain(context).tree.children[0]?.value).toBeNull();
    }
  });

  it('returns a fresh tree on every call', () => {
    const rule = compileRule('plan == "pro"');
    const first = rule.explain({ plan: 'pro' });
    const second = rule.explain({ plan: 'free' });
    expect(first.tree).not.toBe(second.tree);
    expect(first.matched).toBe(true);
    expect(first.tree.children[0]?.value).toBe('pro');
  });
});
