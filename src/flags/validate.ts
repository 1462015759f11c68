/**
 * Structural validation of flag and segment documents. Collects every problem (not just the first),
 * each naming its field, and returns a normalised document with defaults filled in.
 * Cross-document checks (segments exist, no prerequisite cycles) live in references.ts; field readers
 * in validate-fields.ts, serve / rollout checks in validate-serve.ts.
 */
import { checkRule } from '../dsl/index.js';
import { ValidationError, type ValidationIssue } from './errors.js';
import {
  type Flag,
  type FlagEnvironmentConfig,
  flagKinds,
  type JsonValue,
  type Segment,
  type TargetingRule,
  valueTypes,
  type Variation,
} from './model.js';
import { ruleResolvers } from './resolvers.js';
import { booleanField, Collector, type Doc, isObject, stringList, text, timestamp } from './validate-fields.js';
import { serve } from './validate-serve.js';
import { targets } from './validate-targets.js';
import { validateRolloutPlan } from './validate-rollout.js';

export const flagKeyPattern = /^[a-z0-9][a-z0-9._-]{0,127}$/;
export const environmentKeyPattern = /^[a-z0-9][a-z0-9_-]{0,63}$/;
export const segmentKeyPattern = /^[a-z0-9][a-z0-9._-]{0,127}$/;
const ruleIdPattern = /^[A-Za-z0-9._-]{1,64}$/;
const maxSegmentKeys = 100_000;

function matchesType(value: JsonValue, valueType: Flag['valueType']): boolean {
  if (valueType === 'json') return true;
  return typeof value === valueType;
}

function variations(doc: Doc, issues: Collector, valueType: Flag['valueType'], kind: Flag['kind']): Variation[] {
  const raw = doc.variations;
  if (!Array.isArray(raw)) {
    issues.add('variations', 'is required and must be a list');
    return [];
  }
  const minimum = valueType === 'boolean' || kind === 'experiment' ? 2 : 1;
  if (raw.length < minimum)
    issues.add(
      'variations',
      `needs at least ${minimum} variations for a ${valueType === 'boolean' ? 'boolean' : kind} flag`,
    );
  const seen = new Set<string>();
  return raw.map((entry, index) => {
    const path = `variations[${index}].`;
    if (!isObject(entry)) {
      issues.add(`variations[${index}]`, 'must be an object');
      return { key: '', value: null };
    }
    const key = text(entry, 'key', issues, path, undefined, 128);
    if (key && seen.has(key)) issues.add(`${path}key`, `duplicate variation key '${key}'`);
    seen.add(key);
    if (!('value' in entry) || entry.value === undefined) issues.add(`${path}value`, 'is required');
    const value = (entry.value ?? null) as JsonValue;
    if (!matchesType(value, valueType)) issues.add(`${path}value`, `must be a ${valueType}`);
    const variation: Variation = { key, value };
    if (typeof entry.name === 'string') variation.name = entry.name;
    if (typeof entry.description === 'string') variation.description = entry.description;
    return variation;
  });
}

/** Reports a condition that does not compile, with the rule index and the position in the condition. */
export function checkCondition(condition: string, path: string, issues: ValidationIssue[], ruleIndex?: number): void {
  const result = checkRule(condition, { resolvers: ruleResolvers });
  if (result.ok) return;
  for (const diagnostic of result.diagnostics) {
    issues.push({
      path,
      message: diagnostic.message,
      code: 'RULE_SYNTAX',
      line: diagnostic.line,
      column: diagnostic.column,
      ...(ruleIndex === undefined ? {} : { ruleIndex }),
    });
  }
}

function rules(raw: unknown, path: string, issues: Collector, variationKeys: Set<string>): TargetingRule[] {
  if (raw === undefined || raw === null) return [];
  if (!Array.isArray(raw)) {
    issues.add(path, 'must be a list');
    return [];
  }
  const ids = new Set<string>();
  return raw.map((entry, index) => {
    const rulePath = `${path}[${index}]`;
    if (!isObject(entry)) {
      issues.add(rulePath, 'must be an object');
      return { id: '', condition: '', serve: {} };
    }
    const id = typeof entry.id === 'string' && entry.id ? entry.id : `rule-${index + 1}`;
    if (!ruleIdPattern.test(id))
      issues.add(`${rulePath}.id`, 'must be 1-64 letters, digits, dots, dashes or underscores');
    if (ids.has(id)) issues.add(`${rulePath}.id`, `duplicate rule id '${id}'`);
    ids.add(id);
    const condition = text(entry, 'condition', issues, `${rulePath}.`, undefined, 16 * 1024);
    if (typeof entry.condition === 'string') checkCondition(condition, `${rulePath}.condition`, issues.issues, index);
    const rule: TargetingRule = {
      id,
      condition,
      serve: serve(entry.serve, `${rulePath}.serve`, issues, variationKeys),
    };
    if (entry.description !== undefined && entry.description !== null)
      rule.description = text(entry, 'description', issues, `${rulePath}.`, '', 2000);
    if (entry.enabled !== undefined && entry.enabled !== null && typeof entry.enabled !== 'boolean')
      issues.add(`${rulePath}.enabled`, 'must be true or false');
    if (entry.enabled === false) rule.enabled = false;
    return rule;
  });
}

/** `sticky` (experiment flags only) and the time of its last reset. */
function stickiness(
  raw: Record<string, unknown>,
  config: FlagEnvironmentConfig,
  path: string,
  issues: Collector,
  kind: Flag['kind'],
): void {
  if (raw.sticky !== undefined && raw.sticky !== null && typeof raw.sticky !== 'boolean')
    issues.add(`${path}.sticky`, 'must be true or false');
  else if (raw.sticky === true && kind !== 'experiment')
    issues.add(`${path}.sticky`, `only experiment flags can be sticky (this is a ${kind} flag)`);
  else if (raw.sticky === true) config.sticky = true;
  if (typeof raw.stickyResetAt === 'string') config.stickyResetAt = raw.stickyResetAt;
}

export function validateEnvironmentConfig(
  raw: unknown,
  path: string,
  issues: Collector,
  variationKeys: Set<string>,
  environment = '',
  kind: Flag['kind'] = 'experiment',
): FlagEnvironmentConfig {
  if (!isObject(raw)) {
    issues.add(path, 'must be an object');
    return { on: false, offVariation: '', rules: [], defaultServe: {} };
  }
  if (typeof raw.on !== 'boolean') issues.add(`${path}.on`, 'must be true or false');
  const offVariation = text(raw, 'offVariation', issues, `${path}.`);
  if (offVariation && !variationKeys.has(offVariation))
    issues.add(`${path}.offVariation`, `unknown variation '${offVariation}'`);
  const config: FlagEnvironmentConfig = {
    on: raw.on === true,
    offVariation,
    rules: rules(raw.rules, `${path}.rules`, issues, variationKeys),
    defaultServe: serve(raw.defaultServe, `${path}.defaultServe`, issues, variationKeys),
  };
  const environmentTargets = targets(raw.targets, `${path}.targets`, issues, variationKeys, environment);
  if (environmentTargets !== undefined && environmentTargets.length > 0) config.targets = environmentTargets;
  if (raw.rollout !== undefined && raw.rollout !== null)
    config.rollout = validateRolloutPlan(raw.rollout, `${path}.rollout`, issues, { ...config, variationKeys });
  stickiness(raw, config, path, issues, kind);
  return config;
}

/** Validates a flag document; throws `ValidationError` listing every problem. */
export function validateFlag(input: unknown, now = new Date().toISOString()): Flag {
  const issues = new Collector();
  if (!isObject(input))
    throw new ValidationError([{ path: '', message: 'a flag must be an object', code: 'VALIDATION' }]);
  const key = text(input, 'key', issues, '', undefined, 128);
  if (key && !flagKeyPattern.test(key)) issues.add('key', 'must match ^[a-z0-9][a-z0-9._-]{0,127}$');
  const kind = input.kind as Flag['kind'];
  if (!flagKinds.includes(kind)) issues.add('kind', `must be one of ${flagKinds.join(', ')}`);
  const valueType = input.valueType as Flag['valueType'];
  if (!valueTypes.includes(valueType)) issues.add('valueType', `must be one of ${valueTypes.join(', ')}`);
  const flagVariations = variations(input, issues, valueType, kind);
  const variationKeys = new Set(flagVariations.map((variation) => variation.key));
  const expiresAt = timestamp(input.expiresAt, 'expiresAt', issues, null);
  if (!expiresAt && (kind === 'release' || kind === 'experiment'))
    issues.add('expiresAt', `is required for ${kind} flags`);
  const version = input.version === undefined ? 1 : input.version;
  if (typeof version !== 'number' || !Number.isInteger(version) || version < 1)
    issues.add('version', 'must be a positive integer');
  const environments: Record<string, FlagEnvironmentConfig> = {};
  if (input.environments !== undefined && input.environments !== null) {
    if (!isObject(input.environments)) issues.add('environments', 'must be an object keyed by environment');
    else {
      for (const [environment, config] of Object.entries(input.environments)) {
        if (!environmentKeyPattern.test(environment))
          issues.add(`environments.${environment}`, 'is not a valid environment key');
        environments[environment] = validateEnvironmentConfig(
          config,
          `environments.${environment}`,
          issues,
          variationKeys,
          environment,
          kind,
        );
      }
    }
  }
  const salt = text(input, 'salt', issues, '', key, 128) || key;
  const flag: Flag = {
    key,
    name: text(input, 'name', issues, '', key, 200),
    description: text(input, 'description', issues, '', '', 2000),
    kind,
    valueType,
    variations: flagVariations,
    tags: stringList(input.tags, 'tags', issues, 50),
    owner: text(input, 'owner', issues, '', '', 200),
    createdAt: timestamp(input.createdAt, 'createdAt', issues, now)!,
    updatedAt: timestamp(input.updatedAt, 'updatedAt', issues, now)!,
    expiresAt,
    archived: booleanField(input.archived, 'archived', issues),
    version: Number(version),
    salt,
    environments,
  };
  issues.throwIfAny();
  return flag;
}

/** Validates a segment document; throws `ValidationError` listing every problem. */
export function validateSegment(input: unknown, now = new Date().toISOString()): Segment {
  const issues = new Collector();
  if (!isObject(input))
    throw new ValidationError([{ path: '', message: 'a segment must be an object', code: 'VALIDATION' }]);
  const key = text(input, 'key', issues, '', undefined, 128);
  if (key && !segmentKeyPattern.test(key)) issues.add('key', 'must match ^[a-z0-9][a-z0-9._-]{0,127}$');
  const environment = text(input, 'environment', issues, '', undefined, 64);
  if (environment && !environmentKeyPattern.test(environment))
    issues.add('environment', 'is not a valid environment key');
  const condition =
    input.condition === undefined || input.condition === null || input.condition === ''
      ? null
      : text(input, 'condition', issues, '', undefined, 16 * 1024);
  if (condition !== null) {
    // Segment conditions may not call segment() or flag(): that keeps segment evaluation cycle-free.
    const result = checkRule(condition);
    for (const d of result.diagnostics)
      issues.issues.push({
        path: 'condition',
        message: d.message,
        code: 'RULE_SYNTAX',
        line: d.line,
        column: d.column,
      });
  }
  const version = input.version === undefined ? 1 : input.version;
  if (typeof version !== 'number' || !Number.isInteger(version) || version < 1)
    issues.add('version', 'must be a positive integer');
  const segment: Segment = {
    key,
    environment,
    name: text(input, 'name', issues, '', key, 200),
    description: text(input, 'description', issues, '', '', 2000),
    included: stringList(input.included, 'included', issues, maxSegmentKeys),
    excluded: stringList(input.excluded, 'excluded', issues, maxSegmentKeys),
    condition,
    version: Number(version),
    createdAt: timestamp(input.createdAt, 'createdAt', issues, now)!,
    updatedAt: timestamp(input.updatedAt, 'updatedAt', issues, now)!,
  };
  issues.throwIfAny();
  return segment;
}
