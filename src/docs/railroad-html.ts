/**
 * railroad.html: Chevrotain's syntax diagrams of the parser's productions. Two changes to what
 * Chevrotain draws by default:
 *
 *   - Terminals are labelled with the language's own spelling. Chevrotain labels a token without a
 *     LABEL by its TypeScript name (`True`, `Not`, `In`), which reads as if the keywords were
 *     capitalised, and a token category by its one LABEL (`'and'` for both `and` and `&&`). Keywords
 *     and symbols are drawn as written (`true`, `not`, `==`) and categories as a choice of spellings.
 *   - Chevrotain loads its drawing scripts from a CDN by default; `resourceBase` and `css` point at
 *     local copies of its `diagrams/` assets (see grammar-docs.ts), so the page works offline.
 */
import { createSyntaxDiagramsCode, type TokenType } from 'chevrotain';
import { type GastNode, grammarRules, inlineCategories, leafMembers, tokenNamed, wordsFirst } from './grammar-ebnf.js';

/** Where the diagram scripts live, relative to `railroad.html`. */
export const assetDirectory = 'diagrams/';

const keywordPattern = /^[A-Za-z]+$/;

/** How a token is written in a rule (`true`, `&&`), or undefined for token classes (`Identifier`, `a string`). */
function spelling(token: TokenType): string | undefined {
  const pattern = token.PATTERN instanceof RegExp ? token.PATTERN.source : undefined;
  if (pattern && keywordPattern.test(pattern)) return pattern;
  const label = token.LABEL;
  if (label && label.length > 2 && label.startsWith("'") && label.endsWith("'")) return label.slice(1, -1);
  return undefined;
}

function terminal(token: TokenType): GastNode {
  return {
    type: 'Terminal',
    name: token.name,
    label: spelling(token) ?? token.LABEL ?? token.name,
    pattern: token.PATTERN instanceof RegExp ? token.PATTERN.source : undefined,
  };
}

/** A terminal as it should be drawn: its spelling, or a choice between the spellings of a category. */
function relabel(node: GastNode): GastNode {
  if (node.type !== 'Terminal') {
    const copy = { ...node };
    if (node.definition) copy.definition = node.definition.map(relabel);
    if (node.separator) copy.separator = relabel(node.separator);
    return copy;
  }
  const token = tokenNamed(node.name);
  if (!token) return node;
  if (inlineCategories.has(token.name)) {
    const members = leafMembers(token).sort((a, b) => wordsFirst(spelling(a) ?? a.name, spelling(b) ?? b.name));
    return {
      type: 'Alternation',
      definition: members.map((member) => ({ type: 'Alternative', definition: [{ ...node, ...terminal(member) }] })),
    };
  }
  const text = spelling(token);
  return text === undefined ? node : { ...node, label: text };
}

/** The productions as railroad.html draws them (exported for tests). */
export function diagramRules(): GastNode[] {
  return grammarRules().map(relabel);
}

export function railroadHtml(): string {
  const html = createSyntaxDiagramsCode(diagramRules() as never, {
    resourceBase: `./${assetDirectory}`,
    css: `./${assetDirectory}diagrams.css`,
  });
  const title = '<title>Vexil rule language: syntax diagrams</title>';
  const intro =
    '<p style="text-align:center;font-family:sans-serif">Syntax diagrams of the Vexil rule language, ' +
    'generated from its parser. Keywords and symbols are drawn as you write them. ' +
    'The full reference is <a href="reference.html">the rule language reference</a> ' +
    '(also as <a href="grammar.md">markdown</a>).</p>';
  return html
    .replace('<meta charset="utf-8">', `<meta charset="utf-8">\n${title}`)
    .replace('<div id="diagrams"', `${intro}\n<div id="diagrams"`)
    .replace(/[ \t]+$/gm, '');
}
