/**
 * Validation of what a rule or an environment serves: one variation, or a percentage rollout whose
 * weights (thousandths of a percent) name known variations and sum to 100%.
 */
import type { Serve } from './model.js';
import { type Collector, isObject } from './validate-fields.js';

const totalWeight = 100_000;

export function serve(raw: unknown, path: string, issues: Collector, variationKeys: Set<string>): Serve {
  if (!isObject(raw)) {
    issues.add(path, 'must be an object with either variation or rollout');
    return {};
  }
  const hasVariation = raw.variation !== undefined && raw.variation !== null;
  const hasRollout = raw.rollout !== undefined && raw.rollout !== null;
  if (hasVariation === hasRollout) {
    issues.add(path, 'must have exactly one of variation or rollout');
    return {};
  }
  if (hasVariation) {
    if (typeof raw.variation !== 'string' || !variationKeys.has(raw.variation))
      issues.add(`${path}.variation`, `unknown variation '${String(raw.variation)}'`);
    return { variation: String(raw.variation) };
  }
  return { rollout: rollout(raw.rollout, `${path}.rollout`, issues, variationKeys) };
}

function rollout(
  raw: unknown,
  path: string,
  issues: Collector,
  variationKeys: Set<string>,
): NonNullable<Serve['rollout']> {
  if (!isObject(raw) || !Array.isArray(raw.weights)) {
    issues.add(`${path}.weights`, 'is required and must be a list');
    return { weights: [] };
  }
  const bucketBy = raw.bucketBy === undefined || raw.bucketBy === null ? undefined : raw.bucketBy;
  if (
    bucketBy !== undefined &&
    (typeof bucketBy !== 'string' || !/^[A-Za-z_$][\w$]*(\.[A-Za-z_$][\w$]*)*$/.test(bucketBy))
  ) {
    issues.add(`${path}.bucketBy`, 'must be an attribute path such as targetingKey or user.id');
  }
  let sum = 0;
  const weights = raw.weights.map((entry, index) => {
    const weightPath = `${path}.weights[${index}]`;
    const weight = isObject(entry) ? entry.weight : undefined;
    const variation = isObject(entry) ? entry.variation : undefined;
    if (typeof variation !== 'string' || !variationKeys.has(variation))
      issues.add(`${weightPath}.variation`, `unknown variation '${String(variation)}'`);
    if (typeof weight !== 'number' || !Number.isInteger(weight) || weight < 0 || weight > totalWeight) {
      issues.add(`${weightPath}.weight`, `must be an integer from 0 to ${totalWeight} (thousandths of a percent)`);
    } else sum += weight;
    return { variation: String(variation), weight: Number(weight) };
  });
  if (weights.length === 0) issues.add(`${path}.weights`, 'needs at least one weight');
  else if (sum !== totalWeight) issues.add(`${path}.weights`, `must sum to ${totalWeight} (100%), got ${sum}`);
  return bucketBy === undefined ? { weights } : { bucketBy: String(bucketBy), weights };
}
