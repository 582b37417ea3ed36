/**
 * Token resolution that hands cdktf only the parts of a value that can hold tokens.
 *
 * cdktf's resolver costs about 3 µs for every string and object key it visits (three regex scans and two
 * context allocations each), whether or not the string holds a token; that per-key cost was most of a large
 * synth. A string without a token marker, a plain number and a boolean resolve to themselves, so token-free
 * subtrees are copied here (dropping `undefined`, as cdktf does) and everything else, including whole arrays
 * that carry list tokens and objects keyed by map tokens, goes to cdktf's own `resolve` unchanged. A test
 * compares the result with cdktf's output for every stack.
 */
import { Token } from 'cdktf';
import { resolve } from 'cdktf/lib/_tokens';
import { ref } from 'cdktf/lib/tfExpression';
import type { IConstruct } from 'constructs';

// `import = require` binds cdktf's module objects (see cdktf-tokens.ts for the same reach into the token map).
import encoding = require('cdktf/lib/tokens/private/encoding');
import tokenMap = require('cdktf/lib/tokens/private/token-map');

// cdktf's number-token pattern (tokens/private/encoding.ts): a string it matches may embed an encoded number.
export const NUMBER_TOKEN = /[-|\d|.+]+(e[-|\d|.|e|E|+]+)/;

const BEFORE_E = '-|.+0123456789';
const AFTER_E = `${BEFORE_E}eE`;

/**
 * NUMBER_TOKEN.test(s) without the regex engine (which tries every position of every string): the pattern
 * matches exactly when some `e` has one of `-|.+0-9` before it and one of `-|.+0-9eE` after it.
 */
export function mayHoldNumberToken(s: string): boolean {
  for (let i = s.indexOf('e', 1); i !== -1 && i < s.length - 1; i = s.indexOf('e', i + 1))
    if (BEFORE_E.includes(s[i - 1] as string) && AFTER_E.includes(s[i + 1] as string)) return true;
  return false;
}

// cdktf keeps its attribute-reference class private; the class is taken from an instance.
const Reference = ref('').constructor;
const OPEN = encoding.BEGIN_STRING_TOKEN_MARKER;
const CLOSE = encoding.END_TOKEN_MARKER;
const LIST_OPEN = encoding.BEGIN_LIST_TOKEN_MARKER;
// `{TfToken[`: both the string marker `${TfToken[` and the list marker `#{TfToken[` contain it.
const TOKEN_MARKER = OPEN.slice(1);
const tokens = (tokenMap.TokenMap.instance() as unknown as { stringTokenMap: Map<string, unknown> })
  .stringTokenMap;

function stringNeedsResolve(s: string): boolean {
  return (
    s.includes(TOKEN_MARKER) ||
    s === Token.STRING_MAP_TOKEN_VALUE ||
    s === Token.ANY_MAP_TOKEN_VALUE ||
    mayHoldNumberToken(s)
  );
}

interface ReferenceInternals {
  readonly identifier: string;
  readonly crossStackIdentifier: Record<string, string>;
}

/**
 * What cdktf resolves `s` to when `s` is literal text and attribute references only (almost every token string
 * of a stack: `${google_x.y.id}`, `serviceAccount:${...email}`), without cdktf's per-string resolution
 * contexts; undefined for anything else, which cdktf then resolves. A reference resolves to `${identifier}`
 * unless cdktf's cross-stack preparation gave it another identifier. Literal text holding `$`, `{` or `}`
 * (escapes, other token kinds) and results cdktf would scan for number tokens are left to cdktf.
 */
function referencesOnly(s: string): string | undefined {
  let out = '';
  let from = 0;
  for (let at = s.indexOf(OPEN); at !== -1; at = s.indexOf(OPEN, from)) {
    const literal = s.slice(from, at);
    if (!plainLiteral(literal)) return undefined;
    const end = s.indexOf(CLOSE, at + OPEN.length);
    if (end === -1) return undefined;
    const token = tokens.get(s.slice(at + OPEN.length, end));
    if (!(token instanceof Reference)) return undefined;
    const { identifier, crossStackIdentifier } = token as unknown as ReferenceInternals;
    for (const _ in crossStackIdentifier) return undefined;
    out += `${literal}\${${identifier}}`;
    from = end + CLOSE.length;
  }
  const rest = s.slice(from);
  if (from === 0 || !plainLiteral(rest)) return undefined;
  out += rest;
  return mayHoldNumberToken(out) ? undefined : out;
}

function plainLiteral(text: string): boolean {
  return !text.includes('$') && !text.includes('{') && !text.includes('}');
}

function isPlainObject(v: object): v is Record<string, unknown> {
  const proto = Object.getPrototypeOf(v);
  return proto === Object.prototype || proto === null;
}

/**
 * One pass over the value: token-free strings, numbers and booleans are kept, `undefined` entries dropped (as
 * cdktf drops them), and only what may hold a token goes to cdktf's `resolve`: a string or number token, an
 * array carrying list tokens, an object keyed by a map token, or anything that is not plain data. Arrays and
 * objects are copied only where something inside changed; unchanged subtrees are returned as they are (the
 * element's toTerraform builds them fresh for every call, so nothing else holds them).
 */
export function resolveSelectively(scope: IConstruct, v: unknown, strings?: Map<string, unknown>): unknown {
  switch (typeof v) {
    case 'undefined':
    case 'boolean':
      return v;
    case 'string': {
      if (!stringNeedsResolve(v)) return v;
      // The same token string (a member, a reference) recurs across a stack; with one scope it resolves alike.
      const known = strings?.get(v);
      if (known !== undefined) return known;
      const resolved = referencesOnly(v) ?? resolve(scope, v);
      if (typeof resolved === 'string') strings?.set(v, resolved);
      return resolved;
    }
    case 'number':
      return Token.isUnresolved(v) || v === Token.NUMBER_MAP_TOKEN_VALUE ? resolve(scope, v) : v;
    case 'object': {
      if (v === null) return v;
      if (Array.isArray(v)) {
        // Arrays with list-token elements are resolved as wholes by cdktf; others element by element, as cdktf
        // does (string tokens in elements, such as depends_on references, resolve like any other string).
        for (const x of v)
          if (
            (typeof x === 'string' && x.includes(LIST_OPEN)) ||
            (typeof x === 'number' && Token.isUnresolved(x))
          )
            return resolve(scope, v);
        let out: unknown[] | undefined;
        for (let i = 0; i < v.length; i++) {
          const x = v[i];
          const r = resolveSelectively(scope, x, strings);
          if (out === undefined && (r !== x || r === undefined)) out = v.slice(0, i);
          if (out !== undefined && r !== undefined) out.push(r);
        }
        return out ?? v;
      }
      if (!isPlainObject(v)) return resolve(scope, v);
      const keys = Object.keys(v);
      for (const key of keys) if (stringNeedsResolve(key)) return resolve(scope, v);
      let out: Record<string, unknown> | undefined;
      for (let i = 0; i < keys.length; i++) {
        const key = keys[i] as string;
        const x = v[key];
        const r = resolveSelectively(scope, x, strings);
        if (out === undefined && (r !== x || r === undefined)) {
          out = {};
          for (let j = 0; j < i; j++) out[keys[j] as string] = v[keys[j] as string];
        }
        if (out !== undefined && r !== undefined) out[key] = r;
      }
      return out ?? v;
    }
    default:
      return resolve(scope, v);
  }
}
