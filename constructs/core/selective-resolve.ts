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

/** True when `v`, or anything inside it, may change under resolution. */
function needsResolve(v: unknown): boolean {
  switch (typeof v) {
    case 'undefined':
    case 'boolean':
      return false;
    case 'string':
      return stringNeedsResolve(v);
    case 'number':
      return Token.isUnresolved(v) || v === Token.NUMBER_MAP_TOKEN_VALUE;
    case 'object': {
      if (v === null) return false;
      if (Array.isArray(v)) return v.some(needsResolve);
      if (!isPlainObject(v)) return true;
      for (const key of Object.keys(v)) if (stringNeedsResolve(key) || needsResolve(v[key])) return true;
      return false;
    }
    default:
      return true;
  }
}

/** A copy of a token-free value, without undefined entries, as cdktf's resolver would return it. */
function copyPlain(v: unknown): unknown {
  if (typeof v !== 'object' || v === null) return v;
  if (Array.isArray(v)) return v.filter((x) => x !== undefined).map(copyPlain);
  const out: Record<string, unknown> = {};
  for (const key of Object.keys(v)) {
    const value = (v as Record<string, unknown>)[key];
    if (value !== undefined) out[key] = copyPlain(value);
  }
  return out;
}

export function resolveSelectively(scope: IConstruct, v: unknown): unknown {
  if (!needsResolve(v)) return copyPlain(v);
  if (typeof v === 'object' && v !== null) {
    // Arrays with list-token elements and objects with token keys are resolved as wholes by cdktf.
    if (
      Array.isArray(v) &&
      !v.some(
        (x) =>
          (typeof x === 'string' && x.includes(TOKEN_MARKER)) ||
          (typeof x === 'number' && Token.isUnresolved(x)),
      )
    ) {
      return v.map((x) => resolveSelectively(scope, x)).filter((x) => x !== undefined);
    }
    if (!Array.isArray(v) && isPlainObject(v) && !Object.keys(v).some(stringNeedsResolve)) {
      const out: Record<string, unknown> = {};
      for (const key of Object.keys(v)) {
        const value = resolveSelectively(scope, v[key]);
        if (value !== undefined) out[key] = value;
      }
      return out;
    }
  }
  return resolve(scope, v);
}
