/**
 * Cross-document validation of a flag against the rest of the flag set: its environments exist, the
 * segments its rules use exist in those environments, its prerequisites exist, and no prerequisite
 * cycle is formed. The store runs this before accepting any write.
 */
import { checkRule, compileRule } from '../dsl/index.js';
import { ValidationError, type ValidationIssue } from './errors.js';
import type { Flag } from './model.js';
import { ruleResolvers } from './resolvers.js';
import { checkCondition } from './validate.js';

export interface FlagWorld {
  environmentExists(environment: string): boolean;
  segmentExists(environment: string, segmentKey: string): boolean;
  /** The current version of another flag, or undefined if there is none. */
  flag(key: string): Flag | undefined;
}

/** Flag keys referenced through `flag("…")` anywhere in the flag's rules. */
export function prerequisitesOf(flag: Flag): Set<string> {
  const keys = new Set<string>();
  for (const config of Object.values(flag.environments)) {
    for (const rule of config.rules) {
      // A condition that does not compile references nothing (and is reported as RULE_SYNTAX elsewhere).
      if (!checkRule(rule.condition, { resolvers: ruleResolvers }).ok) continue;
      for (const key of compileRule(rule.condition, { salt: flag.salt, resolvers: ruleResolvers }).flags) keys.add(key);
    }
  }
  return keys;
}

export function checkFlagReferences(flag: Flag, world: FlagWorld): void {
  const issues: ValidationIssue[] = [];
  for (const [environment, config] of Object.entries(flag.environments)) {
    if (!world.environmentExists(environment)) {
      issues.push({
        path: `environments.${environment}`,
        message: `unknown environment '${environment}'`,
        code: 'VALIDATION',
      });
      continue;
    }
    config.rules.forEach((rule, index) => {
      const path = `environments.${environment}.rules[${index}].condition`;
      const before = issues.length;
      checkCondition(rule.condition, path, issues, index);
      if (issues.length > before) return;
      const compiled = compileRule(rule.condition, { salt: flag.salt, resolvers: ruleResolvers });
      for (const segment of compiled.segments) {
        if (!world.segmentExists(environment, segment))
          issues.push({
            path,
            message: `unknown segment '${segment}' in environment '${environment}'`,
            code: 'VALIDATION',
            ruleIndex: index,
          });
      }
      for (const key of compiled.flags) {
        if (key !== flag.key && !world.flag(key))
          issues.push({
            path,
            message: `unknown flag '${key}' used as a prerequisite`,
            code: 'VALIDATION',
            ruleIndex: index,
          });
      }
    });
  }
  const cycle = issues.some((issue) => issue.code === 'RULE_SYNTAX') ? null : findCycle(flag, world);
  if (cycle)
    issues.push({ path: 'environments', message: `prerequisite cycle: ${cycle.join(' → ')}`, code: 'VALIDATION' });
  if (issues.length > 0) throw new ValidationError(issues);
}

/** A path of flag keys from `flag` back to itself, or null. Uses the candidate in place of its stored version. */
function findCycle(flag: Flag, world: FlagWorld): string[] | null {
  const lookup = (key: string) => (key === flag.key ? flag : world.flag(key));
  const visiting: string[] = [];
  const done = new Set<string>();
  const visit = (key: string): string[] | null => {
    if (visiting.includes(key)) return [...visiting.slice(visiting.indexOf(key)), key];
    if (done.has(key)) return null;
    const current = lookup(key);
    if (!current) return null;
    visiting.push(key);
    for (const prerequisite of prerequisitesOf(current)) {
      const cycle = visit(prerequisite);
      if (cycle) return cycle;
    }
    visiting.pop();
    done.add(key);
    return null;
  };
  return visit(flag.key);
}
