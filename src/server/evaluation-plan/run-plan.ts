/**
 * Runs an evaluation plan for one request and returns the response body, or null to leave the request
 * to graphql execution, which then reports whatever went wrong exactly as it always does.
 *
 * Order matters: variables are coerced (by graphql-js, so the JSON scalar's limits apply), then every
 * root field's arguments are read and its checks run, and only when all passed is anything evaluated —
 * evaluation counts usage, and a request handed on after that would be counted twice.
 */
import type { GatewayContext } from '../../graphql/context.js';
import { coerceVariables } from './arguments.js';
import type { EvaluationPlan } from './plan.js';

type Run = (() => unknown) | null;

/** Each root field's evaluation, checked and not yet run (null for `__typename`); null if anything failed. */
function prepareAll(plan: EvaluationPlan, rawVariables: Record<string, unknown>, context: GatewayContext): Run[] | null {
  const runs: Run[] = [];
  try {
    const variables = coerceVariables(plan.variables, rawVariables);
    if (!variables) return null;
    for (const field of plan.fields) {
      if ('constant' in field) {
        runs.push(null);
        continue;
      }
      const args = field.readArguments(variables);
      if (!args) return null;
      runs.push(field.prepare(args, context));
    }
  } catch {
    return null;
  }
  return runs;
}

function write(plan: EvaluationPlan, values: readonly unknown[]): string {
  let text = '{"data":';
  for (let index = 0; index < plan.fields.length; index++) {
    const field = plan.fields[index]!;
    text += field.prefix + ('constant' in field ? field.constant : field.write(values[index]));
  }
  return `${text}}}`;
}

export function runPlan(plan: EvaluationPlan, rawVariables: Record<string, unknown> | null | undefined, context: GatewayContext): string | null {
  const runs = prepareAll(plan, rawVariables ?? {}, context);
  if (!runs) return null;
  try {
    return write(plan, runs.map((run) => run?.()));
  } catch {
    // Not reached with the engine, which returns errors as values and results every type serialises.
    // Handing the request on is still right — execution reports (and logs) the failure as it always
    // does — at the cost of counting these evaluations twice.
    return null;
  }
}
