/**
 * Validation of an environment's individual targets: each names a known variation, its values are
 * strings, a value appears under at most one variation per attribute (else which one wins would depend
 * on list order), and all of them together stay within `maxTargetValues`. A target on another attribute
 * than the targeting key is a test override, allowed in development and staging only.
 */
import { maxTargetValues, type Target, targetingKeyAttribute, targetOverrideEnvironments } from './model.js';
import { type Collector, isObject } from './validate-fields.js';

const attributePattern = /^[A-Za-z_$][\w$]*(\.[A-Za-z_$][\w$]*)*$/;

export function targets(
  raw: unknown,
  path: string,
  issues: Collector,
  variationKeys: Set<string>,
  environment: string,
): Target[] | undefined {
  if (raw === undefined || raw === null) return undefined;
  if (!Array.isArray(raw)) {
    issues.add(path, 'must be a list');
    return undefined;
  }
  const owners = new Map<string, string>();
  let count = 0;
  const result = raw.map((entry, index): Target => {
    const targetPath = `${path}[${index}]`;
    if (!isObject(entry)) {
      issues.add(targetPath, 'must be an object');
      return { variation: '', values: [] };
    }
    const variation = typeof entry.variation === 'string' ? entry.variation : '';
    if (!variationKeys.has(variation))
      issues.add(`${targetPath}.variation`, `unknown variation '${String(entry.variation)}'`);
    const attribute = targetAttribute(entry.attribute, `${targetPath}.attribute`, issues, environment);
    const values = targetValues(entry.values, `${targetPath}.values`, issues);
    count += values.length;
    for (const value of values) {
      const owner = owners.get(`${attribute}\u0000${value}`);
      if (owner !== undefined && owner !== variation)
        issues.add(`${targetPath}.values`, `'${value}' is already a target of variation '${owner}'`);
      else owners.set(`${attribute}\u0000${value}`, variation);
    }
    return attribute === targetingKeyAttribute ? { variation, values } : { variation, values, attribute };
  });
  if (count > maxTargetValues) issues.add(path, `must have at most ${maxTargetValues} values in all, got ${count}`);
  return result;
}

function targetAttribute(raw: unknown, path: string, issues: Collector, environment: string): string {
  if (raw === undefined || raw === null || raw === targetingKeyAttribute) return targetingKeyAttribute;
  if (typeof raw !== 'string' || !attributePattern.test(raw)) {
    issues.add(path, 'must be an attribute path such as targetingKey or user.email');
    return targetingKeyAttribute;
  }
  if (!targetOverrideEnvironments.includes(environment))
    issues.add(
      path,
      `only targetingKey in '${environment}': other attributes are test overrides, allowed in ${targetOverrideEnvironments.join(' and ')}`,
    );
  return raw;
}

function targetValues(raw: unknown, path: string, issues: Collector): string[] {
  if (!Array.isArray(raw) || raw.some((value) => typeof value !== 'string')) {
    issues.add(path, 'must be a list of strings');
    return [];
  }
  return [...new Set(raw as string[])];
}
