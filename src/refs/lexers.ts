/**
 * Literal extraction for code references: just enough lexing to find every string literal (and Ruby
 * symbol) outside comments, with its line and the name of the call it is the first argument of.
 * Three families cover the languages we scan:
 *   - C-like: TypeScript/JavaScript, Go, Java, Kotlin, C# (`//`, `/* *\/`; '…', "…", `…`, """…""", @"…");
 *   - Python (`#`; '…', "…", '''…''', """…""", with r/b/f/u prefixes);
 *   - Ruby (`#`, =begin/=end; '…', "…", :symbol).
 * A scanner, not a parser: regex literals and string interpolation are read as plain text, which can
 * only add or miss a reference inside them, never hang (every loop advances).
 */

/** Called for each literal: its text (escapes left as written), its 1-based line, and the callee. */
export type LiteralSink = (value: string, line: number, callee: string | null) => void;

export type LexerFamily = 'c-like' | 'python' | 'ruby';

const NEWLINE = 10;
const isIdentStart = (c: number) => (c >= 65 && c <= 90) || (c >= 97 && c <= 122) || c === 95 || c === 36;
const isIdentPart = (c: number) => isIdentStart(c) || (c >= 48 && c <= 57);
const isSpace = (c: number) => c === 32 || c === 9 || c === 13 || c === NEWLINE;

/** Scans `text`, calling `sink` for every literal outside comments. */
export function scanLiterals(text: string, family: LexerFamily, sink: LiteralSink): void {
  new LiteralScanner(text, family, sink).run();
}

class LiteralScanner {
  private position = 0;
  private line = 1;
  // Identifiers are kept as [start, end) offsets and sliced only when a literal needs its callee:
  // most identifiers are not followed by one, and slicing each would allocate millions of strings.
  /** The identifier just before an open parenthesis that nothing but spaces followed yet. */
  private calleeStart = -1;
  private calleeEnd = -1;
  private identifierStart = -1;
  private identifierEnd = -1;

  constructor(
    private readonly text: string,
    private readonly family: LexerFamily,
    private readonly sink: LiteralSink,
  ) {}

  run(): void {
    const { text } = this;
    while (this.position < text.length) {
      const c = text.charCodeAt(this.position);
      if (isSpace(c)) {
        if (c === NEWLINE) this.line++;
        this.position++;
      } else if (isIdentStart(c)) {
        this.readIdentifier();
      } else if (this.atComment(c)) {
        this.skipComment(c);
      } else if (this.atStringStart(c)) {
        this.readString();
      } else {
        this.punctuation(c);
      }
    }
  }

  private atComment(c: number): boolean {
    const next = this.text.charCodeAt(this.position + 1);
    if (this.family === 'c-like') return c === 47 && (next === 47 || next === 42);
    if (c === 35) return true;
    return this.family === 'ruby' && c === 61 && this.atLineStart() && this.text.startsWith('=begin', this.position);
  }

  private skipComment(c: number): void {
    const { text } = this;
    const blockEnd =
      this.family === 'ruby' && c === 61
        ? '\n=end'
        : c === 47 && text.charCodeAt(this.position + 1) === 42
          ? '*/'
          : null;
    const end = blockEnd ? text.indexOf(blockEnd, this.position + 2) : text.indexOf('\n', this.position);
    const stop = end < 0 ? text.length : blockEnd ? end + blockEnd.length : end;
    this.countLines(this.position, stop);
    this.position = stop;
  }

  private readIdentifier(): void {
    const { text } = this;
    const start = this.position;
    while (this.position < text.length && isIdentPart(text.charCodeAt(this.position))) this.position++;
    // Ruby predicate and bang methods (`enabled?(…)`) are one name.
    const c = text.charCodeAt(this.position);
    if (this.family === 'ruby' && (c === 63 || c === 33)) this.position++;
    if (this.stringPrefixed(start)) return this.readString();
    this.identifierStart = start;
    this.identifierEnd = this.position;
    this.calleeStart = -1;
  }

  /** Python's r"…", f'…', rb"…" put a prefix before the quote (C#'s @"…" is read as a string start). */
  private stringPrefixed(start: number): boolean {
    if (this.family !== 'python' || this.position - start > 2) return false;
    const c = this.text.charCodeAt(this.position);
    return (c === 34 || c === 39) && /^[rRbBfFuU]{1,2}$/.test(this.text.slice(start, this.position));
  }

  private atStringStart(c: number): boolean {
    if (c === 34 || c === 39) return true;
    if (this.family === 'c-like')
      return c === 96 || ((c === 64 || c === 36) && this.text.charCodeAt(this.position + 1) === 34);
    return (
      this.family === 'ruby' &&
      c === 58 &&
      isIdentStart(this.text.charCodeAt(this.position + 1)) &&
      this.text.charCodeAt(this.position - 1) !== 58
    );
  }

  private readString(): void {
    const { text } = this;
    const startLine = this.line;
    let c = text.charCodeAt(this.position);
    if (c === 58) return this.readSymbol(startLine);
    let verbatim = false;
    if (c === 64 || c === 36) {
      verbatim = c === 64;
      this.position++;
      c = text.charCodeAt(this.position);
    }
    const quote = String.fromCharCode(c);
    const triple = quote !== '`' && text.startsWith(quote.repeat(3), this.position);
    const delimiter = triple ? quote.repeat(3) : quote;
    const start = this.position + delimiter.length;
    const end = this.findClosing(start, delimiter, verbatim);
    this.emit(text.slice(start, end), startLine);
    this.countLines(this.position, end);
    const closed = text.startsWith(delimiter, end);
    this.position = closed ? end + delimiter.length : end;
  }

  /** Index of the closing delimiter (or the end of the text); backslash escapes unless `raw`. */
  private findClosing(from: number, delimiter: string, raw: boolean): number {
    const { text } = this;
    const quote = delimiter.charCodeAt(0);
    const triple = delimiter.length === 3;
    const endsAtLine = !triple && quote !== 96 && this.family !== 'ruby';
    for (let i = from; i < text.length; i++) {
      const c = text.charCodeAt(i);
      if (c === 92 && !raw) i++;
      else if (c === NEWLINE && endsAtLine)
        return i; // unterminated: stop at the line
      else if (c === quote && (!triple || text.startsWith(delimiter, i))) return i;
    }
    return text.length;
  }

  private readSymbol(line: number): void {
    const { text } = this;
    const start = ++this.position;
    while (this.position < text.length && isIdentPart(text.charCodeAt(this.position))) this.position++;
    this.emit(text.slice(start, this.position), line);
  }

  private emit(value: string, line: number): void {
    let callee: string | null = null;
    if (this.calleeStart >= 0) callee = this.text.slice(this.calleeStart, this.calleeEnd);
    // Ruby calls need no parenthesis: `enabled? :new_checkout` names its callee by position alone.
    else if (this.family === 'ruby' && this.identifierStart >= 0)
      callee = this.text.slice(this.identifierStart, this.identifierEnd);
    this.sink(value, line, callee);
    this.calleeStart = -1;
    this.identifierStart = -1;
  }

  private punctuation(c: number): void {
    // `name(` makes `name` the callee of a literal right after the parenthesis.
    this.calleeStart = c === 40 ? this.identifierStart : -1;
    this.calleeEnd = this.identifierEnd;
    this.identifierStart = -1;
    this.position++;
  }

  private atLineStart(): boolean {
    return this.position === 0 || this.text.charCodeAt(this.position - 1) === NEWLINE;
  }

  private countLines(from: number, to: number): void {
    for (let i = from; i < to; i++) if (this.text.charCodeAt(i) === NEWLINE) this.line++;
  }
}
