/**
 * The JSON scalar, with limits on depth and size so a hostile context cannot cost the server more
 * than a few microseconds to accept (and cannot blow the stack of anything that walks it).
 */
import { type GraphQLError, GraphQLScalarType, Kind, type ValueNode } from 'graphql';
import { apiError } from './errors.js';

export const jsonLimits = { maxDepth: 16, maxNodes: 10_000, maxStringLength: 64 * 1024 };

function limitError(message: string): GraphQLError {
  return apiError('VALIDATION', message);
}

/** Checks depth, value count and string length; throws a VALIDATION error when over a limit. */
export function checkJsonLimits(value: unknown): unknown {
  countValues(value, 1, 0);
  return value;
}

/**
 * `counted` plus the values in `value`, depth first, throwing at the first limit passed. Recursion
 * stops at maxDepth levels, so the stack stays shallow; nothing is allocated, as this runs on every
 * JSON argument (every evaluation context).
 */
function countValues(value: unknown, depth: number, counted: number): number {
  if (++counted > jsonLimits.maxNodes) throw limitError(`JSON value has more than ${jsonLimits.maxNodes} values`);
  if (depth > jsonLimits.maxDepth) throw limitError(`JSON value is nested deeper than ${jsonLimits.maxDepth} levels`);
  if (typeof value === 'string') {
    if (value.length > jsonLimits.maxStringLength)
      throw limitError(`JSON string longer than ${jsonLimits.maxStringLength} characters`);
  } else if (Array.isArray(value)) {
    for (let index = 0; index < value.length; index++) counted = countValues(value[index], depth + 1, counted);
  } else if (value !== null && typeof value === 'object') {
    for (const key in value)
      if (Object.hasOwn(value, key)) counted = countValues((value as Record<string, unknown>)[key], depth + 1, counted);
  }
  return counted;
}

function fromLiteral(node: ValueNode, variables: Record<string, unknown> | null | undefined, depth: number): unknown {
  if (depth > jsonLimits.maxDepth) throw limitError(`JSON value is nested deeper than ${jsonLimits.maxDepth} levels`);
  switch (node.kind) {
    case Kind.STRING:
    case Kind.BOOLEAN:
      return node.value;
    case Kind.INT:
    case Kind.FLOAT:
      return Number(node.value);
    case Kind.NULL:
      return null;
    case Kind.LIST:
      return node.values.map((item) => fromLiteral(item, variables, depth + 1));
    case Kind.OBJECT: {
      // A null-prototype object, so a "__proto__" field is just data.
      const result: Record<string, unknown> = Object.create(null);
      for (const field of node.fields) result[field.name.value] = fromLiteral(field.value, variables, depth + 1);
      return Object.setPrototypeOf(result, Object.prototype);
    }
    case Kind.VARIABLE:
      return variables?.[node.name.value];
    default:
      throw limitError('not a JSON value');
  }
}

export const JsonScalar = new GraphQLScalarType({
  name: 'JSON',
  description: 'Any JSON value. Inputs are limited in depth and size.',
  serialize: (value) => value,
  parseValue: checkJsonLimits,
  parseLiteral: (node, variables) => checkJsonLimits(fromLiteral(node, variables, 1)),
});
