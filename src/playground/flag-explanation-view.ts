/**
 * Flag mode's result panel: why the flag served what it did, the rollout when there is one, and every
 * rule in order with its state, its condition (a read-only editor) and its trace.
 */
import type { EditorView } from '@codemirror/view';
import type { Explanation } from './api.js';
import { h, shortJson } from './dom.js';
import { createEditor, showTraceSpan } from './editor.js';
import { describeServe, explainReason, type FlagEnvironmentConfig, percent } from './flag-explanation-text.js';
import { ruleLanguage } from './rule-language.js';
import { asTrace, renderTraceTree } from './trace-tree.js';

type ExplainedRule = Explanation['rules'][number];

/**
 * Shows `explanation` in `target`; returns the condition editors it made, which the caller destroys
 * before it replaces them.
 */
export function renderExplanation(
  target: HTMLElement,
  explanation: Explanation,
  config: FlagEnvironmentConfig | undefined,
  onEditRule: (condition: string) => void,
): EditorView[] {
  const views: EditorView[] = [];
  const parts: HTMLElement[] = [summarySection(explanation, config)];
  if (explanation.target) parts.push(targetSection(explanation.target));
  if (explanation.rollout) parts.push(renderRollout(explanation.rollout));
  parts.push(rulesSection(explanation, config, onEditRule, views));
  target.replaceChildren(...parts);
  return views;
}

function summarySection(explanation: Explanation, config: FlagEnvironmentConfig | undefined): HTMLElement {
  const { result } = explanation;
  return h(
    'section',
    { class: 'result-section' },
    h('h3', {}, 'Why'),
    h('p', { class: 'reason', 'data-reason': result.reason }, explainReason(explanation, config)),
    h(
      'dl',
      { class: 'facts' },
      h('dt', {}, 'Variation'),
      h('dd', {}, h('code', {}, result.variation ?? '—'), ' = ', h('code', {}, shortJson(result.value))),
      h('dt', {}, 'Reason'),
      h('dd', {}, h('code', {}, result.reason), result.errorCode ? ` (${result.errorCode})` : ''),
      h('dt', {}, 'Flag'),
      h(
        'dd',
        {},
        `${explanation.flagKey} is `,
        h('strong', {}, explanation.on ? 'on' : 'off'),
        ` in ${explanation.environment} · version ${explanation.flagVersion}`,
      ),
    ),
  );
}

function rulesSection(
  explanation: Explanation,
  config: FlagEnvironmentConfig | undefined,
  onEditRule: (condition: string) => void,
  views: EditorView[],
): HTMLElement {
  const ruleCards = explanation.rules.map((rule) => ruleCard(explanation, rule, config, onEditRule, views));
  return h(
    'section',
    { class: 'result-section' },
    h('h3', {}, 'Rules, in order'),
    explanation.on ? null : h('p', { class: 'note' }, 'The flag is off in this environment: rules are not evaluated.'),
    explanation.target
      ? h('p', { class: 'note' }, 'An individual target decided, before any rule: rules are not evaluated.')
      : null,
    h('ol', { class: 'rule-list' }, ...ruleCards, defaultCard(explanation, config)),
  );
}

/** One rule: its state (matched, not matched, not evaluated), condition, serve and trace. */
function ruleCard(
  explanation: Explanation,
  rule: ExplainedRule,
  config: FlagEnvironmentConfig | undefined,
  onEditRule: (condition: string) => void,
  views: EditorView[],
): HTMLElement {
  const matched = explanation.matchedRuleIndex === rule.index;
  const state = matched ? 'matched' : rule.evaluated ? 'not matched' : 'not evaluated';
  const stateClass = matched ? 'matched' : rule.evaluated ? 'unmatched' : 'skipped';
  const serve = config?.rules[rule.index]?.serve;
  const conditionHost = h('div', { class: 'condition' });
  const card = h(
    'li',
    {
      class: `rule-card rule-${stateClass}`,
      'data-rule-index': rule.index,
      'data-status': stateClass,
      'aria-current': matched ? 'true' : null,
    },
    h(
      'div',
      { class: 'rule-head' },
      h('span', { class: 'rule-number' }, `Rule ${rule.index + 1}`),
      h(
        'span',
        { class: 'rule-title' },
        rule.description ?? rule.id,
        rule.description ? h('span', { class: 'muted' }, ` · ${rule.id}`) : null,
      ),
      h('span', { class: `badge badge-${stateClass}` }, state),
    ),
    conditionHost,
    h(
      'div',
      { class: 'rule-foot' },
      h('span', { class: 'serve' }, describeServe(serve, rule.serveVariation)),
      h(
        'button',
        { type: 'button', class: 'button button-small', onclick: () => onEditRule(rule.condition) },
        'Open in rule editor',
      ),
    ),
  );
  const view = createEditor({
    parent: conditionHost,
    doc: rule.condition,
    language: ruleLanguage,
    label: `Rule ${rule.index + 1} condition`,
    readOnly: true,
  });
  views.push(view);
  const trace = asTrace(rule.trace);
  if (trace) {
    const details = h(
      'details',
      { class: 'rule-trace', open: rule.evaluated },
      h('summary', {}, 'Trace'),
      renderTraceTree(trace, { label: `Rule ${rule.index + 1} trace`, onSpan: (span) => showTraceSpan(view, span) }),
    );
    card.append(details);
  }
  return card;
}

/** What is served when no rule matches, marked as applied when it was. */
function defaultCard(explanation: Explanation, config: FlagEnvironmentConfig | undefined): HTMLElement {
  const defaultApplies =
    explanation.on &&
    !explanation.target &&
    explanation.matchedRuleIndex === null &&
    explanation.result.reason !== 'ERROR';
  return h(
    'li',
    {
      class: `rule-card rule-default ${defaultApplies ? 'rule-matched' : 'rule-skipped'}`,
      'data-status': defaultApplies ? 'matched' : 'skipped',
      'aria-current': defaultApplies ? 'true' : null,
    },
    h(
      'div',
      { class: 'rule-head' },
      h('span', { class: 'rule-number' }, 'Default'),
      h('span', { class: 'rule-title' }, 'when no rule matches'),
      h(
        'span',
        { class: `badge badge-${defaultApplies ? 'matched' : 'skipped'}` },
        defaultApplies ? 'applied' : 'not used',
      ),
    ),
    h('div', { class: 'rule-foot' }, h('span', { class: 'serve' }, describeServe(config?.defaultServe, null))),
  );
}

/** The individual target the context hit: "target: user-1 → B", and the attribute when not the targeting key. */
function targetSection(target: NonNullable<Explanation['target']>): HTMLElement {
  return h(
    'section',
    { class: 'result-section' },
    h('h3', {}, 'Individual target'),
    h(
      'p',
      { class: 'target-match', 'data-target-value': target.value },
      `target: ${target.value} → ${target.variation}`,
    ),
    target.attribute === 'targetingKey'
      ? null
      : h('p', { class: 'note' }, `Matched on ${target.attribute} (a test override), not on the targeting key.`),
  );
}

/** The rollout's slices as a bar with this context's bucket marked, and the bucketing facts. */
function renderRollout(rollout: NonNullable<Explanation['rollout']>): HTMLElement {
  const bucket = rollout.bucket;
  const bar = h(
    'div',
    {
      class: 'rollout-bar',
      role: 'img',
      'aria-label': `Slices: ${rollout.slices.map((s) => `${s.variation} from ${s.from} to ${s.to}`).join(', ')}${bucket !== null ? `; this context is at ${bucket}` : ''}`,
    },
    ...rollout.slices.map((slice, index) =>
      h(
        'div',
        {
          class: `rollout-slice slice-${index % 4}${rollout.variation === slice.variation ? ' is-served' : ''}`,
          style: `flex-grow: ${Math.max(slice.to - slice.from, 0)}`,
        },
        h('span', {}, `${slice.variation} ${percent(slice.weight)}`),
      ),
    ),
    bucket !== null
      ? h('div', { class: 'rollout-marker', style: `left: ${Math.min(Math.max(bucket, 0), 100)}%` })
      : null,
  );
  return h(
    'section',
    { class: 'result-section' },
    h('h3', {}, 'Rollout'),
    bar,
    h(
      'dl',
      { class: 'facts' },
      h('dt', {}, 'Bucketed by'),
      h('dd', {}, h('code', {}, rollout.bucketBy), ' = ', h('code', {}, shortJson(rollout.bucketValue ?? null))),
      h('dt', {}, 'Bucket'),
      h(
        'dd',
        {},
        bucket === null ? 'none (the attribute is missing or not a string or number)' : `${bucket} of [0, 100)`,
      ),
      h('dt', {}, 'In rollout'),
      h(
        'dd',
        { 'data-in-rollout': String(rollout.inRollout) },
        rollout.inRollout === null ? '—' : rollout.inRollout ? 'yes' : 'no',
        rollout.variation ? ` → “${rollout.variation}”` : '',
      ),
    ),
  );
}
