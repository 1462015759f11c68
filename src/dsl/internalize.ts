/**
 * V8's internalized ("interned") copy of a string. Property values of parsed JSON contexts are mostly
 * internalized strings, and so are string literals written in code; two internalized strings are
 * equal only when they are the same object, so `===` between them is one pointer comparison. A rule's
 * literal is cut out of the rule text, a fresh string, so each `===` against it compared characters:
 * that made `country in ["US","CA","GB"]` and `plan == "premium"` cost up to 1.5× the hand-written
 * predicate (bench/rule-eval.ts, measured with interned and fresh literals side by side). A property
 * name is always internalized, and Object.keys hands back the very name.
 *
 * The name goes into one scratch object in dictionary mode (V8 keeps null-prototype objects so) and
 * out again: an object literal per name (`{ [text]: 0 }`) made V8 add a hidden class per distinct name,
 * 1–2 µs each and kept alive, which loading 100,000 flags × 3 environments paid 300,000 times.
 */
const scratch: Record<string, 0> = Object.create(null);

export function internalize(text: string): string {
  scratch[text] = 0;
  const name = Object.keys(scratch)[0] ?? text;
  delete scratch[text];
  return name;
}
