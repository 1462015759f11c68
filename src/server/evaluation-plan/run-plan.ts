/**
 * Runs an evaluation plan for one request and returns the response body (UTF-8), or null to leave the request
 * to graphql execution, which then reports whatever went wrong exactly as it always does.
 *
 * Order matters: variables are coerced (by graphql-js, so the JSON scalar's limits apply), then every
 * root field's arguments are read and its checks run, and only when all passed is anything evaluated —
 * evaluation counts usage, and a request handed on after that would be counted twice.
 */
import type { GatewayContext } from '../../graphql/context.js';
import { coerceVariables } from './arguments.js';
import type { EvaluationPlan } from './plan.js';
import { ResponseBytes } from './response-bytes.js';

type Run = (() => unknown) | null;

/** Each root field's evaluation, checked and not yet run (null for `__typename`); null if anything failed. */
function prepareAll(
  plan: EvaluationPlan,
  rawVariables: Record<string, unknown>,
  context: GatewayContext,
): Run[] | null {
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

const dataPrefix = Buffer.from('{"data":');
const dataSuffix = Buffer.from('}}');

function write(plan: EvaluationPlan, values: readonly unknown[], out: ResponseBytes): void {
  out.bytes(dataPrefix);
  for (let index = 0; index < plan.fields.length; index++) {
    const field = plan.fields[index]!;
    out.bytes(field.prefix);
    if ('constant' in field) out.bytes(field.constant);
    else field.write(values[index], out);
  }
  out.bytes(dataSuffix);
}

/**
 * The last answer of each plan, with the values it was written from. The engine's results are frozen
 * objects shared by every request they apply to, so a request whose evaluations come out as the very
 * same objects (one context asking again, or contexts the flags treat alike) gets the same bytes
 * without writing them again. Evaluation, and its usage count, still happens every time; only the
 * writing is saved. An answer written from any object that is not frozen is not kept, so identity
 * means equality.
 */
const lastAnswers = new WeakMap<EvaluationPlan, { values: readonly unknown[]; body: Buffer }>();

/** Root field values: a result (`evaluate`), a list of results (`evaluateAll`), undefined (`__typename`). */
function sameValues(kept: readonly unknown[], values: readonly unknown[]): boolean {
  for (let field = 0; field < kept.length; field++) {
    const before = kept[field];
    const now = values[field];
    if (before === now) continue;
    if (!Array.isArray(before) || !Array.isArray(now) || before.length !== now.length) return false;
    for (let index = 0; index < before.length; index++) if (before[index] !== now[index]) return false;
  }
  return true;
}

function answer(plan: EvaluationPlan, values: readonly unknown[]): Buffer {
  const last = lastAnswers.get(plan);
  if (last !== undefined && sameValues(last.values, values)) return last.body;
  const out = new ResponseBytes();
  write(plan, values, out);
  const body = out.toBuffer();
  if (!out.fromMutableValues) lastAnswers.set(plan, { values, body });
  return body;
}

export function runPlan(
  plan: EvaluationPlan,
  rawVariables: Record<string, unknown> | null | undefined,
  context: GatewayContext,
): Buffer | null {
  const runs = prepareAll(plan, rawVariables ?? {}, context);
  if (!runs) return null;
  try {
    return answer(
      plan,
      runs.map((run) => run?.()),
    );
  } catch {
    // Not reached with the engine, which returns errors as values and results every type serialises.
    // Handing the request on is still right — execution reports (and logs) the failure as it always
    // does — at the cost of counting these evaluations twice.
    return null;
  }
}
