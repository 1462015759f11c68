/**
 * The evaluation trace as an accessible tree (WAI-ARIA tree pattern): each sub-expression with its value,
 * short-circuited parts marked "not evaluated". Arrow keys move and fold, Home/End jump; hovering or
 * focusing a node reports its source span so the editor can highlight it.
 */
import type { ExplainNode } from '../dsl/explain.js';
import { h, shortJson } from './dom.js';

/** A node of the trace `validateRule`/`explainEvaluation` return: the rule language's explain tree, as JSON. */
export type TraceNode = ExplainNode;

export type Span = { from: number; to: number };

/** Narrows the untyped `trace` JSON from the API; null when it does not look like a trace. */
export function asTrace(value: unknown): TraceNode | null {
  if (typeof value !== 'object' || value === null) return null;
  const node = value as Partial<TraceNode>;
  if (
    typeof node.start !== 'number' ||
    typeof node.end !== 'number' ||
    typeof node.text !== 'string' ||
    !Array.isArray(node.children)
  )
    return null;
  return node as TraceNode;
}

function valueBadge(node: TraceNode): HTMLElement {
  if (!node.evaluated)
    return h(
      'span',
      { class: 'value value-skipped', title: 'Skipped: the result was already decided (short-circuit)' },
      'not evaluated',
    );
  const value = node.value ?? null;
  const kind = value === true ? 'true' : value === false ? 'false' : value === null ? 'null' : 'other';
  return h('span', { class: `value value-${kind}`, title: shortJson(value, 2000) }, shortJson(value, 60));
}

function kindLabel(node: TraceNode): string {
  if (node.kind === 'call') return `${node.operator ?? ''}()`;
  if (node.operator) return node.operator;
  return node.kind === 'path' ? 'attribute' : node.kind;
}

let treeCount = 0;

/**
 * Renders `root` into a `role=tree` list. `onSpan` is called with the span of the node under the pointer
 * or keyboard focus, and with null when neither is on the tree.
 */
export function renderTraceTree(
  root: TraceNode,
  options: { label: string; onSpan: (span: Span | null) => void; expandSkipped?: boolean },
): HTMLElement {
  const treeId = `trace-${++treeCount}`;
  let rowCount = 0;
  const items: HTMLLIElement[] = [];

  const build = (node: TraceNode, level: number): HTMLLIElement => {
    const rowId = `${treeId}-row-${++rowCount}`;
    const hasChildren = node.children.length > 0;
    // Lists start folded (their items rarely matter); so do skipped sub-trees and very deep levels.
    const expanded =
      hasChildren && node.kind !== 'list' && (node.evaluated || options.expandSkipped === true) && level < 12;
    const row = h(
      'div',
      { class: 'trace-row', id: rowId },
      h('span', { class: 'trace-toggle', 'aria-hidden': 'true' }),
      h('span', { class: `trace-kind kind-${node.kind}` }, kindLabel(node)),
      h('code', { class: 'trace-text' }, node.text),
      valueBadge(node),
    );
    const item = h('li', {
      role: 'treeitem',
      class: `trace-item${node.evaluated ? '' : ' is-skipped'}`,
      'aria-level': level,
      'aria-labelledby': rowId,
      'aria-description': `${node.evaluated ? `value ${shortJson(node.value ?? null)}` : 'not evaluated'}, line ${node.line}, column ${node.column}`,
      tabindex: -1,
      'data-start': node.start,
      'data-end': node.end,
    });
    item.append(row);
    if (hasChildren) {
      item.setAttribute('aria-expanded', String(expanded));
      const group = h('ul', { role: 'group', class: 'trace-group' });
      for (const child of node.children) group.append(build(child, level + 1));
      item.append(group);
    }
    items.push(item);
    return item;
  };

  const tree = h('ul', { role: 'tree', class: 'trace-tree', 'aria-label': options.label });
  tree.append(build(root, 1));
  items.find((item) => item.getAttribute('aria-level') === '1')?.setAttribute('tabindex', '0');

  const spanOf = (item: Element): Span => ({
    from: Number(item.getAttribute('data-start')),
    to: Number(item.getAttribute('data-end')),
  });
  const itemOf = (target: EventTarget | null): HTMLLIElement | null =>
    target instanceof Element ? target.closest<HTMLLIElement>('li[role="treeitem"]') : null;
  const visible = (): HTMLLIElement[] =>
    [...tree.querySelectorAll<HTMLLIElement>('li[role="treeitem"]')].filter(
      (item) => !item.parentElement?.closest('li[aria-expanded="false"]'),
    );
  const focusItem = (item: HTMLLIElement | undefined | null) => {
    if (!item) return;
    for (const other of tree.querySelectorAll('li[tabindex="0"]')) other.setAttribute('tabindex', '-1');
    item.setAttribute('tabindex', '0');
    item.focus();
  };
  const toggle = (item: HTMLLIElement, open?: boolean) => {
    if (!item.hasAttribute('aria-expanded')) return;
    item.setAttribute('aria-expanded', String(open ?? item.getAttribute('aria-expanded') !== 'true'));
  };

  let hovered: HTMLLIElement | null = null;
  const refresh = () => {
    const focused = itemOf(document.activeElement);
    const active = hovered ?? (focused && tree.contains(focused) ? focused : null);
    for (const item of tree.querySelectorAll('.is-active')) item.classList.remove('is-active');
    active?.querySelector(':scope > .trace-row')?.classList.add('is-active');
    options.onSpan(active ? spanOf(active) : null);
  };

  tree.addEventListener('mouseover', (event) => {
    const item = itemOf(event.target);
    if (item === hovered) return;
    hovered = item;
    refresh();
  });
  tree.addEventListener('mouseleave', () => {
    hovered = null;
    refresh();
  });
  tree.addEventListener('focusin', refresh);
  tree.addEventListener('focusout', () => queueMicrotask(refresh));
  tree.addEventListener('click', (event) => {
    const item = itemOf(event.target);
    if (!item) return;
    if ((event.target as Element).closest('.trace-toggle')) toggle(item);
    focusItem(item);
  });
  tree.addEventListener('keydown', (event) => {
    const item = itemOf(event.target);
    if (!item) return;
    const list = visible();
    const index = list.indexOf(item);
    const expanded = item.getAttribute('aria-expanded');
    switch (event.key) {
      case 'ArrowDown':
        focusItem(list[index + 1]);
        break;
      case 'ArrowUp':
        focusItem(list[index - 1]);
        break;
      case 'Home':
        focusItem(list[0]);
        break;
      case 'End':
        focusItem(list[list.length - 1]);
        break;
      case 'ArrowRight':
        if (expanded === 'false') toggle(item, true);
        else if (expanded === 'true') focusItem(item.querySelector<HTMLLIElement>(':scope > ul > li'));
        break;
      case 'ArrowLeft':
        if (expanded === 'true') toggle(item, false);
        else focusItem(item.parentElement?.closest<HTMLLIElement>('li[role="treeitem"]'));
        break;
      case 'Enter':
      case ' ':
        toggle(item);
        break;
      default:
        return;
    }
    event.preventDefault();
  });
  return tree;
}
