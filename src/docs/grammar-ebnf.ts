/**
 * EBNF of the rule language, printed from the parser's serialized productions (Chevrotain's GAST) and
 * the lexical tokens of tokens.ts, so the reference cannot drift from the parser. Also the spellings
 * of terminals, shared with the syntax diagrams (railroad-html.ts).
 */
import { Lexer, type TokenType } from 'chevrotain';
import { serializedGrammar } from '../dsl/parse.js';
import * as T from '../dsl/tokens.js';

/** The serialized GAST node shapes we print (Chevrotain's `ISerializedGast` only declares `type`). */
export interface GastNode {
  type: string;
  name?: string;
  label?: string;
  pattern?: string;
  definition?: GastNode[];
  separator?: GastNode;
}

export function grammarRules(): GastNode[] {
  return serializedGrammar() as unknown as GastNode[];
}

const keywordPattern = /^[A-Za-z]+$/;

/** How a terminal reads in EBNF: `'=='`, `'and'`, or the name of a lexical token (`Identifier`). */
function terminalText(name: string, label: string | undefined, pattern: string | undefined): string {
  if (label && label.length > 2 && label.startsWith("'") && label.endsWith("'")) return label;
  if (pattern && keywordPattern.test(pattern)) return `'${pattern}'`;
  return name;
}

export function tokenText(token: TokenType): string {
  const pattern = token.PATTERN instanceof RegExp ? token.PATTERN.source : undefined;
  return terminalText(token.name, token.LABEL, pattern);
}

/** Keyword spellings before symbols (`'or' | '||'`), otherwise in lexer order (the sort is stable). */
export function wordsFirst(a: string, b: string): number {
  return Number(!/^'?[A-Za-z]/.test(a)) - Number(!/^'?[A-Za-z]/.test(b));
}

/** Token categories the parser uses to accept several spellings at once; printed as their alternatives. */
export const inlineCategories = new Set(['AndOperator', 'OrOperator', 'NotOperator', 'BinaryOperatorToken']);

export function tokenNamed(name: string | undefined): TokenType | undefined {
  return T.allTokens.find((token) => token.name === name);
}

/** The concrete tokens of a category, through nested categories (`==` is a ComparisonOperator is a BinaryOperatorToken). */
export function leafMembers(category: TokenType): TokenType[] {
  return categoryMembers(category).flatMap((member) => (member.PATTERN === Lexer.NA ? leafMembers(member) : [member]));
}

function categoryMembers(category: TokenType): TokenType[] {
  return T.allTokens.filter((token) => token !== category && (token.CATEGORIES ?? []).includes(category));
}

class EbnfPrinter {
  /** Lexical tokens referenced by name (to be defined in the tokens section), in order of appearance. */
  readonly namedTokens = new Set<string>();

  rule(rule: GastNode): string {
    const definition = rule.definition ?? [];
    const head = `${rule.name} ::=`;
    const only = definition[0];
    if (definition.length === 1 && only?.type === 'Alternation' && (only.definition?.length ?? 0) > 1) {
      const pad = ' '.repeat(head.length - 1);
      return `${head} ${(only.definition ?? []).map((alternative) => this.sequence(alternative.definition ?? [])).join(`\n${pad}| `)}`;
    }
    return `${head} ${this.sequence(definition)}`;
  }

  private sequence(items: GastNode[]): string {
    if (items.length === 0) return 'ε';
    return items.map((item) => this.item(item)).join(' ');
  }

  /** An operand of a postfix operator (`?`, `*`, `+`): parenthesised unless it is a single atom. */
  private group(items: GastNode[]): string {
    const only = items[0];
    if (
      items.length === 1 &&
      only &&
      (only.type === 'Terminal' || only.type === 'NonTerminal' || only.type === 'Alternation')
    ) {
      return this.item(only);
    }
    return `( ${this.sequence(items)} )`;
  }

  private terminal(node: GastNode): string {
    const category = inlineCategories.has(node.name ?? '') ? tokenNamed(node.name) : undefined;
    if (category) return `( ${leafMembers(category).map(tokenText).sort(wordsFirst).join(' | ')} )`;
    const text = terminalText(node.name ?? '?', node.label, node.pattern);
    if (text === node.name) this.namedTokens.add(text);
    return text;
  }

  private item(node: GastNode): string {
    const inner = node.definition ?? [];
    switch (node.type) {
      case 'NonTerminal':
        return node.name ?? '?';
      case 'Terminal':
        return this.terminal(node);
      case 'Alternation': {
        const alternatives = inner.map((alternative) => this.sequence(alternative.definition ?? []));
        return alternatives.length === 1 ? alternatives[0]! : `( ${alternatives.join(' | ')} )`;
      }
      case 'Alternative':
        return this.sequence(inner);
      case 'Option':
        return `${this.group(inner)}?`;
      case 'Repetition':
        return `${this.group(inner)}*`;
      case 'RepetitionMandatory':
        return `${this.group(inner)}+`;
      case 'RepetitionWithSeparator':
        return `( ${this.sequence(inner)} ( ${this.item(node.separator!)} ${this.sequence(inner)} )* )?`;
      case 'RepetitionMandatoryWithSeparator':
        return `${this.sequence(inner)} ( ${this.item(node.separator!)} ${this.sequence(inner)} )*`;
      default:
        throw new Error(`grammar-docs: unknown GAST node type ${node.type}`);
    }
  }
}

/** EBNF of the lexical tokens the productions refer to by name. */
function tokenDefinitions(names: Iterable<string>): string[] {
  const lines: string[] = [];
  const width = Math.max(...[...names].map((name) => name.length));
  for (const name of names) {
    const token = tokenNamed(name);
    if (!token) continue;
    const head = `${name.padEnd(width)} ::=`;
    if (token.PATTERN === Lexer.NA) {
      lines.push(`${head} ${categoryMembers(token).map(tokenText).join(' | ')}`);
    } else if (token.PATTERN instanceof RegExp) {
      const note = token === T.Identifier ? '   (except the keywords)' : '';
      lines.push(`${head} /${token.PATTERN.source}/${note}`);
    }
  }
  return lines;
}

export function keywords(): string[] {
  return T.allTokens
    .filter((token) => token.LONGER_ALT === T.Identifier && token.PATTERN instanceof RegExp)
    .map((token) => (token.PATTERN as RegExp).source);
}

/** The generated part of grammar.md: one EBNF production per parser rule, then the tokens. */
export function grammarEbnf(): string {
  const printer = new EbnfPrinter();
  const productions = grammarRules().map((rule) => printer.rule(rule));
  const skipped = T.allTokens.filter((token) => token.GROUP === Lexer.SKIPPED && token.PATTERN instanceof RegExp);
  return [
    '```ebnf',
    productions.join('\n\n'),
    '```',
    '',
    '### Tokens',
    '',
    "Tokens the productions name; quoted terminals (`'=='`, `'and'`) stand for themselves.",
    'The lexer takes the longest match, so `order` is one identifier, not `or` followed by `der`.',
    '',
    '```ebnf',
    ...tokenDefinitions(printer.namedTokens),
    '```',
    '',
    `Keywords (case-sensitive; \`AND\` is an ordinary identifier): ${keywords()
      .map((word) => `\`${word}\``)
      .join(', ')}.`,
    '',
    `Skipped between tokens: ${skipped.map((token) => `\`/${(token.PATTERN as RegExp).source}/\``).join(', ')} (no comments).`,
  ].join('\n');
}
