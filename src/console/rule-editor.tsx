/**
 * One rule condition in the playground's CodeMirror editor (highlighting, completion, lint), mounted
 * into a ref. Every edit is checked with `validateRule`; the diagnostics go to the editor's lint
 * gutter, to a visible list, and up to the page (which blocks saving while any rule has one).
 */
import { type Diagnostic, setDiagnostics } from '@codemirror/lint';
import type { EditorView } from '@codemirror/view';
import { useSignal } from '@preact/signals';
import { useEffect, useRef } from 'preact/hooks';
import { type RuleValidation, validateRule } from '../playground/api.js';
import { createEditor, setDocument } from '../playground/editor.js';
import { LatestRequest } from '../playground/latest.js';
import { ruleLanguageSupport } from '../playground/rule-language.js';

type Problem = RuleValidation['diagnostics'][number];

export interface RuleEditorProps {
  id: string;
  label: string;
  value: string;
  readOnly: boolean;
  onChange: (text: string) => void;
  /** Called with the number of problems after every check (and -1 while one is pending). */
  onProblems: (count: number) => void;
}

function showProblems(view: EditorView, problems: Problem[]): void {
  const length = view.state.doc.length;
  const diagnostics: Diagnostic[] = problems.map((p) => ({
    from: Math.min(p.offset, length),
    to: Math.min(p.offset + Math.max(p.length, 1), length),
    severity: 'error',
    message: p.message,
    source: 'vexil',
  }));
  view.dispatch(setDiagnostics(view.state, diagnostics));
}

export function RuleEditor(props: RuleEditorProps) {
  const parent = useRef<HTMLDivElement>(null);
  const view = useRef<EditorView | null>(null);
  const problems = useSignal<Problem[]>([]);
  const latest = useRef(props);
  latest.current = props;

  useEffect(() => {
    const checks = new LatestRequest<RuleValidation>(150, () => {});
    const check = (text: string) => {
      latest.current.onProblems(-1);
      checks.schedule(
        (signal) => validateRule(text, undefined, signal),
        (validation) => {
          problems.value = validation.diagnostics;
          if (view.current) showProblems(view.current, validation.diagnostics);
          latest.current.onProblems(validation.diagnostics.length);
        },
        () => latest.current.onProblems(0),
      );
    };
    view.current = createEditor({
      parent: parent.current!,
      doc: props.value,
      language: ruleLanguageSupport(() => []),
      label: props.label,
      describedBy: `${props.id}-problems`,
      readOnly: props.readOnly,
      onChange: (text) => {
        latest.current.onChange(text);
        check(text);
      },
    });
    check(props.value);
    return () => {
      checks.cancel();
      view.current?.destroy();
    };
  }, [props.readOnly]);

  // A reload (or a reapplied edit) replaces the text from outside.
  useEffect(() => {
    if (view.current) setDocument(view.current, props.value);
  }, [props.value]);

  return (
    <div class="rule-editor">
      <div ref={parent} id={props.id} />
      <ul id={`${props.id}-problems`} class="problems" aria-live="polite">
        {problems.value.map((p) => (
          <li key={`${p.offset}-${p.message}`} class="error">
            Line {p.line}, column {p.column}: {p.message}
          </li>
        ))}
      </ul>
    </div>
  );
}
