/** Parameter slots of a rule template: which literal of the tree becomes `p0`, `p1`, … (see codegen.ts). */
import type { Expr, LiteralNode } from './ast.js';
import { childrenOf } from './checker.js';

/**
 * Numbers each string and number literal of the tree in source order: the order of their tokens, so
 * slot `i` is the `i`-th literal token that is not a bracket-path property name.
 */
export function literalSlots(root: Expr): Map<LiteralNode, number> {
  const slots = new Map<LiteralNode, number>();
  const pending: Expr[] = [root];
  while (pending.length > 0) {
    const node = pending.pop()!;
    if (node.type === 'literal') {
      if (typeof node.value === 'string' || typeof node.value === 'number') slots.set(node, slots.size);
      continue;
    }
    const children = childrenOf(node);
    for (let i = children.length - 1; i >= 0; i--) pending.push(children[i]!);
  }
  return slots;
}
