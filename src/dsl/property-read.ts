/**
 * How generated code reads one step of an attribute path. The language reads only own properties of
 * plain objects (prototype `Object.prototype` or null); anything inherited — from a custom prototype,
 * from a built-in prototype of strings, numbers or arrays, or from a polluted `Object.prototype` — is
 * absent, like a missing attribute.
 *
 * Speed: `Object.hasOwn` and `Object.getPrototypeOf` are calls V8 does not inline at a megamorphic
 * site (contexts of real traffic come in many shapes), each costing more than the read itself. So:
 *   - The context itself is checked once per evaluation (or not at all when the caller vouches that it
 *     is a plain object, as the engine does after its own check); a context that is not plain is read
 *     as an empty object. A read of the context is then a plain inline-cached load plus, only when it
 *     found something, `Object.prototype.name === undefined`: a load from a known map, nearly free.
 *     What a plain object yields for a name `Object.prototype` lacks can only be its own property.
 *   - A read of a nested value also proves the value is plain, through `o.__proto__` (which V8 folds
 *     into the load's map check) where the standard accessor exists.
 * Everything else — names built-in prototypes have, prototype-less objects holding the name,
 * non-objects, a polluted `Object.prototype` — takes `readProperty`, which checks `Object.hasOwn`.
 *
 * Security: the property name appears as an identifier or a JSON-escaped string literal only.
 */
import { jsString } from './js-string.js';
import { isInheritableName } from './values.js';

/** Names of the runtime bindings the read code uses (see factory.ts). */
export const readBindings = {
  readProperty: 'rd',
  getPrototypeOf: 'gp',
  objectPrototype: 'OP',
  isPlainObject: 'isPlain',
  emptyObject: 'EMPTY',
} as const;

/** The variable holding the context as rules read it: the context when plain, otherwise an empty object. */
export const rootVariable = 'root';

/**
 * Whether `o.__proto__` is Object.prototype's standard accessor. Node's `--disable-proto` removes it
 * (or makes it throw); reads then ask `Object.getPrototypeOf`, slower but as exact.
 */
const protoAccessor = ((): boolean => {
  try {
    const getter = Object.getOwnPropertyDescriptor(Object.prototype, '__proto__')?.get;
    return (
      getter !== undefined &&
      Function.prototype.toString.call(getter).includes('[native code]') &&
      // biome-ignore lint/suspicious/noProto: this probes the accessor the generated code relies on (see above)
      ({} as { __proto__?: unknown }).__proto__ === Object.prototype
    );
  } catch {
    return false;
  }
})();

/** `.name` or `["name"]`, and the optional-chaining form `?.name` or `?.["name"]`. */
function accessors(key: string): { read: string; optional: string } {
  if (/^[A-Za-z_$][A-Za-z0-9_$]*$/.test(key)) return { read: `.${key}`, optional: `?.${key}` };
  const read = `[${jsString(key)}]`;
  return { read, optional: `?.${read}` };
}

export interface ReadCode {
  code: string;
  bindings: string[];
}

/** Code of the value of `root`: the context when the caller vouched for it or it is plain, else empty. */
export function rootValueCode(): ReadCode {
  const { isPlainObject, emptyObject } = readBindings;
  return {
    code: `plain === true || ${isPlainObject}(ctx) ? ctx : ${emptyObject}`,
    bindings: [isPlainObject, emptyObject],
  };
}

/** Code of the evaluator's first statement when the rule reads the context: sets `root`. */
export function rootDeclaration(): ReadCode {
  const { code, bindings } = rootValueCode();
  return { code: `const ${rootVariable} = ${code};`, bindings };
}

/** Code reading own property `key` of the context (`root`, a plain object). `value` is a temporary. */
export function rootReadCode(key: string, value: string): ReadCode {
  const { readProperty: rd, objectPrototype: OP } = readBindings;
  if (isInheritableName(key)) return { code: `${rd}(${rootVariable}, ${jsString(key)})`, bindings: [rd] };
  const { read } = accessors(key);
  return {
    code: `((${value} = ${rootVariable}${read}) === undefined || ${OP}${read} === undefined ? ${value} : ${rd}(${rootVariable}, ${jsString(key)}))`,
    bindings: [rd, OP],
  };
}

/**
 * Code reading own property `key` of the value of `target`, any value. `object` and `value` are
 * temporaries; every read of a rule may share them, as each read ends before the next begins.
 */
export function nestedReadCode(target: string, key: string, object: string, value: string): ReadCode {
  const { readProperty: rd, getPrototypeOf: gp, objectPrototype: OP } = readBindings;
  // Names some JSON value inherits (`constructor`, `length`, indices, `__proto__`) always need the check.
  if (isInheritableName(key)) return { code: `${rd}(${target}, ${jsString(key)})`, bindings: [rd] };
  const { read, optional } = accessors(key);
  const prototype = protoAccessor ? `${object}.__proto__` : `${gp}(${object})`;
  return {
    code: `((${object} = ${target}), (${value} = ${object}${optional}) === undefined || (${prototype} === ${OP} && ${OP}${read} === undefined) ? ${value} : ${rd}(${object}, ${jsString(key)}))`,
    bindings: protoAccessor ? [rd, OP] : [rd, gp, OP],
  };
}
