/** Decoding of quoted string literals: the escapes `\\ \" \' \n \t \uXXXX`, and nothing else. */

export interface DecodedString {
  value: string;
  /** The first bad escape, relative to the start of the literal (including its quote). */
  error?: { message: string; offset: number; length: number };
}

const simpleEscapes: Record<string, string> = { '\\': '\\', '"': '"', "'": "'", n: '\n', t: '\t' };

export function decodeStringLiteral(literal: string): DecodedString {
  const body = literal.slice(1, -1);
  if (!body.includes('\\')) return { value: body };
  let value = '';
  for (let i = 0; i < body.length; i++) {
    const c = body[i]!;
    if (c !== '\\') {
      value += c;
      continue;
    }
    const next = body[i + 1] ?? '';
    if (next in simpleEscapes) {
      value += simpleEscapes[next];
      i++;
    } else if (next === 'u' && /^[0-9A-Fa-f]{4}$/.test(body.slice(i + 2, i + 6))) {
      value += String.fromCharCode(parseInt(body.slice(i + 2, i + 6), 16));
      i += 5;
    } else {
      const length = next === 'u' ? Math.min(6, body.length - i) : 2;
      const message =
        next === 'u'
          ? 'invalid unicode escape: write \\u followed by four hexadecimal digits'
          : `unknown escape '\\${next}' in string: use \\\\ \\" \\' \\n \\t or \\uXXXX`;
      return { value, error: { message, offset: i + 1, length } };
    }
  }
  return { value };
}
