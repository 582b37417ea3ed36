/**
 * UTF-8 checks that report where input goes wrong instead of decoding it with replacement characters: the
 * gateway refuses a body, the loader a file, at the offset of the first byte that breaks RFC 3629.
 */
import { isUtf8 } from 'node:buffer';

/** Offset of the first byte that does not start or continue a well-formed UTF-8 sequence (RFC 3629); -1 if none. */
export function firstInvalidUtf8(bytes: Uint8Array): number {
  for (let i = 0; i < bytes.length; ) {
    const b = bytes[i] as number;
    if (b < 0x80) {
      i++;
      continue;
    }
    // Lead byte: its sequence length and the range its first continuation byte must fall in.
    let need: number;
    let lo = 0x80;
    let hi = 0xbf;
    if (b >= 0xc2 && b <= 0xdf) need = 1;
    else if (b >= 0xe0 && b <= 0xef) {
      need = 2;
      if (b === 0xe0) lo = 0xa0; // no overlong forms
      if (b === 0xed) hi = 0x9f; // no surrogates
    } else if (b >= 0xf0 && b <= 0xf4) {
      need = 3;
      if (b === 0xf0) lo = 0x90;
      if (b === 0xf4) hi = 0x8f; // nothing above U+10FFFF
    } else return i;
    for (let k = 1; k <= need; k++) {
      const c = bytes[i + k];
      if (c === undefined || c < (k === 1 ? lo : 0x80) || c > (k === 1 ? hi : 0xbf)) return i;
    }
    i += need + 1;
  }
  return -1;
}

/** Length of a sequence by its lead byte; 0 for a byte that cannot lead one. */
function sequenceLength(b: number): number {
  if (b < 0x80) return 1;
  if (b >= 0xc2 && b <= 0xdf) return 2;
  if (b >= 0xe0 && b <= 0xef) return 3;
  if (b >= 0xf0 && b <= 0xf4) return 4;
  return 0;
}

/**
 * Checks a byte stream chunk by chunk. A sequence split across chunks is held back (at most 3 bytes) and
 * checked with the next chunk, so every chunk boundary is handled and offsets count from the stream's start.
 */
export class Utf8StreamCheck {
  private carry: Uint8Array = new Uint8Array(0);
  /** Bytes checked so far, including any held back. */
  private offset = 0;

  /** Offset (from the start of the stream) of the first invalid byte in this chunk, or -1. */
  public push(chunk: Uint8Array): number {
    const start = this.offset - this.carry.length;
    const bytes = this.carry.length > 0 ? Buffer.concat([this.carry, chunk]) : chunk;
    this.offset += chunk.length;
    // Hold back a trailing lead byte whose sequence is not complete yet.
    let tail = 0;
    for (let k = 1; k <= Math.min(3, bytes.length); k++) {
      const b = bytes[bytes.length - k] as number;
      if (b >= 0x80 && b < 0xc0) continue;
      if (sequenceLength(b) > k) tail = k;
      break;
    }
    const body = tail > 0 ? bytes.subarray(0, bytes.length - tail) : bytes;
    this.carry = tail > 0 ? Uint8Array.from(bytes.subarray(bytes.length - tail)) : new Uint8Array(0);
    if (isUtf8(body)) return -1;
    const bad = firstInvalidUtf8(body);
    return start + (bad < 0 ? body.length : bad);
  }

  /** At the end of the stream: the offset of a sequence cut off by the end, or -1. */
  public end(): number {
    if (this.carry.length === 0) return -1;
    return this.offset - this.carry.length;
  }
}
