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
