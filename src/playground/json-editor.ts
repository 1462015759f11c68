/**
 * The context editor: CodeMirror with a tiny JSON tokenizer (@codemirror/lang-json is not a dependency)
 * and its own validation, so a broken context is reported where it breaks, with a squiggle and a
 * "line, column" entry, instead of surfacing as a failed request.
 */
import { StreamLanguage, type StringStream } from '@codemirror/language';
import { setDiagnostics } from '@codemirror/lint';
import type { EditorView } from '@codemirror/view';
import { createEditor } from './editor.js';
import { type JsonResult, parseJson } from './json-check.js';

interface Level {
  object: boolean;
  /** In an object, whether the next string is a property name. */
  key: boolean;
}

const jsonLanguage = StreamLanguage.define<{ stack: Level[] }>({
  name: 'json',
  startState: () => ({ stack: [] }),
  copyState: (state) => ({ stack: state.stack.map((level) => ({ ...level })) }),
  token(stream: StringStream, state) {
    if (stream.eatSpace()) return null;
    const top = state.stack[state.stack.length - 1];
    if (stream.match(/^"(?:[^"\\]|\\.)*"?/)) return top?.object && top.key ? 'propertyName' : 'string';
    if (stream.match(/^-?(?:0|[1-9][0-9]*)(?:\.[0-9]+)?(?:[eE][+-]?[0-9]+)?/)) return 'number';
    if (stream.match(/^(?:true|false)\b/)) return 'bool';
    if (stream.match(/^null\b/)) return 'null';
    const char = stream.next();
    switch (char) {
      case '{':
      case '[':
        state.stack.push({ object: char === '{', key: char === '{' });
        return 'bracket';
      case '}':
      case ']':
        state.stack.pop();
        return 'bracket';
      case ':':
        if (top) top.key = false;
        return 'punctuation';
      case ',':
        if (top?.object) top.key = true;
        return 'separator';
      default:
        stream.eatWhile(/[^\s{}[\]:,"]/);
        return 'invalid';
    }
  },
});

export interface JsonEditor {
  view: EditorView;
  /** The latest parse of the text. */
  result(): JsonResult;
  text(): string;
}

/**
 * A JSON editor that re-checks on every change, marks the first problem in the text and lists it in
 * `problems` ("line 3, column 7: …"). `onChange` gets the new parse.
 */
export function createJsonEditor(options: {
  parent: HTMLElement;
  problems: HTMLUListElement;
  doc: string;
  label: string;
  onChange: (result: JsonResult) => void;
}): JsonEditor {
  let latest = parseJson(options.doc);
  const report = (view: EditorView) => {
    const length = view.state.doc.length;
    options.problems.replaceChildren();
    if (latest.ok) {
      view.dispatch(setDiagnostics(view.state, []));
      return;
    }
    const problem = latest.problem;
    const from = Math.min(problem.offset, length);
    const to = Math.min(problem.offset + Math.max(problem.length, 1), length);
    view.dispatch(
      setDiagnostics(view.state, [{ from, to, severity: 'error', message: problem.message, source: 'JSON' }]),
    );
    const item = document.createElement('li');
    item.className = 'problem';
    const jump = document.createElement('button');
    jump.type = 'button';
    jump.className = 'problem-jump';
    jump.textContent = `line ${problem.line}, column ${problem.column}`;
    jump.addEventListener('click', () => {
      view.dispatch({ selection: { anchor: from, head: to }, scrollIntoView: true });
      view.focus();
    });
    item.append(jump, document.createTextNode(`: ${problem.message}`));
    options.problems.append(item);
  };
  const view = createEditor({
    parent: options.parent,
    doc: options.doc,
    language: jsonLanguage,
    label: options.label,
    describedBy: options.problems.id,
    placeholder: '{ "userId": "user_123", "plan": "premium" }',
    onChange: (text) => {
      latest = parseJson(text);
      report(view);
      options.onChange(latest);
    },
  });
  report(view);
  return { view, result: () => latest, text: () => view.state.doc.toString() };
}
