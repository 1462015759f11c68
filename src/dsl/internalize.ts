/**
 * V8's internalized ("interned") copy of a string. Property values of parsed JSON contexts are mostly
 * internalized strings, and so are string literals written in code; two internalized strings are
 * equal only when they are the same object, so `===` between them is one pointer comparison. A rule's
 * literal is cut out of the rule text, a fresh string, so each `===` against it compared characters:
 * that made `country in ["US","CA","GB"]` and `plan == "premium"` cost up to 1.5× the hand-written
 * predicate (bench/rule-eval.ts, measured with interned and fresh literals side by side). A property
 * name is always internalized, and Object.keys hands back the very name.
 */
export function internalize(text: string): string {
  return Object.keys({ [text]: 0 })[0] ?? text;
}
