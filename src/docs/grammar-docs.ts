/**
 * Generates the rule-language reference shipped in the top-level `grammar/` folder:
 *
 *   - `grammar.md`: the prose of grammar-prose.md with tables, limits and the EBNF filled in from the
 *     code (grammar-markdown.ts, grammar-ebnf.ts);
 *   - `reference.html`: grammar.md rendered for a browser (reference-html.ts);
 *   - `railroad.html`: syntax diagrams of the parser's productions (railroad-html.ts), and local copies
 *     of the Chevrotain scripts it loads (`grammarAssetFiles`), so it works offline.
 *
 * `vexil grammar` writes these files; `vexil grammar --check` (part of `npm run build`) fails when the
 * committed copies differ, so the docs cannot drift from the parser. This is documentation tooling:
 * it lives outside src/dsl, which stays free of I/O.
 */
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { builtinFunctions, resolverFunctions } from '../dsl/functions/index.js';
import { grammarRules, keywords } from './grammar-ebnf.js';
import { grammarMarkdown } from './grammar-markdown.js';
import { assetDirectory, railroadHtml } from './railroad-html.js';
import { referenceHtml } from './reference-html.js';

export { grammarEbnf } from './grammar-ebnf.js';

export interface GrammarDocs {
  'railroad.html': string;
  'grammar.md': string;
  'reference.html': string;
}

/** Chevrotain's `diagrams/` files the page loads (plus the license they are distributed under). */
const chevrotainAssets = [
  'diagrams/diagrams.css',
  'diagrams/vendor/railroad-diagrams.js',
  'diagrams/src/diagrams_builder.js',
  'diagrams/src/diagrams_behavior.js',
  'diagrams/src/main.js',
  'LICENSE.txt',
] as const;

export function generateGrammarDocs(): GrammarDocs {
  const markdown = grammarMarkdown();
  return { 'railroad.html': railroadHtml(), 'grammar.md': markdown, 'reference.html': referenceHtml(markdown) };
}

/**
 * The local copies of Chevrotain's diagram assets, by path relative to the output folder
 * (`diagrams/vendor/railroad-diagrams.js`, …), read from the installed chevrotain package.
 */
export function grammarAssetFiles(): Record<string, string> {
  const root = chevrotainRoot();
  const files: Record<string, string> = {};
  for (const asset of chevrotainAssets) {
    const target = asset === 'LICENSE.txt' ? `${assetDirectory}LICENSE.txt` : asset;
    files[target] = readFileSync(join(root, asset), 'utf8');
  }
  return files;
}

/** Every file of the `grammar/` folder: the generated documents and the diagram assets. */
export function grammarFiles(): Record<string, string> {
  return { ...generateGrammarDocs(), ...grammarAssetFiles() };
}

function chevrotainRoot(): string {
  const require = createRequire(import.meta.url);
  let directory = dirname(require.resolve('chevrotain'));
  for (;;) {
    try {
      const manifest = JSON.parse(readFileSync(join(directory, 'package.json'), 'utf8')) as { name?: string };
      if (manifest.name === 'chevrotain') return directory;
    } catch {
      // no package.json here: keep climbing
    }
    const parent = dirname(directory);
    if (parent === directory) throw new Error('cannot locate the chevrotain package (needed for its diagram assets)');
    directory = parent;
  }
}

/** Names the reference promises to cover (used by tests): grammar rules, functions and keywords. */
export function documentedNames(): { rules: string[]; functions: string[]; keywords: string[] } {
  return {
    rules: grammarRules().map((rule) => rule.name ?? ''),
    functions: [...builtinFunctions.keys(), ...resolverFunctions],
    keywords: keywords(),
  };
}
