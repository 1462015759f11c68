/**
 * Generates the rule-language reference shipped in the top-level `grammar/` folder:
 *
 *   - `railroad.html`: Chevrotain's syntax diagrams of the parser's productions. Chevrotain loads its
 *     drawing scripts from a CDN by default; we point `resourceBase` and `css` at local copies of its
 *     `diagrams/` assets (see `grammarAssetFiles`), written next to the page, so it works offline.
 *   - `grammar.md`: a hand-written reference (the template below) followed by EBNF printed from the
 *     same serialized productions, and the lexical tokens printed from tokens.ts.
 *
 * `vexil grammar` writes these files; `vexil grammar --check` (part of `npm run build`) fails when the
 * committed copies differ, so the docs cannot drift from the parser.
 */
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { createSyntaxDiagramsCode, Lexer, type TokenType } from 'chevrotain';
import { builtinFunctions, resolverFunctions } from './functions/index.js';
import { bucket, hashSaltedText } from './functions/bucket.js';
import { limits } from './options.js';
import { serializedGrammar } from './parser.js';
import * as T from './tokens.js';

export interface GrammarDocs {
  'railroad.html': string;
  'grammar.md': string;
}

/** Where the diagram scripts live, relative to `railroad.html`. */
const assetDirectory = 'diagrams/';

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
  return { 'railroad.html': railroadHtml(), 'grammar.md': grammarMarkdown() };
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

// ---------------------------------------------------------------------------------------------------
// railroad.html

function railroadHtml(): string {
  const html = createSyntaxDiagramsCode(serializedGrammar(), {
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

// ---------------------------------------------------------------------------------------------------
// GAST → EBNF

/** The serialized GAST node shapes we print (Chevrotain's `ISerializedGast` only declares `type`). */
interface GastNode {
  type: string;
  name?: string;
  label?: string;
  pattern?: string;
  definition?: GastNode[];
  separator?: GastNode;
}

const keywordPattern = /^[A-Za-z]+$/;

/** How a terminal reads in EBNF: `'=='`, `'and'`, or the name of a lexical token (`Identifier`). */
function terminalText(name: string, label: string | undefined, pattern: string | undefined): string {
  if (label && label.length > 2 && label.startsWith("'") && label.endsWith("'")) return label;
  if (pattern && keywordPattern.test(pattern)) return `'${pattern}'`;
  return name;
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
    if (items.length === 1 && only && (only.type === 'Terminal' || only.type === 'NonTerminal' || only.type === 'Alternation')) {
      return this.item(only);
    }
    return `( ${this.sequence(items)} )`;
  }

  private item(node: GastNode): string {
    const inner = node.definition ?? [];
    switch (node.type) {
      case 'NonTerminal':
        return node.name ?? '?';
      case 'Terminal': {
        const category = inlineCategories.has(node.name ?? '') ? T.allTokens.find((token) => token.name === node.name) : undefined;
        if (category) return `( ${leafMembers(category).map(tokenText).sort(wordsFirst).join(' | ')} )`;
        const text = terminalText(node.name ?? '?', node.label, node.pattern);
        if (text === node.name) this.namedTokens.add(text);
        return text;
      }
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

function tokenText(token: TokenType): string {
  const pattern = token.PATTERN instanceof RegExp ? token.PATTERN.source : undefined;
  return terminalText(token.name, token.LABEL, pattern);
}

/** Keyword spellings before symbols (`'or' | '||'`), otherwise in lexer order (the sort is stable). */
function wordsFirst(a: string, b: string): number {
  return Number(!/^'[A-Za-z]/.test(a)) - Number(!/^'[A-Za-z]/.test(b));
}

/** Token categories the parser uses to accept several spellings at once; printed as their alternatives. */
const inlineCategories = new Set(['AndOperator', 'OrOperator', 'NotOperator', 'BinaryOperatorToken']);

/** The concrete tokens of a category, through nested categories (`==` is a ComparisonOperator is a BinaryOperatorToken). */
function leafMembers(category: TokenType): TokenType[] {
  return categoryMembers(category).flatMap((member) => (member.PATTERN === Lexer.NA ? leafMembers(member) : [member]));
}

function categoryMembers(category: TokenType): TokenType[] {
  return T.allTokens.filter((token) => token !== category && (token.CATEGORIES ?? []).includes(category));
}

/** EBNF of the lexical tokens the productions refer to by name. */
function tokenDefinitions(names: Iterable<string>): string[] {
  const lines: string[] = [];
  const byName = new Map(T.allTokens.map((token) => [token.name, token]));
  const width = Math.max(...[...names].map((name) => name.length));
  for (const name of names) {
    const token = byName.get(name);
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

function keywords(): string[] {
  return T.allTokens.filter((token) => token.LONGER_ALT === T.Identifier && token.PATTERN instanceof RegExp).map((token) => (token.PATTERN as RegExp).source);
}

/** The generated part of grammar.md: one EBNF production per parser rule, then the tokens. */
export function grammarEbnf(): string {
  const rules = serializedGrammar() as unknown as GastNode[];
  const printer = new EbnfPrinter();
  const productions = rules.map((rule) => printer.rule(rule));
  const skipped = T.allTokens.filter((token) => token.GROUP === Lexer.SKIPPED && token.PATTERN instanceof RegExp);
  return [
    '```ebnf',
    productions.join('\n\n'),
    '```',
    '',
    '### Tokens',
    '',
    'Tokens the productions name; quoted terminals (`\'==\'`, `\'and\'`) stand for themselves.',
    'The lexer takes the longest match, so `order` is one identifier, not `or` followed by `der`.',
    '',
    '```ebnf',
    ...tokenDefinitions(printer.namedTokens),
    '```',
    '',
    `Keywords (case-sensitive; \`AND\` is an ordinary identifier): ${keywords().map((word) => `\`${word}\``).join(', ')}.`,
    '',
    `Skipped between tokens: ${skipped.map((token) => `\`/${(token.PATTERN as RegExp).source}/\``).join(', ')} (no comments).`,
  ].join('\n');
}

// ---------------------------------------------------------------------------------------------------
// grammar.md

function bucketVectors(): string {
  const vectors: Array<[string, string | number]> = [
    ['', 'u42'],
    ['new-checkout', 'user-1'],
    ['new-checkout', 42],
    ['new-checkout', 2.5],
    ['pricing-v2', 'Zoë 😀'],
  ];
  const rows = vectors.map(([salt, value]) => {
    const text = String(value);
    return `| ${JSON.stringify(salt)} | \`${JSON.stringify(value)}\` | ${JSON.stringify(`${salt}:${text}`)} | ${hashSaltedText(salt, text)} | ${bucket(value, salt)} |`;
  });
  return ['| salt | value | hashed text | h (unsigned) | bucket |', '|---|---|---|---|---|', ...rows].join('\n');
}

/** One line per built-in function: its signature and meaning. Arity comes from the function table. */
const functionDocs: Record<string, { signature: string; text: string }> = {
  lower: { signature: 'lower(s)', text: '`s` in lower case (Unicode default case mapping, locale-independent); `null` unless `s` is a string.' },
  upper: { signature: 'upper(s)', text: '`s` in upper case (`upper("straße")` is `"STRASSE"`); `null` unless `s` is a string.' },
  len: { signature: 'len(x)', text: 'Length of a string (in UTF-16 code units: `len("😀")` is 2) or of a list; `null` otherwise.' },
  semver: {
    signature: 'semver(s)',
    text:
      'A [SemVer 2.0.0](https://semver.org) version (an optional leading `v` is allowed; at most 256 characters), or `null`. ' +
      'Versions compare by precedence (`1.0.0-beta < 1.0.0`); build metadata is ignored (`semver("1.0.0+a") == semver("1.0.0+b")`).',
  },
  date: {
    signature: 'date(x)',
    text:
      'An instant, from ISO-8601 text or epoch milliseconds, or `null`. Text: `YYYY-MM-DD`, optionally followed by `T` or a space and ' +
      '`HH:MM`, `:SS`, `.fraction` (1–9 digits, kept to the millisecond) and a zone `Z`, `±HH:MM` or `±HHMM`; without a zone the time is UTC. ' +
      'Dates that do not exist (`2024-02-30`, `24:00`) give `null`. Numbers: finite milliseconds since 1970-01-01T00:00Z, at most 8.64e15 either way.',
  },
  now: { signature: 'now()', text: 'The instant of evaluation.' },
  bucket: {
    signature: 'bucket(value [, salt])',
    text: 'The position of `value` in [0, 100), in steps of 0.001, for percentage rollouts; see [bucket](#bucket) below.',
  },
};

function functionTable(): string {
  const rows: string[] = [];
  for (const [name, fn] of builtinFunctions) {
    const doc = functionDocs[name];
    const arity = fn.minArity === fn.maxArity ? `${fn.minArity}` : `${fn.minArity}–${fn.maxArity}`;
    rows.push(`| \`${doc?.signature ?? `${name}(…)`}\` | ${arity} | ${doc?.text ?? 'Undocumented.'} |`);
  }
  rows.push(
    '| `segment("name")` | 1 | `true` when the context is in the named segment. Flag rules only (see below). |',
    '| `flag("key")` | 1 | The value flag `key` serves the same context (prerequisites). Flag rules only (see below). |',
  );
  return ['| function | arguments | result |', '|---|---|---|', ...rows].join('\n');
}

function handWrittenReference(): string {
  const maxKiB = limits.maxSourceBytes / 1024;
  return `A rule is a boolean expression over the attributes of an evaluation context (a JSON object), for example

\`\`\`
(plan == "premium" or accountAgeDays > 30) and country in ["US", "CA", "GB"]
\`\`\`

A rule **matches** when its value is exactly \`true\`. It never throws at evaluation time: an attribute that
is missing or has the wrong type simply makes the comparisons that read it false.

Contents: [Literals](#literals) · [Attribute paths](#attribute-paths) · [Operators](#operators-and-precedence) ·
[Null, missing and types](#null-missing-and-types) · [Functions](#functions) · [bucket](#bucket) ·
[Limits](#limits) · [Diagnostics](#diagnostics) · [Examples](#examples) · [Grammar](#grammar) ·
[syntax diagrams](railroad.html)

## Literals

| literal | examples | notes |
|---|---|---|
| string | \`"premium"\`, \`'it\\'s'\` | Double or single quotes; on one line. |
| number | \`0\`, \`-12\`, \`2.5\`, \`1e6\`, \`-1.5E-3\` | JSON syntax: the minus sign is part of the number, no leading zeros, no \`.5\`, \`5.\`, \`+1\`, \`0x1F\` or \`1_000\`. IEEE-754 doubles (\`1 == 1.0\`); a number that overflows a double is an error. |
| boolean | \`true\`, \`false\` | Lower case. |
| null | \`null\` | Also what a missing attribute reads as. |
| list | \`[]\`, \`["US", "CA"]\`, \`[1, plan, lower(x)]\` | Items are any operands (literals, attributes, calls, parenthesised expressions, lists); no trailing comma. |

**Escapes** in strings: \`\\\\\` \`\\"\` \`\\'\` \`\\n\` \`\\t\` and \`\\uXXXX\` (exactly four hexadecimal digits; a character
beyond U+FFFF is a surrogate pair, \`"\\uD83D\\uDE00"\`, or simply written as is: \`"😀"\`). Any other escape
(\`\\r\`, \`\\/\`, \`\\x41\`, \`\\u{1F600}\`) is an error reported at its own column. Regular expressions for
\`matches\` are strings too, so their backslashes are doubled: \`"^\\\\d+$"\`.

## Attribute paths

| path | reads |
|---|---|
| \`plan\` | the context's \`plan\` |
| \`user.address.country\` | nested objects |
| \`attrs["x-request-id"]\`, \`user["first name"]\` | any property name, as a string in brackets |
| \`user.in\`, \`user.null\` | after a dot, keywords are ordinary names |

- A path starts with an identifier (\`[A-Za-z_$][A-Za-z0-9_$]*\`) that is not a keyword; a top-level attribute
  whose name is a keyword (\`in\`, \`null\`, …) cannot be read.
- Only **own properties of JSON objects** are read. A missing property, a path through anything that is not
  an object (a string, number, list or null), and inherited names (\`constructor\`, \`length\`, \`toString\`)
  all read as \`null\`. Lists have no properties and no indexing: \`tags.length\` is \`null\`, use \`len(tags)\`.

## Operators and precedence

From lowest to highest precedence; parentheses group.

| precedence | operators | notes |
|---|---|---|
| 1 (lowest) | \`or\`, \`\\|\\|\` | Any number of operands, evaluated left to right, stops at the first \`true\`. |
| 2 | \`and\`, \`&&\` | Any number of operands, evaluated left to right, stops at the first that is not \`true\`. |
| 3 | \`not\`, \`!\` | Prefix, may repeat. Applies to a whole comparison: \`!a == b\` and \`not a == b\` mean \`not (a == b)\`, and \`not x in list\` means \`x not in list\`. |
| 4 (highest) | \`==\` \`!=\` \`<\` \`<=\` \`>\` \`>=\` \`in\` \`not in\` \`contains\` \`startsWith\` \`endsWith\` \`matches\` | Non-associative: \`a == b == c\` is an error; write \`a == b and b == c\`. |

An operand of \`and\`, \`or\` and \`not\` counts as true only when it is exactly \`true\`: \`not x\` is true when
\`x\` is missing, \`"yes"\` or \`1\`, and a bare attribute \`beta\` matches only when \`beta\` is the JSON \`true\`.

| operator | true when |
|---|---|
| \`a == b\` | \`a\` and \`b\` are equal: strings, numbers and booleans by value with no conversion (\`1 == "1"\` is false); \`null\` equals \`null\` and a missing attribute; lists element by element and objects key by key (deep); dates by instant; versions by precedence. |
| \`a != b\` | exactly \`not (a == b)\`, so \`country != "US"\` is **true** when \`country\` is missing. |
| \`a < b\`, \`<=\`, \`>\`, \`>=\` | both are numbers, both strings (compared by UTF-16 code units: case-sensitive, \`"Z" < "a"\`), both versions (\`semver()\`) or both dates (\`date()\`, \`now()\`), and the order holds. Any other pair, \`null\` included, makes all four false: \`x < 5\` and \`x >= 5\` are both false for a missing \`x\`. |
| \`a in list\` | \`list\` is a list with an element strictly equal to \`a\` (a missing \`a\` is looked up as \`null\`). Lists, objects, dates and versions are never found (no deep equality here). A right side that is not a list gives false. |
| \`a not in list\` | exactly \`not (a in list)\`: true when \`a\` is missing, unless the list holds \`null\`. |
| \`a contains b\` | \`a\` is a string with \`b\` (a string) as a substring, case-sensitive; or \`a\` is a list and \`b in a\`. |
| \`a startsWith b\`, \`a endsWith b\` | both are strings and \`a\` starts / ends with \`b\` (case-sensitive; use \`lower()\` to ignore case). |
| \`a matches "re"\` | \`a\` is a string in which the regular expression finds a match (anywhere: anchor with \`^…$\`). The pattern must be a string literal in [RE2 syntax](https://github.com/google/re2/wiki/Syntax) (no backreferences or lookaround; \`(?i)\` for case-insensitive), so matching takes linear time. An invalid pattern is a compile error. |

## Null, missing and types

- Values are JSON values (strings, numbers, booleans, \`null\`, lists, objects) plus dates and versions made by
  \`date()\`, \`now()\` and \`semver()\`. There are no implicit conversions.
- A missing attribute reads as \`null\`: \`x == null\` is true for a missing or null \`x\`, \`x != null\` tests presence.
- \`null == null\` is true, so \`lower(a) == lower(b)\` is true when both are missing; compare with a literal where you can.
- Functions given values they do not apply to return \`null\` (\`lower(42)\`, \`semver("not a version")\`), which
  then fails every ordering comparison.
- Functions applied only to literals are computed once at compile time (\`date("2024-01-01")\`, \`semver("2.0.0")\`).

## Functions

${functionTable()}

\`segment()\` and \`flag()\` exist only where the compiler is given resolvers for them, i.e. in flag targeting
rules; their argument must be a quoted name. Elsewhere (segment conditions, \`vexil rule\`) they are compile errors.
Calling an unknown function, or with the wrong number of arguments, is a compile error.

### bucket

\`bucket(value [, salt])\` places a context in [0, 100) with a resolution of 0.001, stably, so
\`bucket(userId) < 25\` selects 25% of users and \`bucket(userId) < 50\` a superset of them. The specification,
enough to reproduce it in any language:

1. \`value\` must be a string or a finite number, otherwise the result is \`null\` (and \`bucket(x) < 25\` is false).
   A number is turned into text the way ECMAScript's Number::toString does (\`42\`, \`2.5\`, \`1e+21\`; \`-0\` gives \`0\`),
   so \`bucket(42) == bucket("42")\`.
2. \`salt\` is the second argument, which must be a string (otherwise the result is \`null\`). Without it, the
   salt the rule was compiled with is used: the flag's salt (normally its key) in flag rules, \`""\` when none
   was given (as in \`vexil rule eval\` without \`--salt\`).
3. input = the UTF-8 bytes of \`salt + ":" + text\` (a lone surrogate is encoded as U+FFFD, as TextEncoder does).
4. h = MurmurHash3_x86_32(input, seed 0), read as an unsigned 32-bit integer.
5. index = floor(h × 100000 / 2^32), an integer in [0, 100000).
6. bucket = index / 1000.

Percentage rollouts of a flag use the same index (step 5) with the flag's salt, in thousandths of a percent.
Vectors computed by this implementation:

${bucketVectors()}

## Limits

- A rule is at most ${maxKiB} KiB of UTF-8.
- Expressions, parentheses and lists nest at most ${limits.maxDepth} levels deep.
- A list literal holds at most ${limits.maxListItems.toLocaleString('en-US')} items.
- Numbers must be finite doubles; \`matches\` patterns must compile as RE2.

## Diagnostics

An invalid rule is rejected with **every** problem found, each with a message, a 1-based line and column
(columns count UTF-16 code units) and the offset and length of the offending text, e.g.
\`expected a value after '==' but found end of input (line 1, column 9)\`. \`vexil rule check '<rule>'\` prints them as JSON.

## Examples

| rule | matches |
|---|---|
| \`plan == "premium"\` | premium users |
| \`plan in ["pro", "enterprise"] and not beta\` | pro and enterprise users, unless \`beta\` is \`true\` |
| \`email endsWith "@company.com"\` | employees |
| \`lower(email) matches "^[a-z0-9._%+-]+@(example\\\\.com\\|example\\\\.org)$"\` | addresses at two domains, any case |
| \`country not in ["US", "CA"]\` | everyone outside the US and Canada, including contexts without \`country\` |
| \`accountAgeDays >= 30 && accountAgeDays < 365\` | accounts between 30 days and a year old |
| \`semver(appVersion) >= semver("2.4.0")\` | app versions from 2.4.0 (not \`2.4.0-beta.1\`) |
| \`date(signupDate) < date("2024-01-01")\` | sign-ups before 2024 (UTC) |
| \`now() >= date("2025-06-01T09:00:00+02:00")\` | everyone, from that instant on |
| \`tags contains "beta-tester" or user.roles contains "admin"\` | a tag or a role |
| \`attrs["x-team"] == "payments"\` | a property whose name is not an identifier |
| \`bucket(userId) < 10\` | 10% of users, stable per flag |
| \`bucket(user.orgId, "billing-migration") < 50\` | half of the organisations, the same half for every flag using that salt |
| \`segment("internal") or flag("new-billing") == "on"\` | (flag rules) internal users, or whoever gets \`new-billing\` = \`"on"\` |`;
}

function grammarMarkdown(): string {
  return `<!-- Generated by \`npm run grammar\` from src/dsl/parser.ts, src/dsl/tokens.ts and src/dsl/grammar-docs.ts. Do not edit. -->

# The Vexil rule language

${handWrittenReference()}

## Grammar

Printed from the parser's own productions (also drawn as [syntax diagrams](railroad.html)). Notation:
\`a b\` sequence, \`a | b\` choice, \`( … )\` grouping, \`x?\` optional, \`x*\` zero or more, \`x+\` one or more.
Operator precedence is encoded by the rule chain \`orExpr\` → \`andExpr\` → \`notExpr\` → \`comparison\`.

${grammarEbnf()}
`;
}

/** Names the reference promises to cover (used by tests): grammar rules, functions and keywords. */
export function documentedNames(): { rules: string[]; functions: string[]; keywords: string[] } {
  return {
    rules: (serializedGrammar() as unknown as GastNode[]).map((rule) => rule.name ?? ''),
    functions: [...builtinFunctions.keys(), ...resolverFunctions],
    keywords: keywords(),
  };
}
