/**
 * The rule language for CodeMirror: a small stream tokenizer (keywords, operators, strings, numbers,
 * functions, paths; the grammar is in grammar/grammar.md) for highlighting, and completion of keywords,
 * functions, operators and the attribute paths of the current context.
 */
import {
  type Completion,
  type CompletionContext,
  type CompletionResult,
  insertCompletionText,
} from '@codemirror/autocomplete';
import type { EditorView } from '@codemirror/view';
import { StreamLanguage, type StringStream } from '@codemirror/language';
import type { Extension } from '@codemirror/state';
import { type ContextPath, keywords } from './context-paths.js';

const keywordSet = new Set<string>(keywords);
const atoms = new Set(['true', 'false', 'null']);

interface TokenState {
  /** The previous significant token was a '.', so a keyword here is a property name (`user.in`). */
  afterDot: boolean;
}

const ruleParser = {
  name: 'vexil-rule',
  startState: (): TokenState => ({ afterDot: false }),
  token(stream: StringStream, state: TokenState): string | null {
    if (stream.eatSpace()) return null;
    const afterDot = state.afterDot;
    state.afterDot = false;
    const quote = stream.peek();
    if (quote === '"' || quote === "'") {
      stream.next();
      let escaped = false;
      for (let char = stream.next(); char !== undefined; char = stream.next()) {
        if (char === quote && !escaped) return 'string';
        escaped = !escaped && char === '\\';
      }
      return 'string invalid';
    }
    if (stream.match(/^-?(?:0|[1-9][0-9]*)(?:\.[0-9]+)?(?:[eE][+-]?[0-9]+)?/)) return 'number';
    const word = stream.match(/^[A-Za-z_$][A-Za-z0-9_$]*/) as RegExpMatchArray | null;
    if (word) {
      const text = word[0];
      if (afterDot) return 'propertyName';
      if (atoms.has(text)) return text === 'null' ? 'null' : 'bool';
      if (keywordSet.has(text)) return 'keyword';
      if (stream.match(/^\s*\(/, false)) return 'variableName.function';
      return 'variableName';
    }
    if (stream.match(/^(?:==|!=|<=|>=|&&|\|\||[<>!])/)) return 'operator';
    if (stream.eat('.')) {
      state.afterDot = true;
      return 'punctuation';
    }
    if (stream.eat(/[()[\]]/)) return 'bracket';
    if (stream.eat(',')) return 'separator';
    stream.next();
    return 'invalid';
  },
};

export const ruleLanguage = StreamLanguage.define(ruleParser);

interface Documented {
  label: string;
  detail: string;
  info: string;
}

export const functions: Documented[] = [
  { label: 'lower', detail: '(s)', info: 's in lower case; null unless s is a string.' },
  { label: 'upper', detail: '(s)', info: 's in upper case; null unless s is a string.' },
  { label: 'len', detail: '(x)', info: 'Length of a string (UTF-16 code units) or a list; null otherwise.' },
  { label: 'semver', detail: '(s)', info: 'A SemVer 2.0.0 version, compared by precedence; null if s is not one.' },
  { label: 'date', detail: '(x)', info: 'An instant from ISO-8601 text or epoch milliseconds; null if invalid.' },
  { label: 'now', detail: '()', info: 'The instant of evaluation.' },
  {
    label: 'bucket',
    detail: '(value [, salt])',
    info: 'Stable position of value in [0, 100), for percentage rollouts: bucket(userId) < 25.',
  },
  { label: 'segment', detail: '("name")', info: 'True when the context is in the named segment (flag rules only).' },
  { label: 'flag', detail: '("key")', info: 'The value another flag serves this context (flag rules only).' },
];

const keywordInfo: Record<string, string> = {
  and: 'true when every operand is true (also &&)',
  or: 'true when any operand is true (also ||)',
  not: 'negates a comparison (also !); `not in` for absence from a list',
  in: 'a in [list]: the list has an element equal to a',
  contains: 'substring of a string, or element of a list',
  startsWith: 'string prefix (case-sensitive)',
  endsWith: 'string suffix (case-sensitive)',
  matches: 'RE2 regular expression match (pattern is a string literal)',
  true: 'boolean literal',
  false: 'boolean literal',
  null: 'null literal; also what a missing attribute reads as',
};

const operators: Array<[string, string]> = [
  ['==', 'equal (deep for lists and objects)'],
  ['!=', 'not equal; true when the attribute is missing'],
  ['<', 'less than (numbers, strings, versions, dates)'],
  ['<=', 'less than or equal'],
  ['>', 'greater than'],
  ['>=', 'greater than or equal'],
  ['&&', 'and'],
  ['||', 'or'],
  ['!', 'not'],
];

const keywordOptions: Completion[] = keywords.map((label) => ({
  label,
  type: 'keyword',
  detail: keywordInfo[label],
  boost: label === 'and' || label === 'or' ? 2 : 0,
}));
const functionOptions: Completion[] = functions.map(({ label, detail, info }) => ({
  label,
  type: 'function',
  detail,
  info,
  apply: `${label}(`,
}));
const operatorOptions: Completion[] = operators.map(([label, detail]) => ({
  label,
  type: 'operator',
  detail,
  boost: -1,
}));

/** Inserts a path, swallowing the `"]` that closeBrackets already typed after `attrs["`. */
function applyPath(view: EditorView, completion: Completion, from: number, to: number): void {
  let end = to;
  if (completion.label.endsWith('"]')) {
    const after = view.state.sliceDoc(to, to + 2);
    end += after === '"]' ? 2 : after.startsWith(']') ? 1 : 0;
  }
  view.dispatch(insertCompletionText(view.state, completion.label, from, end));
}

/** Whether the end of this line prefix is inside a string literal (strings never span lines). */
function insideString(text: string): boolean {
  let quote: string | null = null;
  for (let i = 0; i < text.length; i++) {
    const char = text[i];
    if (quote) {
      if (char === '\\') i++;
      else if (char === quote) quote = null;
    } else if (char === '"' || char === "'") quote = char;
  }
  return quote !== null;
}

/** Completion from a getter, so the attribute list always follows the context editor. */
export function ruleCompletions(getPaths: () => ContextPath[]) {
  return (context: CompletionContext): CompletionResult | null => {
    const line = context.state.doc.lineAt(context.pos);
    const before = line.text.slice(0, context.pos - line.from);
    const path = context.matchBefore(/[A-Za-z_$][\w$]*(?:\.[\w$]*|\["[^"\n]*"?\]?)*$/);
    // Inside a string literal there is nothing to complete, except a bracketed name: attrs["x-…
    if (insideString(before) && !path?.text.includes('[')) return null;
    const attributeOptions: Completion[] = getPaths().map(({ path: label, type }) => ({
      label,
      type: 'variable',
      detail: type,
      boost: 1,
      apply: applyPath,
    }));
    if (path) {
      const dotted = /[.[]/.test(path.text);
      return {
        from: path.from,
        options: dotted ? attributeOptions : [...attributeOptions, ...keywordOptions, ...functionOptions],
        validFor: /^[\w$]*(?:\.[\w$]*|\["[^"\n]*"?\]?)*$/,
      };
    }
    const symbol = context.matchBefore(/[=!<>&|]+$/);
    if (symbol) return { from: symbol.from, options: operatorOptions };
    if (!context.explicit) return null;
    return {
      from: context.pos,
      options: [...attributeOptions, ...keywordOptions, ...functionOptions, ...operatorOptions],
    };
  };
}

export function ruleLanguageSupport(getPaths: () => ContextPath[]): Extension {
  return [ruleLanguage, ruleLanguage.data.of({ autocomplete: ruleCompletions(getPaths) })];
}
