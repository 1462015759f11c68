/** The generated rule-language docs in grammar/ are current, self-contained and complete. */
import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { documentedNames, generateGrammarDocs, grammarAssetFiles, grammarEbnf } from '../../src/docs/grammar-docs.js';
import { fillPlaceholders } from '../../src/docs/grammar-markdown.js';

const repo = fileURLToPath(new URL('../../', import.meta.url));
const grammarDirectory = join(repo, 'grammar/');
const committed = (name: string) => readFileSync(join(grammarDirectory, name), 'utf8');
const docs = generateGrammarDocs();

describe('grammar docs', () => {
  it('equal the committed files in grammar/ (run `npm run grammar` after changing the grammar)', () => {
    expect(Object.keys(docs).sort()).toEqual(['grammar.md', 'railroad.html', 'reference.html']);
    expect(committed('railroad.html')).toBe(docs['railroad.html']);
    expect(committed('grammar.md')).toBe(docs['grammar.md']);
    expect(committed('reference.html')).toBe(docs['reference.html']);
    for (const [name, content] of Object.entries(grammarAssetFiles())) expect(committed(name), name).toBe(content);
  });

  it('railroad.html references no http(s) URL and every local resource it loads exists', () => {
    const html = docs['railroad.html'];
    expect(html).not.toMatch(/https?:\/\//i);
    expect(html).not.toMatch(/(?:src|href)\s*=\s*['"]?\/\//i); // protocol-relative URLs
    const resources = [...html.matchAll(/(?:src|href)='([^']+)'/g)].map((match) => match[1]!);
    expect(resources).toEqual([
      './diagrams/diagrams.css',
      './diagrams/vendor/railroad-diagrams.js',
      './diagrams/src/diagrams_builder.js',
      './diagrams/src/diagrams_behavior.js',
      './diagrams/src/main.js',
    ]);
    for (const resource of resources) expect(existsSync(join(grammarDirectory, resource)), resource).toBe(true);
    expect(html).toContain('window.serializedGrammar =');
  });

  it('grammar.md mentions every grammar rule (with an EBNF production), function and keyword', () => {
    const markdown = docs['grammar.md'];
    const { rules, functions, keywords } = documentedNames();
    expect(rules).toContain('callOrPath');
    for (const rule of rules) {
      expect(markdown, rule).toMatch(new RegExp(`^${rule} ::= `, 'm'));
    }
    for (const name of functions) expect(markdown, name).toContain(`\`${name}(`);
    for (const keyword of keywords) expect(markdown, keyword).toContain(`\`${keyword}\``);
    expect(markdown).not.toContain('Undocumented');
  });

  it('documents the bucket hash spec and the limits', () => {
    const markdown = docs['grammar.md'];
    expect(markdown).toContain('MurmurHash3_x86_32(input, seed 0)');
    expect(markdown).toContain('floor(h × 100000 / 2^32)');
    expect(markdown).toContain('| "" | `"u42"` | ":u42" | 2228850468 | 51.894 |');
    expect(markdown).toContain('at most 16 KiB');
    expect(markdown).toContain('64 levels');
  });

  it('prints EBNF that follows the parser structure', () => {
    const ebnf = grammarEbnf();
    expect(ebnf).toContain("orExpr ::= andExpr ( ( 'or' | '||' ) andExpr )*");
    expect(ebnf).toContain("list ::= '[' ( operand ( ',' operand )* )? ']'");
    expect(ebnf).toContain('comparison ::= operand ( comparisonOperator operand )?');
    expect(ebnf).toMatch(
      /^comparisonOperator ::= \( 'in' \| 'contains' \| 'startsWith' \| 'endsWith' \| 'matches' \| '==' \| '!=' \| '<=' \| '>=' \| '<' \| '>' \)$/m,
    );
    expect(ebnf).toContain("notExpr ::= ( 'not' | '!' )* comparison");
  });

  it('fill every placeholder of the prose, and reject unknown or unused ones', () => {
    expect(docs['grammar.md']).not.toMatch(/\{\{\w+\}\}/);
    expect(fillPlaceholders('a {{x}} b', { x: () => '1' })).toBe('a 1 b');
    expect(() => fillPlaceholders('a {{y}}', { x: () => '1' })).toThrow('unknown placeholder {{y}}');
    expect(() => fillPlaceholders('a', { x: () => '1' })).toThrow('missing placeholders {{x}}');
  });

  it('ship the prose they are generated from in the npm package (vexil grammar reads it from dist/)', () => {
    const [pack] = JSON.parse(
      execFileSync('npm', ['pack', '--dry-run', '--json', '--ignore-scripts'], {
        cwd: repo,
        encoding: 'utf8',
        stdio: ['ignore', 'pipe', 'ignore'],
      }),
    ) as Array<{ files: Array<{ path: string }> }>;
    const files = pack!.files.map((file) => file.path);
    expect(files).toContain('src/docs/grammar-prose.md');
    expect(files).toContain('grammar/grammar.md');
  });

  it('railroad.html labels keywords and symbols with the spelling rules use (true, not in, and / &&)', () => {
    const labels = new Set<string>();
    const collect = (node: { type: string; label?: string; definition?: unknown[]; separator?: unknown }): void => {
      if (node.type === 'Terminal' && node.label) labels.add(node.label);
      for (const child of [...(node.definition ?? []), ...(node.separator ? [node.separator] : [])])
        collect(child as typeof node);
    };
    const serialized = /window\.serializedGrammar = (\[[\s\S]*?\n\]);/.exec(committed('railroad.html'))?.[1];
    for (const rule of JSON.parse(serialized!) as Array<Parameters<typeof collect>[0]>) collect(rule);
    const { keywords } = documentedNames();
    for (const word of keywords) expect(labels, word).toContain(word);
    for (const symbol of ['&&', '||', '!', '==', '!=', '<=', '>=', '<', '>', '(', ')', '[', ']', ',', '.'])
      expect(labels, symbol).toContain(symbol);
    // Token classes keep their names; nothing else is capitalised or quoted.
    expect([...labels].filter((label) => /^[A-Z']/.test(label)).sort()).toEqual(['Identifier', 'Name']);
  });

  it('reference.html renders grammar.md as HTML whose in-page links all have a target, and railroad.html links to it', () => {
    const html = committed('reference.html');
    expect(html).toMatch(/^<!doctype html>/);
    expect(html).toContain('<title>The Vexil rule language · Vexil</title>');
    expect(html).toContain('<table>');
    expect(html).toContain('<h2 id="null-missing-and-types">Null, missing and types</h2>');
    expect(html).not.toMatch(/<(?:script|link|img)\b/i); // nothing to load: works offline
    const ids = new Set([...html.matchAll(/ id="([^"]+)"/g)].map((match) => match[1]));
    const anchors = [...html.matchAll(/href="#([^"]+)"/g)].map((match) => match[1]!);
    expect(anchors.length).toBeGreaterThan(5);
    for (const anchor of anchors) expect(ids, anchor).toContain(anchor);
    expect(committed('railroad.html')).toContain('<a href="reference.html">');
  });
});
