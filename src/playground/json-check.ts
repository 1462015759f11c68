/**
 * Checks JSON text and says where it is wrong (offset, line, column, message), because JSON.parse's
 * messages differ between browsers and do not always carry a position. The value itself still comes
 * from JSON.parse once the text is known to be valid.
 */

export interface JsonProblem {
  message: string;
  /** UTF-16 offset of the offending text and its length (0 at the end of input). */
  offset: number;
  length: number;
  line: number;
  column: number;
}

export type JsonResult = { ok: true; value: unknown } | { ok: false; problem: JsonProblem };

class Failure extends Error {
  constructor(
    message: string,
    readonly offset: number,
    readonly length: number,
  ) {
    super(message);
  }
}

const whitespace = /[ \t\n\r]*/y;
const numberPattern = /-?(?:0|[1-9][0-9]*)(?:\.[0-9]+)?(?:[eE][+-]?[0-9]+)?/y;
const stringPattern = /"(?:[^"\\\u0000-\u001f]|\\(?:["\\/bfnrt]|u[0-9a-fA-F]{4}))*"/y;
const wordPattern = /[A-Za-z_$][\w$]*/y;

function describe(text: string, offset: number): { what: string; length: number } {
  if (offset >= text.length) return { what: 'end of input', length: 0 };
  wordPattern.lastIndex = offset;
  const word = wordPattern.exec(text);
  if (word) return { what: `'${word[0]}'`, length: word[0].length };
  return { what: `'${text[offset]}'`, length: 1 };
}

function check(text: string): void {
  let position = 0;
  const skip = () => {
    whitespace.lastIndex = position;
    whitespace.exec(text);
    position = whitespace.lastIndex;
  };
  const fail = (expected: string): never => {
    const { what, length } = describe(text, position);
    throw new Failure(`expected ${expected} but found ${what}`, position, length);
  };
  const string = (role: string) => {
    stringPattern.lastIndex = position;
    if (stringPattern.exec(text)) {
      position = stringPattern.lastIndex;
      return;
    }
    if (text[position] !== '"') fail(role === 'name' ? 'a property name in double quotes' : 'a value');
    // Find what breaks the string: an escape, a control character (a raw line break) or the missing quote.
    for (let i = position + 1; i < text.length; i++) {
      const char = text[i]!;
      if (char === '"') break;
      if (char === '\\') {
        const escape = /\\(?:["\\/bfnrt]|u[0-9a-fA-F]{4})/y;
        escape.lastIndex = i;
        if (!escape.exec(text))
          throw new Failure('invalid escape in string (use \\" \\\\ \\/ \\b \\f \\n \\r \\t or \\uXXXX)', i, 2);
        i = escape.lastIndex - 1;
      } else if (char < ' ') {
        throw new Failure(
          char === '\n' || char === '\r'
            ? 'unterminated string (strings end on the same line)'
            : 'control character in string (escape it)',
          i,
          1,
        );
      }
    }
    throw new Failure('unterminated string', position, text.length - position);
  };
  const value = (depth: number): void => {
    if (depth > 256) throw new Failure('nested too deeply', position, 1);
    skip();
    const char = text[position];
    if (char === '{') {
      position++;
      skip();
      if (text[position] === '}') return void position++;
      for (;;) {
        skip();
        if (text[position] === '}') throw new Failure("trailing comma before '}'", position - 1, 1);
        string('name');
        skip();
        if (text[position] !== ':') fail("':' after the property name");
        position++;
        value(depth + 1);
        skip();
        if (text[position] === ',') {
          position++;
          continue;
        }
        if (text[position] === '}') return void position++;
        fail("',' or '}'");
      }
    }
    if (char === '[') {
      position++;
      skip();
      if (text[position] === ']') return void position++;
      for (;;) {
        skip();
        if (text[position] === ']') throw new Failure("trailing comma before ']'", position - 1, 1);
        value(depth + 1);
        skip();
        if (text[position] === ',') {
          position++;
          continue;
        }
        if (text[position] === ']') return void position++;
        fail("',' or ']'");
      }
    }
    if (char === '"') return string('value');
    for (const literal of ['true', 'false', 'null']) {
      if (text.startsWith(literal, position)) {
        position += literal.length;
        return;
      }
    }
    numberPattern.lastIndex = position;
    if ((char === '-' || (char !== undefined && char >= '0' && char <= '9')) && numberPattern.exec(text)) {
      position = numberPattern.lastIndex;
      return;
    }
    if (char === "'") throw new Failure('strings take double quotes in JSON', position, 1);
    fail('a value');
  };
  value(0);
  skip();
  if (position < text.length) fail('end of input after the value');
}

/** The 1-based line and column (in UTF-16 code units) of an offset. */
export function lineColumn(text: string, offset: number): { line: number; column: number } {
  let line = 1;
  let lineStart = 0;
  for (let i = 0; i < offset && i < text.length; i++) {
    if (text[i] === '\n') {
      line++;
      lineStart = i + 1;
    }
  }
  return { line, column: offset - lineStart + 1 };
}

export function parseJson(text: string): JsonResult {
  try {
    check(text);
    return { ok: true, value: JSON.parse(text) as unknown };
  } catch (error) {
    const failure =
      error instanceof Failure ? error : new Failure(error instanceof Error ? error.message : String(error), 0, 0);
    const { line, column } = lineColumn(text, failure.offset);
    return {
      ok: false,
      problem: { message: failure.message, offset: failure.offset, length: failure.length, line, column },
    };
  }
}
