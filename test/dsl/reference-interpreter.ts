/**
 * An independent oracle for Vexil's rule language, written from the language description (the issue
 * text) and sharing no code with src/dsl: its own tokenizer, recursive-descent parser, static checks and
 * a plain tree-walking evaluator. It is deliberately naive — clarity over speed — so that when it and
 * the compiled rules disagree, the fuzz test has found something worth reading.
 *
 * Libraries: `re2js` is used for `matches` because the language is specified as "RE2 via re2js"; the
 * evaluator calls `matcher(input).find()`, not the `test()` fast path the implementation uses.
 *
 * Grammar (lowest precedence first; comparisons do not chain):
 *   rule       := or EOF
 *   or         := and (('or' | '||') and)*
 *   and        := not (('and' | '&&') not)*
 *   not        := ('not' | '!')* comparison
 *   comparison := operand (compareOp operand)?
 *   compareOp  := '==' '!=' '<' '<=' '>' '>=' 'in' 'not' 'in' 'contains' 'startsWith' 'endsWith' 'matches'
 *   operand    := literal | list | call | path | '(' or ')'
 *   list       := '[' (operand (',' operand)*)? ']'
 *   call       := identifier '(' (operand (',' operand)*)? ')'
 *   path       := identifier ('.' name | '[' string ']')*
 */
import { RE2JS } from 're2js';
import { referenceBucket } from './murmur3-reference.js';

/**
 * A deviation of src/dsl from SemVer 2.0 that is reported but documented as intended in grammar.md:
 * semver() accepts a leading "v" (npm semver's leniency; semver.org says "v1.2.3" is not a semantic
 * version). The oracle reproduces it so that the fuzz test keeps hunting for new problems instead of
 * re-finding this one; set to false to see the fuzz find it.
 */
export const MIMIC_KNOWN_SRC_BUGS = true;

// ---------------------------------------------------------------------------------------------------
// Values

export class RefSemver {
  constructor(
    readonly major: number,
    readonly minor: number,
    readonly patch: number,
    readonly prerelease: readonly string[],
  ) {}
}

export class RefDate {
  constructor(readonly ms: number) {}
}

// ---------------------------------------------------------------------------------------------------
// Tokens

type TokenKind = 'number' | 'string' | 'identifier' | 'keyword' | 'symbol' | 'end';

interface Token {
  kind: TokenKind;
  text: string;
  value?: string | number;
}

const keywords = new Set([
  'and',
  'or',
  'not',
  'in',
  'contains',
  'startsWith',
  'endsWith',
  'matches',
  'true',
  'false',
  'null',
]);
const symbols = ['&&', '||', '==', '!=', '<=', '>=', '<', '>', '!', '(', ')', '[', ']', ',', '.'];
const numberPattern = /-?(?:0|[1-9][0-9]*)(?:\.[0-9]+)?(?:[eE][+-]?[0-9]+)?/y;
const identifierPattern = /[A-Za-z_$][A-Za-z0-9_$]*/y;

class Rejected extends Error {}

function reject(reason: string): never {
  throw new Rejected(reason);
}

function decodeEscapes(body: string): string {
  let out = '';
  for (let i = 0; i < body.length; i++) {
    const c = body[i]!;
    if (c !== '\\') {
      out += c;
      continue;
    }
    const e = body[i + 1];
    i++;
    if (e === '\\') out += '\\';
    else if (e === '"') out += '"';
    else if (e === "'") out += "'";
    else if (e === 'n') out += '\n';
    else if (e === 't') out += '\t';
    else if (e === 'u') {
      const hex = body.slice(i + 1, i + 5);
      if (!/^[0-9a-fA-F]{4}$/.test(hex)) reject('bad \\u escape');
      out += String.fromCharCode(parseInt(hex, 16));
      i += 4;
    } else reject(`bad escape \\${e}`);
  }
  return out;
}

function tokenize(source: string): Token[] {
  const tokens: Token[] = [];
  let i = 0;
  while (i < source.length) {
    const c = source[i]!;
    if (c === ' ' || c === '\t' || c === '\r' || c === '\n') {
      i++;
      continue;
    }
    numberPattern.lastIndex = i;
    const number = numberPattern.exec(source);
    if (number) {
      tokens.push({ kind: 'number', text: number[0], value: Number(number[0]) });
      i += number[0].length;
      continue;
    }
    if (c === '"' || c === "'") {
      let j = i + 1;
      for (;;) {
        if (j >= source.length) reject('unterminated string');
        const d = source[j]!;
        if (d === '\r' || d === '\n') reject('line break in string');
        if (d === c) break;
        if (d === '\\') {
          const next = source[j + 1];
          if (next === undefined || next === '\r' || next === '\n') reject('unterminated string');
          j += 2;
          continue;
        }
        j++;
      }
      tokens.push({ kind: 'string', text: source.slice(i, j + 1), value: decodeEscapes(source.slice(i + 1, j)) });
      i = j + 1;
      continue;
    }
    identifierPattern.lastIndex = i;
    const word = identifierPattern.exec(source);
    if (word) {
      tokens.push({ kind: keywords.has(word[0]) ? 'keyword' : 'identifier', text: word[0] });
      i += word[0].length;
      continue;
    }
    const symbol = symbols.find((s) => source.startsWith(s, i));
    if (!symbol) reject(`unexpected character ${JSON.stringify(c)}`);
    tokens.push({ kind: 'symbol', text: symbol });
    i += symbol.length;
  }
  tokens.push({ kind: 'end', text: '' });
  return tokens;
}

// ---------------------------------------------------------------------------------------------------
// Syntax tree

export type RefNode =
  | { t: 'literal'; value: string | number | boolean | null }
  | { t: 'list'; items: RefNode[] }
  | { t: 'path'; segments: string[] }
  | { t: 'call'; name: string; args: RefNode[] }
  | { t: 'and' | 'or'; operands: RefNode[] }
  | { t: 'not'; operand: RefNode }
  | { t: 'compare'; op: string; left: RefNode; right: RefNode };

const comparisonSymbols = new Set(['==', '!=', '<', '<=', '>', '>=']);
const comparisonWords = new Set(['in', 'contains', 'startsWith', 'endsWith', 'matches']);

class Parser {
  private at = 0;
  constructor(private readonly tokens: Token[]) {}

  private peek(offset = 0): Token {
    return this.tokens[Math.min(this.at + offset, this.tokens.length - 1)]!;
  }
  private is(text: string, offset = 0): boolean {
    const token = this.peek(offset);
    return (token.kind === 'symbol' || token.kind === 'keyword') && token.text === text;
  }
  private take(): Token {
    return this.tokens[this.at++]!;
  }
  private expect(text: string): void {
    if (!this.is(text)) reject(`expected ${text}`);
    this.at++;
  }

  rule(): RefNode {
    const node = this.or();
    if (this.peek().kind !== 'end') reject('trailing input');
    return node;
  }

  private or(): RefNode {
    const operands = [this.and()];
    while (this.is('or') || this.is('||')) {
      this.at++;
      operands.push(this.and());
    }
    return operands.length === 1 ? operands[0]! : { t: 'or', operands };
  }

  private and(): RefNode {
    const operands = [this.not()];
    while (this.is('and') || this.is('&&')) {
      this.at++;
      operands.push(this.not());
    }
    return operands.length === 1 ? operands[0]! : { t: 'and', operands };
  }

  private not(): RefNode {
    let negations = 0;
    while (this.is('not') || this.is('!')) {
      this.at++;
      negations++;
    }
    let node = this.comparison();
    for (let i = 0; i < negations; i++) node = { t: 'not', operand: node };
    return node;
  }

  private comparison(): RefNode {
    const left = this.operand();
    const token = this.peek();
    let op: string | null = null;
    if (token.kind === 'symbol' && comparisonSymbols.has(token.text)) op = token.text;
    else if (token.kind === 'keyword' && comparisonWords.has(token.text)) op = token.text;
    else if (this.is('not')) {
      if (!this.is('in', 1)) reject("'not' without 'in'");
      this.at++;
      op = 'not in';
    }
    if (op === null) return left;
    this.at++;
    return { t: 'compare', op, left, right: this.operand() };
  }

  private operand(): RefNode {
    const token = this.peek();
    if (token.kind === 'number' || token.kind === 'string') {
      this.at++;
      return { t: 'literal', value: token.value! };
    }
    if (token.kind === 'keyword' && (token.text === 'true' || token.text === 'false' || token.text === 'null')) {
      this.at++;
      return { t: 'literal', value: token.text === 'null' ? null : token.text === 'true' };
    }
    if (this.is('[')) {
      this.at++;
      const items: RefNode[] = [];
      if (!this.is(']')) {
        items.push(this.operand());
        while (this.is(',')) {
          this.at++;
          items.push(this.operand());
        }
      }
      this.expect(']');
      return { t: 'list', items };
    }
    if (this.is('(')) {
      this.at++;
      const inner = this.or();
      this.expect(')');
      return inner;
    }
    if (token.kind === 'identifier') {
      this.at++;
      if (this.is('(')) {
        this.at++;
        const args: RefNode[] = [];
        if (!this.is(')')) {
          args.push(this.operand());
          while (this.is(',')) {
            this.at++;
            args.push(this.operand());
          }
        }
        this.expect(')');
        return { t: 'call', name: token.text, args };
      }
      const segments = [token.text];
      for (;;) {
        if (this.is('.')) {
          this.at++;
          const name = this.take();
          if (name.kind !== 'identifier' && name.kind !== 'keyword') reject('expected a name after .');
          segments.push(name.text);
        } else if (this.is('[')) {
          this.at++;
          const key = this.take();
          if (key.kind !== 'string') reject('expected a string key');
          segments.push(key.value as string);
          this.expect(']');
        } else break;
      }
      return { t: 'path', segments };
    }
    return reject(`expected a value, found ${JSON.stringify(token.text)}`);
  }
}

// ---------------------------------------------------------------------------------------------------
// Static checks

const MAX_SOURCE_BYTES = 16 * 1024;
const MAX_DEPTH = 64;
const MAX_LIST_ITEMS = 10_000;

const arities: Record<string, [number, number]> = {
  lower: [1, 1],
  upper: [1, 1],
  len: [1, 1],
  semver: [1, 1],
  date: [1, 1],
  now: [0, 0],
  bucket: [1, 2],
};

function children(node: RefNode): RefNode[] {
  switch (node.t) {
    case 'list':
      return node.items;
    case 'call':
      return node.args;
    case 'and':
    case 'or':
      return node.operands;
    case 'not':
      return [node.operand];
    case 'compare':
      return [node.left, node.right];
    default:
      return [];
  }
}

function depth(node: RefNode): number {
  // Iterative: trees may be long `not` chains.
  let deepest = 0;
  const stack: Array<[RefNode, number]> = [[node, 1]];
  while (stack.length > 0) {
    const [n, d] = stack.pop()!;
    deepest = Math.max(deepest, d);
    for (const c of children(n)) stack.push([c, d + 1]);
  }
  return deepest;
}

const patternCache = new Map<string, RE2JS | null>();
function pattern(text: string): RE2JS | null {
  if (!patternCache.has(text)) {
    let compiled: RE2JS | null = null;
    try {
      compiled = RE2JS.compile(text);
    } catch {
      compiled = null;
    }
    patternCache.set(text, compiled);
  }
  return patternCache.get(text)!;
}

export interface RefResolvers {
  segment?: (name: string, context: unknown, scope: unknown) => boolean;
  flag?: (key: string, context: unknown, scope: unknown) => unknown;
}

export interface RefOptions {
  salt?: string;
  resolvers?: RefResolvers;
}

function check(node: RefNode, options: RefOptions): void {
  const stack = [node];
  while (stack.length > 0) {
    const n = stack.pop()!;
    if (n.t === 'literal' && typeof n.value === 'number' && !Number.isFinite(n.value)) reject('number out of range');
    if (n.t === 'list' && n.items.length > MAX_LIST_ITEMS) reject('list too long');
    if (n.t === 'call') {
      if (n.name === 'segment' || n.name === 'flag') {
        const arg = n.args[0];
        if (n.args.length !== 1 || arg?.t !== 'literal' || typeof arg.value !== 'string')
          reject(`${n.name}() needs one quoted name`);
        if (!options.resolvers?.[n.name]) reject(`${n.name}() without a resolver`);
      } else {
        const arity = arities[n.name];
        if (!arity) reject(`unknown function ${n.name}`);
        if (n.args.length < arity[0] || n.args.length > arity[1]) reject(`wrong arity for ${n.name}`);
      }
    }
    if (n.t === 'compare' && n.op === 'matches') {
      if (n.right.t !== 'literal' || typeof n.right.value !== 'string') reject('matches needs a string literal');
      if (!pattern(n.right.value)) reject('invalid RE2 pattern');
    }
    stack.push(...children(n));
  }
}

// ---------------------------------------------------------------------------------------------------
// Functions

const semverPattern =
  /^(0|[1-9]\d*)\.(0|[1-9]\d*)\.(0|[1-9]\d*)(?:-((?:0|[1-9]\d*|\d*[a-zA-Z-][0-9a-zA-Z-]*)(?:\.(?:0|[1-9]\d*|\d*[a-zA-Z-][0-9a-zA-Z-]*))*))?(?:\+([0-9a-zA-Z-]+(?:\.[0-9a-zA-Z-]+)*))?$/;

export function refSemver(value: unknown): RefSemver | null {
  // 256 characters and MAX_SAFE_INTEGER are the documented bounds of the implementation (npm semver).
  if (typeof value !== 'string' || value.length > 256) return null;
  let text = value;
  if (MIMIC_KNOWN_SRC_BUGS && text.startsWith('v')) text = text.slice(1);
  const m = semverPattern.exec(text);
  if (!m) return null;
  const [major, minor, patch] = [Number(m[1]), Number(m[2]), Number(m[3])];
  if (![major, minor, patch].every((n) => n <= Number.MAX_SAFE_INTEGER)) return null;
  return new RefSemver(major, minor, patch, m[4] ? m[4].split('.') : []);
}

function compareIdentifier(a: string, b: string): number {
  const an = /^\d+$/.test(a);
  const bn = /^\d+$/.test(b);
  if (an && bn) return Math.sign(Number(a) - Number(b));
  if (an) return -1;
  if (bn) return 1;
  return a < b ? -1 : a > b ? 1 : 0;
}

export function compareSemver(a: RefSemver, b: RefSemver): number {
  for (const key of ['major', 'minor', 'patch'] as const) if (a[key] !== b[key]) return a[key] < b[key] ? -1 : 1;
  if (a.prerelease.length === 0 || b.prerelease.length === 0)
    return Math.sign(b.prerelease.length - a.prerelease.length);
  for (let i = 0; i < Math.max(a.prerelease.length, b.prerelease.length); i++) {
    if (i >= a.prerelease.length) return -1;
    if (i >= b.prerelease.length) return 1;
    const c = compareIdentifier(a.prerelease[i]!, b.prerelease[i]!);
    if (c !== 0) return c;
  }
  return 0;
}

function daysFromCivil(y: number, m: number, d: number): number {
  // Howard Hinnant's days_from_civil (proleptic Gregorian).
  y -= m <= 2 ? 1 : 0;
  const era = Math.floor(y / 400);
  const yoe = y - era * 400;
  const doy = Math.floor((153 * (m + (m > 2 ? -3 : 9)) + 2) / 5) + d - 1;
  const doe = yoe * 365 + Math.floor(yoe / 4) - Math.floor(yoe / 100) + doy;
  return era * 146097 + doe - 719468;
}

function daysInMonth(y: number, m: number): number {
  const leap = (y % 4 === 0 && y % 100 !== 0) || y % 400 === 0;
  return [31, leap ? 29 : 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31][m - 1]!;
}

const digits = (s: string, n: number) => s.length === n && /^[0-9]+$/.test(s);

/** ISO-8601 calendar date, optionally `T`/space, hh:mm[:ss[.fraction]], optionally Z or ±hh[:]mm; no zone = UTC. */
export function refDate(value: unknown): RefDate | null {
  if (typeof value === 'number')
    return Number.isFinite(value) && Math.abs(value) <= 8.64e15 ? new RefDate(value) : null;
  if (typeof value !== 'string') return null;
  const [datePart, timePart, ...rest] = value.split(/[T ]/);
  if (rest.length > 0 || datePart === undefined) return null;
  const ymd = datePart.split('-');
  if (ymd.length !== 3 || !digits(ymd[0]!, 4) || !digits(ymd[1]!, 2) || !digits(ymd[2]!, 2)) return null;
  const [y, mo, d] = ymd.map(Number) as [number, number, number];
  if (mo < 1 || mo > 12 || d < 1 || d > daysInMonth(y, mo)) return null;
  let ms = daysFromCivil(y, mo, d) * 86_400_000;
  if (timePart === undefined) return new RefDate(ms);
  let time = timePart;
  let offsetMinutes = 0;
  if (time.endsWith('Z')) time = time.slice(0, -1);
  else {
    const sign = Math.max(time.lastIndexOf('+'), time.lastIndexOf('-'));
    if (sign >= 0) {
      const zone = time.slice(sign + 1).replace(/^(\d\d):(\d\d)$/, '$1$2');
      if (!digits(zone, 4)) return null;
      const [zh, zm] = [Number(zone.slice(0, 2)), Number(zone.slice(2))];
      if (zh > 23 || zm > 59) return null;
      offsetMinutes = (time[sign] === '-' ? -1 : 1) * (zh * 60 + zm);
      time = time.slice(0, sign);
    }
  }
  const [clock, fraction, ...more] = time.split('.');
  if (more.length > 0 || clock === undefined) return null;
  const hms = clock.split(':');
  if (hms.length < 2 || hms.length > 3 || !hms.every((part) => digits(part, 2))) return null;
  if (fraction !== undefined && (hms.length !== 3 || !/^[0-9]{1,9}$/.test(fraction))) return null;
  const [h, mi, s = 0] = hms.map(Number) as [number, number, number?];
  if (h > 23 || mi > 59 || s > 59) return null;
  const millis = fraction === undefined ? 0 : Number(fraction.padEnd(3, '0').slice(0, 3));
  ms += ((h * 60 + mi - offsetMinutes) * 60 + s) * 1000 + millis;
  return new RefDate(ms);
}

// ---------------------------------------------------------------------------------------------------
// Evaluation

function isPlainObject(value: unknown): value is Record<string, unknown> {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return false;
  const proto = Object.getPrototypeOf(value);
  return proto === Object.prototype || proto === null;
}

function read(target: unknown, key: string): unknown {
  if (!isPlainObject(target) || !Object.prototype.hasOwnProperty.call(target, key)) return null;
  return target[key] ?? null;
}

function same(a: unknown, b: unknown): boolean {
  return (a ?? null) === (b ?? null);
}

export function refEquals(a: unknown, b: unknown): boolean {
  a = a ?? null;
  b = b ?? null;
  if (a === b) return true;
  if (a instanceof RefSemver) return b instanceof RefSemver && compareSemver(a, b) === 0;
  if (a instanceof RefDate) return b instanceof RefDate && a.ms === b.ms;
  if (Array.isArray(a)) return Array.isArray(b) && a.length === b.length && a.every((item, i) => refEquals(item, b[i]));
  if (isPlainObject(a) && isPlainObject(b)) {
    const keys = Object.keys(a);
    return (
      keys.length === Object.keys(b).length &&
      keys.every((k) => Object.prototype.hasOwnProperty.call(b, k) && refEquals(a[k], b[k]))
    );
  }
  return false;
}

/** <0, 0, >0, or null when the two values are not comparable. */
function order(a: unknown, b: unknown): number | null {
  if (typeof a === 'number' && typeof b === 'number') return a < b ? -1 : a > b ? 1 : 0;
  if (typeof a === 'string' && typeof b === 'string') return a < b ? -1 : a > b ? 1 : 0;
  if (a instanceof RefSemver && b instanceof RefSemver) return compareSemver(a, b);
  if (a instanceof RefDate && b instanceof RefDate) return a.ms < b.ms ? -1 : a.ms > b.ms ? 1 : 0;
  return null;
}

function member(item: unknown, list: unknown): boolean {
  return Array.isArray(list) && list.some((element) => same(element, item));
}

class Evaluator {
  constructor(
    private readonly options: RefOptions,
    private readonly context: unknown,
    private readonly scope: unknown,
  ) {}

  truth(node: RefNode): boolean {
    return this.value(node) === true;
  }

  value(node: RefNode): unknown {
    switch (node.t) {
      case 'literal':
        return node.value;
      case 'path':
        return node.segments.reduce<unknown>(read, this.context);
      case 'list':
        return node.items.map((item) => this.value(item));
      case 'not':
        return !this.truth(node.operand);
      case 'and':
        return node.operands.every((operand) => this.truth(operand));
      case 'or':
        return node.operands.some((operand) => this.truth(operand));
      case 'call':
        return this.call(node.name, node.args);
      case 'compare':
        return this.compare(node.op, this.value(node.left), this.value(node.right));
    }
  }

  private call(name: string, argNodes: RefNode[]): unknown {
    const args = argNodes.map((arg) => this.value(arg));
    const [x] = args;
    switch (name) {
      case 'lower':
        return typeof x === 'string' ? x.toLowerCase() : null;
      case 'upper':
        return typeof x === 'string' ? x.toUpperCase() : null;
      case 'len':
        return typeof x === 'string' || Array.isArray(x) ? x.length : null;
      case 'semver':
        return refSemver(x);
      case 'date':
        return refDate(x);
      case 'now':
        return new RefDate(Date.now());
      case 'bucket':
        return referenceBucket(x, args.length > 1 ? args[1] : (this.options.salt ?? ''));
      case 'segment':
        return this.options.resolvers!.segment!(x as string, this.context, this.scope) === true;
      case 'flag':
        return this.options.resolvers!.flag!(x as string, this.context, this.scope) ?? null;
      default:
        throw new Error(`unreachable: ${name}`);
    }
  }

  private compare(op: string, a: unknown, b: unknown): boolean {
    switch (op) {
      case '==':
        return refEquals(a, b);
      case '!=':
        return !refEquals(a, b);
      case '<':
      case '<=':
      case '>':
      case '>=': {
        const c = order(a, b);
        if (c === null) return false;
        return op === '<' ? c < 0 : op === '<=' ? c <= 0 : op === '>' ? c > 0 : c >= 0;
      }
      case 'in':
        return member(a, b);
      case 'not in':
        return !member(a, b);
      case 'contains':
        if (typeof a === 'string') return typeof b === 'string' && a.indexOf(b) !== -1;
        return member(b, a);
      case 'startsWith':
        return typeof a === 'string' && typeof b === 'string' && a.slice(0, b.length) === b;
      case 'endsWith':
        return (
          typeof a === 'string' && typeof b === 'string' && b.length <= a.length && a.slice(a.length - b.length) === b
        );
      case 'matches':
        return (
          typeof a === 'string' &&
          pattern(b as string)!
            .matcher(a)
            .find()
        );
      default:
        throw new Error(`unreachable: ${op}`);
    }
  }
}

// ---------------------------------------------------------------------------------------------------
// Entry point

export type RefCompiled =
  | { ok: true; ast: RefNode; evaluate(context: unknown, scope?: unknown): boolean }
  | { ok: false; reason: string };

function bracketDepthExceeded(tokens: Token[]): boolean {
  let level = 0;
  for (const token of tokens) {
    if (token.kind !== 'symbol') continue;
    if (token.text === '(' || token.text === '[') level++;
    else if (token.text === ')' || token.text === ']') level = Math.max(0, level - 1);
    if (level > MAX_DEPTH) return true;
  }
  return false;
}

const utf8 = new TextEncoder();

export function referenceCompile(source: string, options: RefOptions = {}): RefCompiled {
  try {
    if (utf8.encode(source).length > MAX_SOURCE_BYTES) reject('source too long');
    const tokens = tokenize(source);
    if (bracketDepthExceeded(tokens)) reject('nested too deeply');
    const ast = new Parser(tokens).rule();
    if (depth(ast) > MAX_DEPTH) reject('nested too deeply');
    check(ast, options);
    return { ok: true, ast, evaluate: (context, scope) => new Evaluator(options, context, scope).truth(ast) };
  } catch (error) {
    if (error instanceof Rejected) return { ok: false, reason: error.message };
    throw error;
  }
}
