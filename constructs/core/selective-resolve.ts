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
import type { IConstruct } from 'constructs';

// cdktf's number-token pattern (tokens/private/encoding.ts): a string it matches may embed an encoded number.
const NUMBER_TOKEN = /[-|\d|.+]+(e[-|\d|.|e|E|+]+)/;
const TOKEN_MARKER = '{TfToken[';

function stringNeedsResolve(s: string): boolean {
  return (
    s.includes(TOKEN_MARKER) ||
    s === Token.STRING_MAP_TOKEN_VALUE ||
    s === Token.ANY_MAP_TOKEN_VALUE ||
    NUMBER_TOKEN.test(s)
  );
}

function isPlainObject(v: object): v is Record<string, unknown> {
  const proto = Object.getPrototypeOf(v);
  return proto === Object.prototype || proto === null;
}

/**
 * One pass over the value: token-free strings, numbers and booleans are kept, `undefined` entries dropped (as
 * cdktf drops them), and only what may hold a token goes to cdktf's `resolve`: a string or number token, an
 * array carrying list tokens, an object keyed by a map token, or anything that is not plain data.
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
      const resolved = resolve(scope, v);
      if (typeof resolved === 'string') strings?.set(v, resolved);
      return resolved;
    }
    case 'number':
      return Token.isUnresolved(v) || v === Token.NUMBER_MAP_TOKEN_VALUE ? resolve(scope, v) : v;
    case 'object': {
      if (v === null) return v;
      if (Array.isArray(v)) {
        // Arrays with list-token elements are resolved as wholes by cdktf.
        for (const x of v)
          if (
            (typeof x === 'string' && x.includes(TOKEN_MARKER)) ||
            (typeof x === 'number' && Token.isUnresolved(x))
          )
            return resolve(scope, v);
        const out: unknown[] = [];
        for (const x of v) {
          const r = resolveSelectively(scope, x, strings);
          if (r !== undefined) out.push(r);
        }
        return out;
      }
      if (!isPlainObject(v)) return resolve(scope, v);
      const keys = Object.keys(v);
      for (const key of keys) if (stringNeedsResolve(key)) return resolve(scope, v);
      const out: Record<string, unknown> = {};
      for (const key of keys) {
        const r = resolveSelectively(scope, v[key], strings);
        if (r !== undefined) out[key] = r;
      }
      return out;
    }
    default:
      return resolve(scope, v);
  }
}
