/**
 * The result panel in rule mode: the verdict, the evaluation trace, the attributes the rule reads (those
 * absent from the context marked), the segments and flags it refers to, and the generated JavaScript.
 */
import type { RuleValidation } from './api.js';
import { hasPath } from './context-paths.js';
import { h } from './dom.js';
import type { JsonResult } from './json-check.js';
import { type Span, asTrace, renderTraceTree } from './trace-tree.js';

export type Verdict = { tone: 'match' | 'nomatch' | 'info' | 'error' | 'neutral'; title: string; detail?: string };

export function renderVerdict(target: HTMLElement, verdict: Verdict): void {
  target.className = `verdict verdict-${verdict.tone}`;
  target.replaceChildren(h('strong', { class: 'verdict-title' }, verdict.title));
  if (verdict.detail) target.append(h('span', { class: 'verdict-detail' }, verdict.detail));
}

function section(title: string, ...content: Array<Node | null>): HTMLElement {
  return h('section', { class: 'result-section' }, h('h3', {}, title), ...content);
}

export function ruleVerdict(validation: RuleValidation, context: JsonResult): Verdict {
  if (!validation.ok) {
    const count = validation.diagnostics.length;
    return {
      tone: 'error',
      title: 'Invalid rule',
      detail: `${count} problem${count === 1 ? '' : 's'}: see the list under the editor`,
    };
  }
  if (!context.ok) return { tone: 'neutral', title: 'Compiles', detail: 'fix the context JSON to evaluate it' };
  return validation.matched
    ? { tone: 'match', title: 'Matches', detail: 'the rule is exactly true for this context' }
    : { tone: 'nomatch', title: 'Does not match', detail: 'the rule is not true for this context' };
}

/** Renders everything below the verdict. `onSpan` receives trace hovers for the editor highlight. */
export function renderRuleResult(
  target: HTMLElement,
  validation: RuleValidation,
  context: JsonResult,
  onSpan: (span: Span | null) => void,
): void {
  const parts: HTMLElement[] = [];
  const trace = asTrace(validation.trace);
  if (trace) {
    parts.push(
      section(
        'Evaluation trace',
        h(
          'p',
          { class: 'note' },
          'Hover or focus a node to highlight its text in the rule. Arrow keys move through the tree.',
        ),
        renderTraceTree(trace, { label: 'Evaluation trace', onSpan }),
      ),
    );
  }
  if (validation.ok) {
    const contextValue = context.ok ? context.value : undefined;
    const attributes = validation.attributes.length
      ? h(
          'ul',
          { class: 'chips', 'aria-label': 'Attributes the rule reads' },
          ...validation.attributes.map((path) => {
            const present = context.ok && hasPath(contextValue, path);
            return h(
              'li',
              { class: `chip ${present ? 'chip-present' : 'chip-missing'}`, 'data-attribute': path },
              h('code', {}, path),
              h('span', { class: 'chip-note' }, present ? 'in context' : 'missing'),
            );
          }),
        )
      : h('p', { class: 'note' }, 'The rule reads no attributes.');
    parts.push(section('Attributes', attributes));
    if (validation.segments.length || validation.flags.length) {
      parts.push(
        section(
          'References',
          h(
            'ul',
            { class: 'chips' },
            ...validation.segments.map((name) =>
              h('li', { class: 'chip' }, h('span', { class: 'chip-note' }, 'segment'), h('code', {}, name)),
            ),
            ...validation.flags.map((name) =>
              h('li', { class: 'chip' }, h('span', { class: 'chip-note' }, 'flag'), h('code', {}, name)),
            ),
          ),
          h(
            'p',
            { class: 'note' },
            'segment() and flag() are resolved in flag rules (see Flag mode); here they have no environment, so segment() is false and flag() is null.',
          ),
        ),
      );
    }
    if (validation.js) {
      parts.push(
        h(
          'details',
          { class: 'result-section js', open: true },
          h('summary', {}, h('h3', {}, 'Generated JavaScript')),
          h(
            'pre',
            { class: 'code-block', tabindex: 0, 'aria-label': 'Generated JavaScript' },
            h('code', {}, validation.js),
          ),
        ),
      );
    }
  }
  target.replaceChildren(...parts);
}
