/**
 * The exact text cdktf writes for a stack: `json-stable-stringify` with `space: 2`, i.e. keys sorted, and
 * empty arrays and objects broken over two lines (`[\n<indent>]`). Built from a key-sorted copy serialized
 * by the native `JSON.stringify` (several times faster on the multi-megabyte documents of large stacks),
 * then empty containers rewritten. Objects with integer-like keys (which JavaScript always orders first) or
 * strings containing the placeholder mark fall back to a direct writer. A test compares both paths with
 * cdktf's own bundled stringifier on every stack and on edge cases.
 */
// DEL marks empty containers. JSON.stringify writes it unescaped and it is one-byte, so the text stays one-byte
// (a non-Latin-1 mark would make V8 widen the whole multi-megabyte document to two-byte) and the search for it
// is a plain byte scan; an escaped control character would start with a backslash, and the escaped JSON that
// stacks embed (schemas, policies) is full of those.
const MARK = '\u007f';
const EMPTY_ARRAY = `${MARK}[]`;
const EMPTY_OBJECT = `${MARK}{}`;
const INTEGER_KEY = /^(?:0|[1-9]\d*)$/;

class Fallback extends Error {}

let placeholders = 0;

/**
 * A copy with sorted keys and empty containers as placeholders; throws Fallback when that cannot be exact.
 * Strings and keys are not searched for the mark here: any that holds it adds a mark to the text beyond the
 * placeholders' own, which expandPlaceholders detects by counting.
 */
function sortedCopy(value: unknown): unknown {
  if (value === null || typeof value !== 'object') return value;
  if (typeof (value as { toJSON?: unknown }).toJSON === 'function') throw new Fallback();
  if (Array.isArray(value)) {
    if (value.length === 0) {
      placeholders++;
      return EMPTY_ARRAY;
    }
    return value.map(sortedCopy);
  }
  const keys = Object.keys(value).sort();
  const out: Record<string, unknown> = {};
  let written = 0;
  for (const key of keys) {
    const first = key.charCodeAt(0);
    if (first >= 0x30 && first <= 0x39 && INTEGER_KEY.test(key)) throw new Fallback();
    const v = (value as Record<string, unknown>)[key];
    if (v === undefined || typeof v === 'function' || typeof v === 'symbol') continue;
    out[key] = typeof v === 'object' ? sortedCopy(v) : v;
    written++;
  }
  if (written > 0) return out;
  placeholders++;
  return EMPTY_OBJECT;
}

const indents: string[] = [''];

function indent(level: number): string {
  for (let i = indents.length; i <= level; i++) indents.push(`${indents[i - 1]}  `);
  return indents[level] as string;
}

/** The direct writer, for documents the fast path cannot reproduce exactly. */
function write(value: unknown, level: number): string | undefined {
  if (value === undefined || typeof value === 'function' || typeof value === 'symbol') return undefined;
  if (value === null || typeof value !== 'object') return JSON.stringify(value);
  if (typeof (value as { toJSON?: unknown }).toJSON === 'function')
    return write((value as { toJSON: () => unknown }).toJSON(), level);
  const inner = `\n${indent(level + 1)}`;
  const close = `\n${indent(level)}`;
  if (Array.isArray(value)) {
    let out = '[';
    for (let i = 0; i < value.length; i++)
      out += `${i === 0 ? '' : ','}${inner}${write(value[i], level + 1) ?? 'null'}`;
    return `${out}${close}]`;
  }
  let out = '{';
  let first = true;
  for (const key of Object.keys(value).sort()) {
    const text = write((value as Record<string, unknown>)[key], level + 1);
    if (text === undefined) continue;
    out += `${first ? '' : ','}${inner}${JSON.stringify(key)}: ${text}`;
    first = false;
  }
  return `${out}${close}}`;
}

/**
 * Rewrites each of `count` placeholders as cdktf writes an empty container: opened in place, closed below.
 * Undefined when the text holds more marks than placeholders (a string or key contained one).
 */
function expandPlaceholders(text: string, count: number): string | undefined {
  const parts: string[] = [];
  let from = 0;
  let n = 0;
  for (let at = text.indexOf(MARK); at !== -1; at = text.indexOf(MARK, from)) {
    if (++n > count) return undefined;
    const quote = at - 1; // the placeholder is the string "<DEL>[]" or "<DEL>{}"
    const lineStart = text.lastIndexOf('\n', quote) + 1;
    let spaces = 0;
    while (text.charCodeAt(lineStart + spaces) === 32) spaces++;
    const open = text[at + MARK.length] as string;
    parts.push(
      text.slice(from, quote),
      open,
      '\n',
      text.slice(lineStart, lineStart + spaces),
      open === '[' ? ']' : '}',
    );
    from = at + MARK.length + 3;
  }
  if (n !== count) return undefined;
  if (n === 0) return text;
  parts.push(text.slice(from));
  return parts.join('');
}

export function stableJson(value: unknown): string {
  let copy: unknown;
  placeholders = 0;
  try {
    copy = sortedCopy(value);
  } catch (error) {
    if (error instanceof Fallback) return write(value, 0) ?? '';
    throw error;
  }
  if (copy === EMPTY_ARRAY || copy === EMPTY_OBJECT) return write(value, 0) ?? '';
  return expandPlaceholders(JSON.stringify(copy, null, 2) ?? '', placeholders) ?? write(value, 0) ?? '';
}
