/**
 * Response writers built once per plan: each turns a resolved value into the JSON text graphql
 * execution followed by `JSON.stringify` would produce for it — same field order, aliases, nulls,
 * and the schema's own `serialize` for scalars and enums.
 *
 * A writer throws wherever execution would report a field error instead of a value (null for a
 * non-null field, an Error as a value, a leaf its type cannot serialise, a list that is not an array);
 * the caller then leaves the request to graphql execution.
 */
import { type GraphQLLeafType, type GraphQLObjectType, type GraphQLOutputType, isLeafType, isListType, isNonNullType } from 'graphql';
import type { EvaluationResult } from '../../flags/evaluation.js';

export type Writer = (value: unknown) => string;

/** A selected field: the key it answers under, and the field it is. */
export interface SelectedField {
  responseKey: string;
  fieldName: string;
}

/** How each field of `Evaluation` reads its value from a result (the resolvers' own functions). */
export type FieldReads = Readonly<Record<string, (result: EvaluationResult) => unknown>>;

class NotAValue extends Error {}

/** A scalar or enum: the type's `serialize`, then JSON, as execution and the response's stringify do. */
function leafWriter(type: GraphQLLeafType): Writer {
  return (value) => {
    const text = JSON.stringify(type.serialize(value));
    if (text === undefined) throw new NotAValue(`${type.name} serialised to nothing`);
    return text;
  };
}

/** Execution completes null as null, and throws an Error returned as a value. */
function nullable(inner: Writer): Writer {
  return (value) => {
    if (value instanceof Error) throw value;
    return value == null ? 'null' : inner(value);
  };
}

function nonNull(inner: Writer): Writer {
  return (value) => {
    if (value == null || value instanceof Error) throw new NotAValue('no value for a non-null field');
    return inner(value);
  };
}

function listWriter(item: Writer): Writer {
  return (value) => {
    if (!Array.isArray(value)) throw new NotAValue('not a list');
    let text = '[';
    for (let index = 0; index < value.length; index++) text += (index === 0 ? '' : ',') + item(value[index]);
    return `${text}]`;
  };
}

/**
 * Writes the `Evaluation` fields selected, in selection order. Successful results are shared objects
 * the engine deep-freezes once per snapshot, so their text is kept (per selection, weakly) and reused.
 */
function evaluationWriter(type: GraphQLObjectType, fields: readonly SelectedField[], reads: FieldReads): Writer | null {
  const parts: Array<{ prefix: string; write: (result: EvaluationResult) => string }> = [];
  for (const [index, field] of fields.entries()) {
    const prefix = `${index === 0 ? '{' : ','}${JSON.stringify(field.responseKey)}:`;
    if (field.fieldName === '__typename') {
      const text = JSON.stringify(type.name);
      parts.push({ prefix, write: () => text });
      continue;
    }
    const definition = type.getFields()[field.fieldName];
    const read = Object.hasOwn(reads, field.fieldName) ? reads[field.fieldName] : undefined;
    const write = definition && read && leafFieldWriter(definition.type);
    if (!write) return null;
    parts.push({ prefix, write: (result) => write(read(result)) });
  }
  const texts = new WeakMap<EvaluationResult, string>();
  const writeObject = (result: EvaluationResult) => {
    let text = '';
    for (const part of parts) text += part.prefix + part.write(result);
    return `${text}}`;
  };
  return (value) => {
    const result = value as EvaluationResult;
    if (!Object.isFrozen(result)) return writeObject(result);
    let text = texts.get(result);
    if (text === undefined) texts.set(result, (text = writeObject(result)));
    return text;
  };
}

/**
 * Wraps the writer of a named type in what its field type adds around it (non-null, lists), as
 * execution completes them; null when `named` has no writer for the type at the core.
 */
function wrappedWriter(type: GraphQLOutputType, named: (type: GraphQLOutputType) => Writer | null): Writer | null {
  const inner = valueWriter(isNonNullType(type) ? type.ofType : type, named);
  return inner && (isNonNullType(type) ? nonNull(inner) : nullable(inner));
}

/** The writer of a value already known not to be null: a list's, or the named type's. */
function valueWriter(type: GraphQLOutputType, named: (type: GraphQLOutputType) => Writer | null): Writer | null {
  if (!isListType(type)) return named(type);
  const item = wrappedWriter(type.ofType, named);
  return item && listWriter(item);
}

function leafFieldWriter(type: GraphQLOutputType): Writer | null {
  return wrappedWriter(type, (named) => (isLeafType(named) ? leafWriter(named) : null));
}

/** The writer of a root field whose type is built of `Evaluation` (`Evaluation!`, `[Evaluation!]!`…); null for any other type. */
export function evaluationFieldWriter(type: GraphQLOutputType, evaluationType: GraphQLObjectType, fields: readonly SelectedField[], reads: FieldReads): Writer | null {
  return wrappedWriter(type, (named) => (named === evaluationType ? evaluationWriter(evaluationType, fields, reads) : null));
}
