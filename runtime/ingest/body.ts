/**
 * Request bodies: one JSON event, a JSON array of events, or NDJSON (one event per line). A malformed body is
 * reported with its position (line and column, and for NDJSON the line of the event), found by a small
 * iterative scanner rather than taken from the engine's message, whose wording differs across Node versions.
 * Nesting is bounded, so a hostile body of a million brackets is a 400, not a stack overflow in a later step
 * (structuredClone and JSON.stringify recurse).
 */

export type ParsedBody =
  | { readonly ok: true; readonly events: readonly unknown[] }
  | { readonly ok: false; readonly message: string };

export type BodyKind = 'json' | 'ndjson';

export interface BodyLimits {
  /** Deepest nesting of arrays and objects allowed inside one event. */
  readonly maxDepth: number;
}

interface ScanError {
  readonly offset: number;
  readonly problem: string;
}

const WS = new Set([0x20, 0x09, 0x0a, 0x0d]);

/**
 * Finds the first syntax error in `text` (a single JSON value), or undefined when it is well formed. Iterative,
 * so any nesting depth is scanned in constant stack; `maxDepth` turns excessive nesting into an error.
 */
export function scanJson(
  text: string,
  maxDepth: number,
  start = 0,
  end = text.length,
): ScanError | undefined {
  const stack: number[] = []; // 0x5b '[' or 0x7b '{'
  let i = start;
  // What the scanner expects next: a value, or (inside a container) a separator/closer, or an object key.
  let expect: 'value' | 'after-value' | 'key' | 'colon' | 'first-key' | 'first-value' = 'value';
  const skipWs = () => {
    while (i < end && WS.has(text.charCodeAt(i))) i++;
  };
  const fail = (problem: string): ScanError => ({ offset: i, problem });
  for (;;) {
    skipWs();
    if (i >= end) {
      if (expect === 'after-value' && stack.length === 0) return undefined;
      return fail(
        stack.length > 0 ? 'unexpected end of input inside a container' : 'unexpected end of input',
      );
    }
    const ch = text.charCodeAt(i);
    if (expect === 'after-value') {
      if (stack.length === 0) return fail('unexpected data after the value');
      const top = stack[stack.length - 1];
      if (ch === 0x2c) {
        i++;
        expect = top === 0x7b ? 'key' : 'value';
        continue;
      }
      if ((top === 0x5b && ch === 0x5d) || (top === 0x7b && ch === 0x7d)) {
        i++;
        stack.pop();
        continue;
      }
      return fail(top === 0x5b ? 'expected "," or "]"' : 'expected "," or "}"');
    }
    if (expect === 'colon') {
      if (ch !== 0x3a) return fail('expected ":"');
      i++;
      expect = 'value';
      continue;
    }
    if (expect === 'key' || expect === 'first-key') {
      if (expect === 'first-key' && ch === 0x7d) {
        i++;
        stack.pop();
        expect = 'after-value';
        continue;
      }
      if (ch !== 0x22) return fail('expected a property name in double quotes');
      const err = scanString();
      if (err) return err;
      expect = 'colon';
      continue;
    }
    // A value.
    if (expect === 'first-value' && ch === 0x5d) {
      i++;
      stack.pop();
      expect = 'after-value';
      continue;
    }
    if (ch === 0x7b || ch === 0x5b) {
      if (stack.length >= maxDepth) return fail(`nesting deeper than ${maxDepth} levels`);
      stack.push(ch);
      i++;
      expect = ch === 0x7b ? 'first-key' : 'first-value';
      continue;
    }
    if (ch === 0x22) {
      const err = scanString();
      if (err) return err;
    } else if (ch === 0x2d || (ch >= 0x30 && ch <= 0x39)) {
      const err = scanNumber();
      if (err) return err;
    } else if (text.startsWith('true', i)) i += 4;
    else if (text.startsWith('false', i)) i += 5;
    else if (text.startsWith('null', i)) i += 4;
    else return fail('expected a value');
    expect = 'after-value';
  }

  function scanString(): ScanError | undefined {
    i++; // opening quote
    while (i < end) {
      const c = text.charCodeAt(i);
      if (c === 0x22) {
        i++;
        return undefined;
      }
      if (c < 0x20) return fail('control character in a string');
      if (c === 0x5c) {
        const e = text.charCodeAt(i + 1);
        if (e === 0x75) {
          if (!/^[0-9A-Fa-f]{4}$/.test(text.slice(i + 2, i + 6))) return fail('invalid \\u escape');
          i += 6;
        } else if ('"\\/bfnrt'.includes(text[i + 1] ?? '')) i += 2;
        else return fail('invalid escape in a string');
        continue;
      }
      i++;
    }
    return fail('unterminated string');
  }

  function scanNumber(): ScanError | undefined {
    const m = /^-?(?:0|[1-9][0-9]*)(?:\.[0-9]+)?(?:[eE][+-]?[0-9]+)?/.exec(
      text.slice(i, Math.min(end, i + 400)),
    );
    if (!m || m[0] === '-' || m[0] === '') return fail('invalid number');
    i += m[0].length;
    return undefined;
  }
}

/** 1-based line and column of `offset` in `text`. */
export function lineColumn(text: string, offset: number): { line: number; column: number } {
  let line = 1;
  let lineStart = 0;
  for (let i = text.indexOf('\n'); i !== -1 && i < offset; i = text.indexOf('\n', i + 1)) {
    line++;
    lineStart = i + 1;
  }
  return { line, column: offset - lineStart + 1 };
}

function describe(text: string, error: ScanError): string {
  const { line, column } = lineColumn(text, error.offset);
  return `malformed JSON at line ${line}, column ${column} (position ${error.offset}): ${error.problem}`;
}

type One = { readonly ok: true; readonly value: unknown } | { readonly ok: false; readonly error: ScanError };

/** Nesting depth of a parsed value, walked with an explicit stack; stops as soon as it exceeds `max`. */
function deeperThan(value: unknown, max: number): boolean {
  if (typeof value !== 'object' || value === null) return false;
  const stack: [unknown, number][] = [[value, 1]];
  while (stack.length > 0) {
    const [v, depth] = stack.pop() as [unknown, number];
    if (depth > max) return true;
    const children = Array.isArray(v) ? v : Object.values(v as object);
    for (const c of children) if (typeof c === 'object' && c !== null) stack.push([c, depth + 1]);
  }
  return false;
}

/** Whether `text[start, end)` holds more than `max` opening brackets (`[` or `{`, in strings or not). */
function opensMoreThan(text: string, start: number, end: number, max: number): boolean {
  let count = 0;
  for (let i = text.indexOf('{', start); i !== -1 && i < end; i = text.indexOf('{', i + 1))
    if (++count > max) return true;
  for (let i = text.indexOf('[', start); i !== -1 && i < end; i = text.indexOf('[', i + 1))
    if (++count > max) return true;
  return false;
}

function parseOne(text: string, limits: BodyLimits, start: number, end: number): One {
  const slice = start === 0 && end === text.length ? text : text.slice(start, end);
  // The engine's parser is fast and iterative (no stack overflow however deep); the scanner runs only to
  // explain a failure: where the body is malformed, or where it nests too deep for later steps.
  let value: unknown;
  try {
    value = JSON.parse(slice);
  } catch {
    return {
      ok: false,
      error: scanJson(text, limits.maxDepth, start, end) ?? { offset: start, problem: 'malformed JSON' },
    };
  }
  // A value cannot nest deeper than the number of brackets that open in its text: most events have a few.
  if (opensMoreThan(text, start, end, limits.maxDepth) && deeperThan(value, limits.maxDepth))
    return {
      ok: false,
      error: scanJson(text, limits.maxDepth, start, end) ?? {
        offset: start,
        problem: `nesting deeper than ${limits.maxDepth} levels`,
      },
    };
  return { ok: true, value };
}

export function parseBody(text: string, kind: BodyKind, limits: BodyLimits): ParsedBody {
  if (kind === 'json') {
    if (text.trim() === '')
      return { ok: false, message: 'empty body: send one JSON event or an array of events' };
    const one = parseOne(text, limits, 0, text.length);
    if (!one.ok) return { ok: false, message: describe(text, one.error) };
    const events = Array.isArray(one.value) ? one.value : [one.value];
    return events.length === 0
      ? { ok: false, message: 'empty array: send at least one event' }
      : { ok: true, events };
  }
  const events: unknown[] = [];
  let lineNo = 0;
  for (let start = 0; start <= text.length; ) {
    const nl = text.indexOf('\n', start);
    const end = nl === -1 ? text.length : nl;
    lineNo++;
    const lineEnd = end > start && text.charCodeAt(end - 1) === 0x0d ? end - 1 : end;
    if (text.slice(start, lineEnd).trim() !== '') {
      const one = parseOne(text, limits, start, lineEnd);
      if (!one.ok) {
        const column = one.error.offset - start + 1;
        return {
          ok: false,
          message: `malformed NDJSON at line ${lineNo}, column ${column} (position ${one.error.offset}): ${one.error.problem}`,
        };
      }
      events.push(one.value);
    }
    if (nl === -1) break;
    start = nl + 1;
  }
  return events.length === 0
    ? { ok: false, message: 'empty body: send one event per line' }
    : { ok: true, events };
}
