import { createHash } from 'node:crypto';

/** First `length` hex characters of SHA-256: stable across machines and runs, never random. */
export function stableHash(input: string, length = 6): string {
  return createHash('sha256').update(input).digest('hex').slice(0, length);
}

/**
 * Joins name parts with `separator` and, when the result is longer than `maxLength`, keeps a prefix and appends
 * a hash of the full name. The same input always yields the same output, and two long names that share a
 * prefix still differ.
 */
export function deterministicName(parts: readonly string[], maxLength: number, separator = '-'): string {
  const full = parts.filter((p) => p.length > 0).join(separator);
  if (full.length <= maxLength) return full;
  const hash = stableHash(full);
  const keep = maxLength - hash.length - separator.length;
  const head = full.slice(0, keep).replace(/[-_.]+$/, '');
  return `${head}${separator}${hash}`;
}
