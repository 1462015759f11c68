/**
 * railroad.html: Chevrotain's syntax diagrams of the parser's productions. Chevrotain loads its
 * drawing scripts from a CDN by default; `resourceBase` and `css` point at local copies of its
 * `diagrams/` assets (see grammar-docs.ts), so the page works offline.
 */
import { createSyntaxDiagramsCode } from 'chevrotain';
import { grammarRules } from './grammar-ebnf.js';

/** Where the diagram scripts live, relative to `railroad.html`. */
export const assetDirectory = 'diagrams/';

export function railroadHtml(): string {
  const html = createSyntaxDiagramsCode(grammarRules() as never, {
    resourceBase: `./${assetDirectory}`,
    css: `./${assetDirectory}diagrams.css`,
  });
  const title = '<title>Vexil rule language: syntax diagrams</title>';
  const intro =
    '<p style="text-align:center;font-family:sans-serif">Syntax diagrams of the Vexil rule language, ' +
    'generated from its parser. The full reference is in <a href="grammar.md">grammar.md</a>.</p>';
  return html
    .replace('<meta charset="utf-8">', `<meta charset="utf-8">\n${title}`)
    .replace('<div id="diagrams"', `${intro}\n<div id="diagrams"`)
    .replace(/[ \t]+$/gm, '');
}
