/**
 * Response writers built once per plan: each writes a resolved value as the JSON graphql execution
 * followed by `JSON.stringify` would produce for it — same field order, aliases, nulls, and the
 * schema's own `serialize` for scalars and enums — into the response's bytes.
 *
 * A writer throws wherever execution would report a field error instead of a value (null for a
 * non-null field, an Error as a value, a leaf its type cannot serialise, a list that is not an array);
 * the caller then leaves the request to graphql execution.
 */
import {
  type GraphQLLeafType,
  type GraphQLObjectType,
  type GraphQLOutputType,
  isLeafType,
  isListType,
  isNonNullType,
} from 'graphql';
import type { EvaluationResult } from '../../flags/evaluation.js';
import { punctuation, ResponseBytes } from './response-bytes.js';

export type Writer = (value: unknown, out: ResponseBytes) => void;

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
  return (value, out) => {
    const text = JSON.stringify(type.serialize(value));
    if (text === undefined) throw new NotAValue(`${type.name} serialised to nothing`);
    out.text(text);
  };
}

/** Execution completes null as null, and throws an Error returned as a value. */
function nullable(inner: Writer): Writer {
  return (value, out) => {
    if (value instanceof Error) throw value;
    if (value == null) out.bytes(punctuation.null);
    else inner(value, out);
  };
}

function nonNull(inner: Writer): Writer {
  return (value, out) => {
    if (value == null || value instanceof Error) throw new NotAValue('no value for a non-null field');
    inner(value, out);
  };
}

function listWriter(item: Writer): Writer {
  return (value, out) => {
    if (!Array.isArray(value)) throw new NotAValue('not a list');
    out.bytes(punctuation.openBracket);
    for (let index = 0; index < value.length; index++) {
      if (index > 0) out.bytes(punctuation.comma);
      item(value[index], out);
    }
    out.bytes(punctuation.closeBracket);
  };
}

/**
 * Writes the `Evaluation` fields selected, in selection order. Successful results are shared objects
 * the engine deep-freezes once per snapshot, so their bytes are kept (per selection, weakly) and reused.
 */
function evaluationWriter(type: GraphQLObjectType, fields: readonly SelectedField[], reads: FieldReads): Writer | null {
  const parts: Array<{ prefix: Buffer; write: (result: EvaluationResult, out: ResponseBytes) => void }> = [];
  for (const [index, field] of fields.entries()) {
    const prefix = Buffer.from(`${index === 0 ? '{' : ','}${JSON.stringify(field.responseKey)}:`);
    if (field.fieldName === '__typename') {
      const typeName = Buffer.from(JSON.stringify(type.name));
      parts.push({ prefix, write: (_result, out) => out.bytes(typeName) });
      continue;
    }
    const definition = type.getFields()[field.fieldName];
    const read = Object.hasOwn(reads, field.fieldName) ? reads[field.fieldName] : undefined;
    const write = definition && read && leafFieldWriter(definition.type);
    if (!write) return null;
    parts.push({ prefix, write: (result, out) => write(read(result), out) });
  }
  const writeObject = (result: EvaluationResult, out: ResponseBytes) => {
    for (const part of parts) {
      out.bytes(part.prefix);
      part.write(result, out);
    }
    out.bytes(punctuation.closeBrace);
  };
  const kept = new WeakMap<EvaluationResult, Buffer>();
  return (value, out) => {
    const result = value as EvaluationResult;
    let bytes = kept.get(result);
    if (bytes === undefined) {
      // Only what cannot change is kept (isFrozen is a call into the runtime: asked on misses alone).
      if (!Object.isFrozen(result)) {
        out.fromMutableValues = true;
        return writeObject(result, out);
      }
      const own = new ResponseBytes();
      writeObject(result, own);
      kept.set(result, (bytes = own.toBuffer()));
    }
    out.bytes(bytes);
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
export function evaluationFieldWriter(
  type: GraphQLOutputType,
  evaluationType: GraphQLObjectType,
  fields: readonly SelectedField[],
  reads: FieldReads,
): Writer | null {
  return wrappedWriter(type, (named) =>
    named === evaluationType ? evaluationWriter(evaluationType, fields, reads) : null,
  );
}
