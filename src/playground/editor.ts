/**
 * What both CodeMirror editors share: the basic editing setup (history, brackets, keymaps, completion),
 * one highlight style, the theme, and the "trace span" decoration that marks the text a hovered trace
 * node stands for.
 */
import { autocompletion, closeBrackets, closeBracketsKeymap, completionKeymap } from '@codemirror/autocomplete';
import { defaultKeymap, history, historyKeymap } from '@codemirror/commands';
import { HighlightStyle, bracketMatching, syntaxHighlighting } from '@codemirror/language';
import { lintKeymap } from '@codemirror/lint';
import { EditorState, type Extension, StateEffect, StateField } from '@codemirror/state';
import {
  Decoration,
  type DecorationSet,
  EditorView,
  drawSelection,
  highlightSpecialChars,
  keymap,
  placeholder as placeholderText,
} from '@codemirror/view';
import { tags } from '@lezer/highlight';

export const highlightStyle = HighlightStyle.define([
  { tag: tags.keyword, color: '#7c3aed', fontWeight: '600' },
  { tag: tags.operator, color: '#9d174d' },
  { tag: [tags.bool, tags.null, tags.atom], color: '#b45309', fontWeight: '600' },
  { tag: tags.number, color: '#0f766e' },
  { tag: tags.string, color: '#15803d' },
  { tag: tags.function(tags.variableName), color: '#1d4ed8', fontWeight: '600' },
  { tag: tags.variableName, color: '#0f172a' },
  { tag: tags.propertyName, color: '#0369a1' },
  { tag: [tags.bracket, tags.punctuation, tags.separator], color: '#64748b' },
  { tag: tags.invalid, color: '#dc2626', textDecoration: 'underline wavy' },
]);

const theme = EditorView.theme({
  '&': {
    fontSize: '14px',
    backgroundColor: 'var(--editor-bg)',
    borderRadius: '8px',
    border: '1px solid var(--border)',
  },
  '&.cm-focused': { outline: '2px solid var(--focus)', outlineOffset: '1px' },
  '.cm-content': { fontFamily: 'var(--mono)', padding: '10px 0', caretColor: '#0f172a' },
  '.cm-line': { padding: '0 12px' },
  '.cm-scroller': { fontFamily: 'var(--mono)', lineHeight: '1.6' },
  '.cm-gutters': { backgroundColor: 'transparent', border: 'none', color: '#94a3b8' },
  '.cm-placeholder': { color: '#94a3b8' },
  '.cm-trace-highlight': {
    backgroundColor: 'var(--trace-highlight)',
    borderRadius: '3px',
    boxShadow: '0 0 0 1px var(--trace-highlight-border)',
  },
  '.cm-tooltip': {
    borderRadius: '6px',
    border: '1px solid var(--border)',
    boxShadow: '0 6px 20px rgb(15 23 42 / 0.12)',
  },
  '.cm-tooltip-lint': { maxWidth: '420px' },
  '.cm-diagnostic': { fontFamily: 'var(--sans)', fontSize: '13px' },
  '.cm-tooltip.cm-tooltip-autocomplete > ul': { fontFamily: 'var(--mono)', maxHeight: '16em' },
  '.cm-completionDetail': { color: '#64748b', fontStyle: 'normal', marginLeft: '1em' },
  '.cm-tooltip-autocomplete ul li[aria-selected] .cm-completionDetail': { color: '#dbeafe' },
  '.cm-completionInfo': { fontFamily: 'var(--sans)', fontSize: '13px', maxWidth: '320px' },
});

/** Marks [from, to) as the span of the hovered or focused trace node; null clears it. */
export const setTraceSpan = StateEffect.define<{ from: number; to: number } | null>();

const traceMark = Decoration.mark({ class: 'cm-trace-highlight' });

const traceSpanField = StateField.define<DecorationSet>({
  create: () => Decoration.none,
  update(marks, transaction) {
    marks = marks.map(transaction.changes);
    for (const effect of transaction.effects) {
      if (!effect.is(setTraceSpan)) continue;
      const length = transaction.state.doc.length;
      const span = effect.value;
      if (!span) marks = Decoration.none;
      else {
        const from = Math.max(0, Math.min(span.from, length));
        const to = Math.max(from, Math.min(span.to, length));
        marks = from < to ? Decoration.set([traceMark.range(from, to)]) : Decoration.none;
      }
    }
    return marks;
  },
  provide: (field) => EditorView.decorations.from(field),
});

/** Highlights a span in the editor (and scrolls it into view), or clears the highlight. */
export function showTraceSpan(view: EditorView, span: { from: number; to: number } | null): void {
  const effects: StateEffect<unknown>[] = [setTraceSpan.of(span)];
  if (span) effects.push(EditorView.scrollIntoView(Math.min(span.from, view.state.doc.length), { y: 'nearest' }));
  view.dispatch({ effects });
}

export interface EditorOptions {
  parent: HTMLElement;
  doc: string;
  language: Extension;
  label: string;
  describedBy?: string;
  placeholder?: string;
  readOnly?: boolean;
  onChange?: (text: string) => void;
  extra?: Extension[];
}

export function createEditor(options: EditorOptions): EditorView {
  const extensions: Extension[] = [
    options.language,
    syntaxHighlighting(highlightStyle),
    theme,
    traceSpanField,
    EditorView.lineWrapping,
    EditorView.contentAttributes.of({
      'aria-label': options.label,
      ...(options.describedBy ? { 'aria-describedby': options.describedBy } : {}),
    }),
    ...(options.extra ?? []),
  ];
  if (options.readOnly) {
    extensions.push(EditorState.readOnly.of(true), EditorView.editable.of(false));
  } else {
    extensions.push(
      history(),
      drawSelection(),
      highlightSpecialChars(),
      bracketMatching(),
      closeBrackets(),
      autocompletion({ icons: false }),
      // No indentWithTab: Tab must keep moving focus through the page (keyboard users).
      keymap.of([...closeBracketsKeymap, ...defaultKeymap, ...historyKeymap, ...completionKeymap, ...lintKeymap]),
    );
    if (options.placeholder) extensions.push(placeholderText(options.placeholder));
    if (options.onChange) {
      const onChange = options.onChange;
      extensions.push(
        EditorView.updateListener.of((update) => update.docChanged && onChange(update.state.doc.toString())),
      );
    }
  }
  return new EditorView({ parent: options.parent, doc: options.doc, extensions });
}

/** Replaces the whole document (used when a shared link or a flag rule is loaded). */
export function setDocument(view: EditorView, text: string): void {
  if (view.state.doc.toString() === text) return;
  view.dispatch({ changes: { from: 0, to: view.state.doc.length, insert: text } });
}
