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

// The same content (a contract's UDF, one string per contract) is written once per environment and checked
// again by policy: hash it once.
const digests = new Map<string, string>();

/** The hex SHA-256 of a content-addressed object's content (its name carries a prefix, its metadata all of it). */
export function contentSha256(content: string): string {
  let digest = digests.get(content);
  if (digest === undefined) {
    digest = stableHash(content, 64);
    if (digests.size >= 10_000) digests.clear();
    digests.set(content, digest);
  }
  return digest;
}
