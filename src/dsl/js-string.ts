/** A string as a JavaScript literal; U+2028/U+2029 are escaped too, so no text can end a line of code. */
export function jsString(value: string): string {
  const json = JSON.stringify(value);
  return /[\u2028\u2029]/.test(json) ? json.replace(/\u2028/g, '\\u2028').replace(/\u2029/g, '\\u2029') : json;
}
