/**
 * Semantic checks after parsing: nesting depth, list sizes, function names and arity, `matches` patterns
 * (linear-time RE2 syntax, literal only), and `segment()`/`flag()` availability. Also collects what a
 * rule references: attribute paths, segments and flags.
 */
import { RE2JS } from 're2js';
import { type Expr, formatPath } from './ast.js';
import type { DiagnosticList } from './diagnostics.js';
import { builtinFunctions, resolverFunctions } from './functions/index.js';
import { type CompileOptions, limits } from './options.js';

export interface References {
  attributes: string[];
  segments: string[];
  flags: string[];
}

/** The deepest nesting of the tree, computed without recursion so a hostile tree cannot overflow the stack. */
export function treeDepth(root: Expr): number {
  let deepest = 0;
  const pending: Array<[Expr, number]> = [[root, 1]];
  while (pending.length > 0) {
    const [node, depth] = pending.pop()!;
    deepest = Math.max(deepest, depth);
    for (const child of childrenOf(node)) pending.push([child, depth + 1]);
  }
  return deepest;
}

export function childrenOf(node: Expr): Expr[] {
  switch (node.type) {
    case 'list':
      return node.items;
    case 'call':
      return node.args;
    case 'logical':
      return node.operands;
    case 'not':
      return [node.operand];
    case 'binary':
      return [node.left, node.right];
    default:
      return [];
  }
}

/** Compiles a `matches` pattern with RE2 (no backtracking, so matching is linear in the input). */
export function compilePattern(pattern: string): RE2JS | string {
  try {
    return RE2JS.compile(pattern);
  } catch (error) {
    return (error as Error).message;
  }
}

export function checkTree(root: Expr, options: CompileOptions, diagnostics: DiagnosticList): References {
  const references: References = { attributes: [], segments: [], flags: [] };
  if (treeDepth(root) > limits.maxDepth) {
    diagnostics.add(`expression is nested deeper than ${limits.maxDepth} levels`, root.start, root.end - root.start);
    return references;
  }
  visit(root, options, diagnostics, references);
  return references;
}

function visit(node: Expr, options: CompileOptions, diagnostics: DiagnosticList, references: References): void {
  const report = (message: string, span: { start: number; end: number } = node) =>
    diagnostics.add(message, span.start, span.end - span.start);
  switch (node.type) {
    case 'literal':
      if (typeof node.value === 'number' && !Number.isFinite(node.value)) report('number is out of range');
      break;
    case 'path':
      addOnce(references.attributes, formatPath(node.segments));
      break;
    case 'list':
      if (node.items.length > limits.maxListItems)
        report(`list has ${node.items.length} items; the limit is ${limits.maxListItems}`);
      break;
    case 'call':
      checkCall(node, options, report, references);
      break;
    case 'binary':
      if (node.operator === 'matches') checkPattern(node.right, report);
      break;
  }
  for (const child of childrenOf(node)) visit(child, options, diagnostics, references);
}

type Report = (message: string, span?: { start: number; end: number }) => void;

function checkCall(
  node: Extract<Expr, { type: 'call' }>,
  options: CompileOptions,
  report: Report,
  references: References,
): void {
  if (resolverFunctions.has(node.name)) {
    const what = node.name === 'segment' ? 'segment name' : 'flag key';
    const argument = node.args[0];
    if (node.args.length !== 1)
      report(`${node.name}() takes exactly 1 argument (the ${what}), got ${node.args.length}`);
    else if (argument?.type !== 'literal' || typeof argument.value !== 'string')
      report(`${node.name}() needs a quoted ${what}`, argument);
    else if (!options.resolvers?.[node.name as 'segment' | 'flag']) {
      report(
        `${node.name}() is only available in flag rules (no ${node.name} resolver was given to the compiler)`,
        node.nameSpan,
      );
    } else addOnce(node.name === 'segment' ? references.segments : references.flags, argument.value);
    return;
  }
  const builtin = builtinFunctions.get(node.name);
  if (!builtin) {
    const known = [...builtinFunctions.keys(), ...resolverFunctions].join(', ');
    report(`unknown function '${node.name}' (known functions: ${known})`, node.nameSpan);
    return;
  }
  const { minArity, maxArity } = builtin;
  if (node.args.length < minArity || node.args.length > maxArity) {
    const expected = minArity === maxArity ? `${minArity}` : `${minArity} or ${maxArity}`;
    report(`${node.name}() takes ${expected} argument${maxArity === 1 ? '' : 's'}, got ${node.args.length}`);
  }
}

function checkPattern(pattern: Expr, report: Report): void {
  if (pattern.type !== 'literal' || typeof pattern.value !== 'string') {
    report("'matches' needs a quoted regular expression on its right", pattern);
    return;
  }
  const compiled = compilePattern(pattern.value);
  if (typeof compiled === 'string') report(`invalid regular expression: ${compiled}`, pattern);
}

function addOnce(list: string[], item: string): void {
  if (!list.includes(item)) list.push(item);
}
