/** The code of a compiled rule as people read it (`CompiledRule.js`): never executed. */
import type { LiteralValue } from './ast.js';
import type { GeneratedTemplate } from './template-source.js';
import { jsString } from './js-string.js';

/** A constant as readable code, for people (never executed). */
function describeConstant(value: unknown, index: number): string {
  if (value === null || value === undefined || typeof value === 'number' || typeof value === 'boolean')
    return String(value);
  if (typeof value === 'string') return jsString(value);
  if (value instanceof Set) return `new Set(${describeConstant([...value], index)})`;
  if (Array.isArray(value)) return `[${value.map((item) => describeConstant(item, index)).join(', ')}]`;
  return `k[${index}] /* computed at compile time */`;
}

/** The code of one rule as people read it: the template with this rule's literal values filled in. */
export function renderTemplate(
  template: GeneratedTemplate,
  params: readonly LiteralValue[],
  constants: readonly unknown[],
): string {
  const lines = ['"use strict";'];
  if (template.bindings.length > 0) lines.push(`const { ${template.bindings.join(', ')} } = rt;`);
  params.forEach((value, i) => lines.push(`const p${i} = ${describeConstant(value, i)};`));
  constants.forEach((value, i) => lines.push(`const k${i} = ${describeConstant(value, i)};`));
  lines.push(`return ${template.evaluatorSource};`);
  return lines.join('\n');
}
