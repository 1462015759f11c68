/**
 * A bounded memo for parsing functions applied to context values (`semver(appVersion)`,
 * `date(createdAt)`): the same few strings recur across evaluations and rules, and parsing them is
 * the costliest step of such rules. Cleared when full, so memory stays bounded without bookkeeping.
 */
export function memoize<T>(parse: (text: string) => T, capacity = 4096): (text: string) => T {
  const memo = new Map<string, T>();
  return (text) => {
    let value = memo.get(text);
    if (value === undefined && !memo.has(text)) {
      if (memo.size >= capacity) memo.clear();
      value = parse(text);
      memo.set(text, value);
    }
    return value as T;
  };
}
