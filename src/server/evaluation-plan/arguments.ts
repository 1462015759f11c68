/**
 * A plan's variables and arguments, coerced the way graphql-js's `getVariableValues` and
 * `getArgumentValues` coerce them. The coercion of values is graphql-js's own — `coerceInputValue`,
 * `valueFromAST`, the scalars' parsing (so the JSON scalar's limits apply) — and what is prepared once
 * per plan is the bookkeeping those two functions redo on every call (types rebuilt from the AST,
 * arguments looked up by name, dictionary objects copied), which profiling showed was the largest part
 * of a plan's cost. Wherever they would report an error, these return null instead, and the request
 * goes to graphql execution, which reports it.
 */
import {
  BREAK,
  coerceInputValue,
  type ConstValueNode,
  type FieldNode,
  type GraphQLField,
  type GraphQLInputType,
  type GraphQLSchema,
  GraphQLString,
  isInputType,
  isListType,
  isNonNullType,
  Kind,
  typeFromAST,
  type ValueNode,
  valueFromAST,
  type VariableDefinitionNode,
  visit,
} from 'graphql';

type Values = Record<string, unknown>;

export interface PlannedVariable {
  name: string;
  type: GraphQLInputType;
  required: boolean;
  defaultValue: ConstValueNode | undefined;
  /** `[String!]` or `[String!]!`, the type of `evaluateAll`'s keys (see coerceVariables). */
  stringList: boolean;
}

function isStringList(type: GraphQLInputType): boolean {
  const list = isNonNullType(type) ? type.ofType : type;
  return isListType(list) && isNonNullType(list.ofType) && list.ofType.ofType === GraphQLString;
}

function isArrayOfStrings(value: unknown): value is string[] {
  if (!Array.isArray(value)) return false;
  for (let index = 0; index < value.length; index++) if (typeof value[index] !== 'string') return false;
  return true;
}

/** The operation's variables with their types resolved; null if one cannot be planned. */
export function plannedVariables(
  schema: GraphQLSchema,
  definitions: readonly VariableDefinitionNode[],
): PlannedVariable[] | null {
  const variables: PlannedVariable[] = [];
  for (const definition of definitions) {
    const name = definition.variable.name.value;
    const type = typeFromAST(schema, definition.type);
    // Execution (@graphql-tools/executor) assigns variables into a plain object, where one named
    // "__proto__" sets the prototype instead of a value; such an operation is left to it.
    if (!type || !isInputType(type) || name === '__proto__') return null;
    variables.push({
      name,
      type,
      required: isNonNullType(type),
      defaultValue: definition.defaultValue,
      stringList: isStringList(type),
    });
  }
  return variables;
}

/** The request's variables coerced, as graphql-js's `getVariableValues`; null where it reports an error. */
export function coerceVariables(variables: readonly PlannedVariable[], inputs: Values): Values | null {
  const coerced: Values = {};
  for (const variable of variables) {
    if (!Object.hasOwn(inputs, variable.name)) {
      if (variable.defaultValue) coerced[variable.name] = valueFromAST(variable.defaultValue, variable.type);
      else if (variable.required) return null;
      continue;
    }
    const value = inputs[variable.name];
    if (value === null && variable.required) return null;
    // An array of strings is its own `[String!]` value: coerceInputValue would copy it item by item,
    // with a path per item, and cost a `keys` request more than the evaluations it saves (profiled).
    // The array is the request's own, parsed from its body.
    if (variable.stringList && isArrayOfStrings(value)) {
      coerced[variable.name] = value;
      continue;
    }
    let invalid = false;
    const result = coerceInputValue(value, variable.type, () => {
      invalid = true;
    });
    if (invalid || result === undefined) return null;
    coerced[variable.name] = result;
  }
  return coerced;
}

/** A field's arguments from the coerced variables; null where `getArgumentValues` would throw. */
export type ArgumentReader = (variables: Values) => Values | null;

/** Sets one argument from the coerced variables; false where `getArgumentValues` would throw. */
type ArgumentStep = (variables: Values, args: Values) => boolean;

function hasVariables(node: ValueNode): boolean {
  let found = false;
  visit(node, {
    Variable() {
      found = true;
      return BREAK;
    },
  });
  return found;
}

function constantStep(name: string, value: unknown): ArgumentStep {
  return (_variables, args) => {
    args[name] = value;
    return true;
  };
}

function variableStep(name: string, variable: string, required: boolean, defaultValue: unknown): ArgumentStep {
  return (variables, args) => {
    if (!Object.hasOwn(variables, variable)) {
      if (defaultValue !== undefined) args[name] = defaultValue;
      return defaultValue !== undefined || !required;
    }
    const value = variables[variable];
    if (value === undefined || (value === null && required)) return false;
    args[name] = value;
    return true;
  };
}

function literalStep(name: string, node: ValueNode, type: GraphQLInputType): ArgumentStep | null {
  if (!hasVariables(node)) {
    const value = valueFromAST(node, type);
    if (value === undefined) return null;
    // Scalars are computed once; objects and lists afresh each time, as execution hands them out.
    if (value === null || typeof value !== 'object') return constantStep(name, value);
  }
  return (variables, args) => {
    const value = valueFromAST(node, type, variables);
    args[name] = value;
    return value !== undefined;
  };
}

/**
 * Reads a field's arguments from the coerced variables, as graphql-js's `getArgumentValues` does;
 * null (at planning) for arguments that could never be read, and null (per request) where it would throw.
 */
export function argumentReader(definition: GraphQLField<unknown, unknown>, node: FieldNode): ArgumentReader | null {
  const steps: ArgumentStep[] = [];
  for (const argument of definition.args) {
    const required = isNonNullType(argument.type);
    const valueNode = node.arguments?.find((candidate) => candidate.name.value === argument.name)?.value;
    if (!valueNode) {
      if (argument.defaultValue === undefined && required) return null;
      if (argument.defaultValue !== undefined) steps.push(constantStep(argument.name, argument.defaultValue));
      continue;
    }
    if (valueNode.kind === Kind.NULL && required) return null;
    const step =
      valueNode.kind === Kind.VARIABLE
        ? variableStep(argument.name, valueNode.name.value, required, argument.defaultValue)
        : literalStep(argument.name, valueNode, argument.type);
    if (!step) return null;
    steps.push(step);
  }
  return (variables) => {
    const args: Values = {};
    for (const step of steps) if (!step(variables, args)) return null;
    return args;
  };
}
