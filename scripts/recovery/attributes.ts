/**
 * The attributes a republished event keeps: exactly the ones the ingest gateway sets (runtime/ingest/app.ts).
 * Pub/Sub's own stamps (`googclient_*` schema attributes, `CloudPubSubDeadLetterSource*`, an archived ordering
 * key) are dropped: the server stamps them again, and a stale schema revision would be wrong. `event_id` is what
 * downstream deduplication keys on, so it always travels with the data, which is republished byte for byte.
 */
export const INGEST_ATTRIBUTES = [
  'stream',
  'schema_version',
  'event_id',
  'source',
  'dropped_fields',
  'dropped_fields_count',
] as const;

/** The ingest attributes of a message, plus one naming where the copy came from (for audit). */
export function republishAttributes(
  attributes: Readonly<Record<string, string>>,
  origin: { readonly key: 'replay_of' | 'redrive_of'; readonly value: string },
): Record<string, string> {
  const out: Record<string, string> = {};
  for (const k of INGEST_ATTRIBUTES) if (attributes[k] !== undefined) out[k] = attributes[k] as string;
  out[origin.key] = origin.value;
  return out;
}
