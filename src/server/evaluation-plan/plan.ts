/**
 * Evaluation plans: how to answer a query made only of `evaluate`, `evaluateAll` and `__typename`
 * without graphql execution. Building one walks the operation once; plans are kept per operation node
 * (a validated document is cached by yoga per query string, so its nodes recur request after request).
 *
 * A plannable operation is a query whose root selections are those fields (aliases allowed) and whose
 * sub-selections are leaf fields of `Evaluation` or `__typename` — no fragments, no directives. Any
 * other operation has no plan and is executed as usual.
 */
import {
  type FieldNode,
  type GraphQLObjectType,
  type GraphQLSchema,
  isObjectType,
  Kind,
  type OperationDefinitionNode,
  type SelectionSetNode,
} from 'graphql';
import type { GatewayContext } from '../../graphql/context.js';
import {
  type EvaluateAllArgs,
  type EvaluateArgs,
  evaluationFields,
  prepareEvaluate,
  prepareEvaluateAll,
} from '../../graphql/schema/evaluation.js';
import { type ArgumentReader, argumentReader, type PlannedVariable, plannedVariables } from './arguments.js';
import { evaluationFieldWriter, type SelectedField, type Writer } from './json-writers.js';

/** Checks a root field's arguments and scope (throwing an API error) and returns its evaluation, not yet run. */
type Prepare = (args: Record<string, unknown>, context: GatewayContext) => () => unknown;

// The arguments were coerced to each field's declared argument types (arguments.ts).
const rootFields: Readonly<Record<string, Prepare>> = {
  evaluate: (args, context) => prepareEvaluate(args as unknown as EvaluateArgs, context),
  evaluateAll: (args, context) => prepareEvaluateAll(args as EvaluateAllArgs, context),
};

/** A root field of the plan: `__typename` is a constant; the others are evaluated. */
export type PlannedField =
  | { prefix: Buffer; constant: Buffer }
  | { prefix: Buffer; readArguments: ArgumentReader; prepare: Prepare; write: Writer };

export interface EvaluationPlan {
  variables: readonly PlannedVariable[];
  /** In response order; each `prefix` is the JSON before its value (`{"alias":` or `,"alias":`), as UTF-8. */
  fields: readonly PlannedField[];
}

/** Field nodes by response key, in first-seen order — what graphql's field collection does without fragments. */
function groupByResponseKey(selectionSets: readonly SelectionSetNode[]): Map<string, FieldNode[]> | null {
  const groups = new Map<string, FieldNode[]>();
  for (const selectionSet of selectionSets) {
    for (const selection of selectionSet.selections) {
      if (selection.kind !== Kind.FIELD || (selection.directives?.length ?? 0) > 0) return null;
      const responseKey = selection.alias?.value ?? selection.name.value;
      const group = groups.get(responseKey);
      if (group) group.push(selection);
      else groups.set(responseKey, [selection]);
    }
  }
  return groups;
}

function selectedFields(nodes: readonly FieldNode[]): SelectedField[] | null {
  const sets = nodes.map((node) => node.selectionSet).filter((set): set is SelectionSetNode => set !== undefined);
  const groups = sets.length === nodes.length ? groupByResponseKey(sets) : null;
  if (!groups) return null;
  return [...groups].map(([responseKey, group]) => ({ responseKey, fieldName: group[0]!.name.value }));
}

function plannedField(
  queryType: GraphQLObjectType,
  evaluationType: GraphQLObjectType,
  responseKey: string,
  nodes: readonly FieldNode[],
  first: boolean,
): PlannedField | null {
  const prefix = Buffer.from(`${first ? '{' : ','}${JSON.stringify(responseKey)}:`);
  const node = nodes[0]!;
  const name = node.name.value;
  if (name === '__typename') return { prefix, constant: Buffer.from(JSON.stringify(queryType.name)) };
  const definition = queryType.getFields()[name];
  const prepare = Object.hasOwn(rootFields, name) ? rootFields[name] : undefined;
  const fields = selectedFields(nodes);
  if (!definition || !prepare || !fields) return null;
  const readArguments = argumentReader(definition, node);
  const write = evaluationFieldWriter(definition.type, evaluationType, fields, evaluationFields);
  return readArguments && write && { prefix, readArguments, prepare, write };
}

function buildPlan(schema: GraphQLSchema, operation: OperationDefinitionNode): EvaluationPlan | null {
  const queryType = schema.getQueryType();
  const evaluationType = schema.getType('Evaluation');
  if (operation.operation !== 'query' || !queryType || !isObjectType(evaluationType)) return null;
  if (
    (operation.directives?.length ?? 0) > 0 ||
    operation.variableDefinitions?.some((definition) => (definition.directives?.length ?? 0) > 0)
  )
    return null;
  const variables = plannedVariables(schema, operation.variableDefinitions ?? []);
  const groups = groupByResponseKey([operation.selectionSet]);
  if (!variables || !groups) return null;
  const fields: PlannedField[] = [];
  for (const [responseKey, nodes] of groups) {
    const field = plannedField(queryType, evaluationType, responseKey, nodes, fields.length === 0);
    if (!field) return null;
    fields.push(field);
  }
  return { variables, fields };
}

const plans = new WeakMap<GraphQLSchema, WeakMap<OperationDefinitionNode, EvaluationPlan | null>>();

/** The plan of a validated operation, or null when it must be executed by graphql. */
export function planOf(schema: GraphQLSchema, operation: OperationDefinitionNode): EvaluationPlan | null {
  let bySchema = plans.get(schema);
  if (!bySchema) plans.set(schema, (bySchema = new WeakMap()));
  let plan = bySchema.get(operation);
  if (plan === undefined) bySchema.set(operation, (plan = buildPlan(schema, operation)));
  return plan;
}
